"""What the forms of every publication type share: French messages, the visibility choice, the
document form of the show pages."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField
from wtforms.meta import DefaultMeta
from wtforms.validators import Length, Optional

from ..core.types import Visibility

REQUIRED = "Ce champ est obligatoire."
VISIBILITY_CHOICES = {Visibility.PUBLIC.value: "Public (tout le monde, sans connexion)",
                      Visibility.NETWORK.value: "Réseau (personnes connectées seulement)"}


class FrenchForm(FlaskForm):
    """WTForms' own messages (« N'est pas une date valide. ») in French."""

    class Meta:
        locales = ("fr_FR", "fr")

        def get_translations(self, form):
            return DefaultMeta.get_translations(self, form)


class DocumentForm(FrenchForm):
    title = StringField("Titre du document (facultatif)", validators=[Optional(),
                                                                       Length(max=200)])
    file = FileField("Fichier")
