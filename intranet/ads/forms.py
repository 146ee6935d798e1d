from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..core.types import Visibility
from .models import AdCategory, AdKind

REQUIRED = "Ce champ est obligatoire."
VISIBILITY_CHOICES = {Visibility.PUBLIC.value: "Tout le monde, même sans connexion",
                      Visibility.NETWORK.value: "Seulement les personnes connectées du réseau"}


class AdForm(FlaskForm):
    publisher = SelectField("Qui publie l'annonce ?", validate_choice=False)
    kind = SelectField("Vous…", choices={k.value: k.label for k in AdKind})
    category = SelectField("Catégorie", choices={c.value: c.label for c in AdCategory})
    title = StringField("Titre", validators=[DataRequired(REQUIRED), Length(max=200)],
                        description="Par exemple : « Camion benne Renault Master, 2012 ».")
    description = TextAreaField("Description", validators=[Length(max=10_000)],
                                description="État, dimensions, disponibilité, conditions…")
    price = StringField("Prix en euros", validators=[Length(max=30)],
                        description="Laissez vide si c'est gratuit (don, prêt).")
    commune = SelectField("Commune où se trouve l'objet", validate_choice=False)
    visibility = SelectField("Qui peut voir l'annonce ?", choices=VISIBILITY_CHOICES,
                             default=Visibility.PUBLIC.value)
    photos = MultipleFileField("Photos (6 au plus : JPEG, PNG, GIF ou WebP)")


class ContactForm(FlaskForm):
    body = TextAreaField("Votre message", validators=[DataRequired(REQUIRED),
                                                      Length(max=20_000)])


class ReportForm(FlaskForm):
    reason = TextAreaField("Qu'est-ce qui ne va pas ?", validators=[DataRequired(REQUIRED),
                                                                     Length(max=2000)])


class FilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter, changes nothing

    nature = SelectField("Type", validate_choice=False)
    categorie = SelectField("Catégorie", validate_choice=False)
    commune = SelectField("Où ?", validate_choice=False)
    q = StringField("Mots", validators=[Length(max=200)])
