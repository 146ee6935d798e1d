"""The faster ``html_params`` answers exactly as WTForms' own, and the widgets use it."""
from __future__ import annotations

import pytest
from markupsafe import Markup
from wtforms import Form, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import core

from intranet.core import widgets

CASES = [
    {},
    {"name": "titre", "id": "titre", "value": "Conseil d'été <2026> & \"ordre\""},
    {"class_": "button", "for_": "x", "type": "submit"},
    {"checked": True, "readonly": False, "disabled": True, "value": "oui"},
    {"data_target_id": "a-b", "aria_describedby": "aide erreur", "aria_invalid": "true"},
    {"value": Markup('<b class="x">déjà sûr</b>'), "title": Markup("&amp; ok")},
    {"value": 0, "maxlength": 300, "min": -1.5, "placeholder": None},
    {"value": "'", "label": "l'Isle-d'Abeau", "zzz": "", "aaa": " "},
    {"selected": True, "value": "47001"},
]


@pytest.mark.parametrize("attributes", CASES)
def test_same_output_as_wtforms(attributes):
    ours, theirs = widgets.html_params(**attributes), widgets.original_html_params(**attributes)
    assert ours == theirs
    assert type(ours) is type(theirs) is Markup


def test_widgets_render_with_it():
    class F(Form):
        name = StringField("Nom")
        commune = SelectField("Commune", choices={"47001": "Agen", "47002": "« Aiguillon »"})

    widgets.install()
    assert core.html_params is widgets.html_params
    form = F(data={"name": 'A "b" <c>', "commune": "47002"})
    assert str(form.name()) == ('<input id="name" name="name" type="text" '
                                'value="A &#34;b&#34; &lt;c&gt;">')
    assert str(form.commune()) == ('<select id="commune" name="commune">'
                                   '<option value="47001">Agen</option>'
                                   '<option selected value="47002">« Aiguillon »</option></select>')
    assert str(form.name.label(class_="x")) == '<label class="x" for="name">Nom</label>'


@pytest.mark.parametrize("choices, data", [
    ({"": "—", "47001": "Agen", "l'isle": "L'Isle <d'Abeau> & \"Co\""}, "l'isle"),
    ([SelectChoice("1", "Un"), SelectChoice("2", "")], "2"),
    ([SelectChoice("47001", "Agen", optgroup="Communes"),
      SelectChoice("200096956", "Agglo « Agen »", optgroup="EPCI")], "47001"),
    ([SelectChoice("a", "A", render_kw={"disabled": True}),
      SelectChoice("b", "B", render_kw={"data_x": "1"})], "b"),
])
def test_options_render_exactly_as_wtforms_renders_them(choices, data):
    class F(Form):
        field = SelectField("Champ", choices=choices, coerce=str)

    widgets.install()
    form = F(data={"field": data})
    ours = str(form.field())
    core.Select.render_option = widgets.original_render_option
    try:
        theirs = str(form.field())
    finally:
        widgets.install()
    assert ours == theirs
