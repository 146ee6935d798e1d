"""The faster ``html_params`` answers exactly as WTForms' own, and the widgets use it."""
from __future__ import annotations

import pytest
from markupsafe import Markup
from wtforms import Form, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
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
    assert str(form.field()) == ours   # drawn again, from the kept selects when it may be
    core.Select.render_option = widgets.original_render_option
    core.Select.__call__ = widgets.original_select
    try:
        theirs = str(form.field())
    finally:
        widgets.install()
    assert ours == theirs


COMMUNES = {str(47000 + n): f"Commune n° {n} <l'Isle & « Co »>" for n in range(1, 320)}


def _wtforms_select(field, **kwargs) -> str:
    core.Select.render_option = widgets.original_render_option
    core.Select.__call__ = widgets.original_select
    try:
        return str(field(**kwargs))
    finally:
        widgets.install()


@pytest.mark.parametrize("multiple", [False, True])
def test_a_select_drawn_again_is_kept_and_follows_its_data(multiple):
    field_class = SelectMultipleField if multiple else SelectField

    class F(Form):
        commune = field_class("Commune", choices={"": "—", **COMMUNES},
                              validators=[DataRequired()])

    widgets.install()
    widgets._SELECTS.clear()
    for data in (["47003"], ["47003"], ["47005", "47007"], []) if multiple else \
            ("47003", "47003", "47005", ""):
        form = F(data={"commune": data})
        ours = str(form.commune(class_="large"))
        assert ours == _wtforms_select(form.commune, class_="large")
        chosen = data if multiple else [data]
        assert ours.count(" selected ") == len(chosen)
        assert all(f'<option selected value="{value}">' in ours for value in chosen)
    assert len(widgets._SELECTS) == 3   # the first two are the same select
    form = F(data={"commune": ["47003"] if multiple else "47003"})
    form.commune.choices = dict(list(COMMUNES.items())[:5])   # other choices: drawn again
    assert str(form.commune()).count("<option") == 5


def test_a_grouped_select_is_kept_too_and_follows_its_groups():
    """The acts' classification: options in groups (``{group: {value: label}}``)."""
    groups = {"": "— Choisissez —", "Commande publique": {"1.1": "Marchés publics",
                                                          "1.2": "Délégation de service"},
              "Urbanisme": {"2.1": "Documents d'urbanisme"}}

    class F(Form):
        matiere = SelectField("Matière", choices=groups)

    widgets.install()
    widgets._SELECTS.clear()
    for data in ("1.2", "1.2", "2.1"):
        form = F(data={"matiere": data})
        ours = str(form.matiere())
        assert ours == _wtforms_select(form.matiere)
        assert f'<option selected value="{data}">' in ours and ours.count("<optgroup") == 2
    assert len(widgets._SELECTS) == 2
    form = F(data={"matiere": "1.2"})
    form.matiere.choices = {**groups, "Urbanisme": {"2.2": "Autorisations"}}
    assert "Autorisations" in str(form.matiere()) and len(widgets._SELECTS) == 3


def test_selects_it_cannot_key_are_drawn_each_time_and_the_memory_is_bounded(monkeypatch):
    class F(Form):
        kinds = SelectField("Type", choices=[SelectChoice("a", "A", render_kw={"disabled": True})])
        objects = SelectField("Objets", choices=[SelectChoice("1", "Un"), SelectChoice("2", "")])

    widgets.install()
    widgets._SELECTS.clear()
    form = F(data={"kinds": "a", "objects": "2"})
    for field in (form.kinds, form.objects):
        assert str(field()) == _wtforms_select(field)
    assert widgets._SELECTS == {}
    monkeypatch.setattr(widgets, "SELECTS_MAX", 2)

    class G(Form):
        commune = SelectField("Commune", choices=COMMUNES)
    for data in ("47001", "47002", "47003"):
        assert f'selected value="{data}"' in str(G(data={"commune": data}).commune())
        assert len(widgets._SELECTS) <= 2


GRADES = {f"g{n}": f"Grade n° {n} « adjoint » <{n}> & cie" for n in range(40)}


@pytest.mark.parametrize("required", [False, True])
def test_a_list_of_checkboxes_drawn_again_is_kept_and_follows_its_data(required):
    """A job offer's grades: drawn as WTForms' ``ListWidget`` draws them, once for the same
    choices, data and attributes; the aids' rows (``checkbox_rows``) as the template drew them."""
    from jinja2 import Environment
    from wtforms.widgets import ListWidget

    from intranet.core.fields import CheckboxesField

    class F(Form):
        grades = CheckboxesField("Grades", choices=GRADES,
                                 validators=[DataRequired()] if required else [])

    template = Environment(autoescape=True).from_string(
        "{% for option in f %}<div>{{ option() }} {{ option.label }}</div>{% endfor %}")
    widgets._SELECTS.clear()
    for data in (["g3"], ["g3"], ["g1", "g39"], []):
        form = F(data={"grades": data})
        ours = str(form.grades(**{"aria-describedby": "grades-aide"}))
        theirs = str(ListWidget(prefix_label=False)(form.grades, **{"aria-describedby":
                                                                     "grades-aide"}))
        assert ours == theirs and ours.count(" checked ") == len(data)
        assert ours.count(" required ") == (40 if required else 0)
        rows = str(widgets.checkbox_rows(form.grades))
        assert rows == template.render(f=form.grades) and rows.count("<div>") == 40
    assert len(widgets._SELECTS) == 6      # three data, as a list and as rows
    form = F(data={"grades": ["g3"]})
    form.grades.choices = dict(list(GRADES.items())[:5])
    assert str(form.grades()).count("<li>") == 5 and widgets.checkbox_rows(
        form.grades).count("<div>") == 5


# The ``field`` macro as it was written in Jinja, before ``render_field``: the reference.
JINJA_FIELD = """{% macro field(f, hint=None, autocomplete=None, prefix='') %}
  {% set fid = prefix ~ f.id %}
  {% set described = [] %}
  {% if hint %}{% set _ = described.append(fid ~ '-aide') %}{% endif %}
  {% if f.errors %}{% set _ = described.append(fid ~ '-erreur') %}{% endif %}
  <div class="field{% if f.errors %} field-error{% endif %}">
    {% if f.type == 'BooleanField' %}
      {{ f(id=fid, **({'aria-describedby': described|join(' ')} if described else {})) }} {{ f.label(for_=fid) }}
      {% if hint %}<p class="hint" id="{{ fid }}-aide">{{ hint }}</p>{% endif %}
    {% else %}
      {{ f.label(for_=fid) }}{% if f.flags.required %} <span class="required">(obligatoire)</span>{% endif %}
      {% if hint %}<p class="hint" id="{{ fid }}-aide">{{ hint }}</p>{% endif %}
      {% set attrs = {'id': fid} %}
      {% if described %}{% set _ = attrs.update({'aria-describedby': described|join(' ')}) %}{% endif %}
      {% if f.errors %}{% set _ = attrs.update({'aria-invalid': 'true'}) %}{% endif %}
      {% if autocomplete %}{% set _ = attrs.update({'autocomplete': autocomplete}) %}{% endif %}
      {{ f(**attrs) }}
    {% endif %}
    {% if f.errors %}<p class="error" id="{{ fid }}-erreur">{% for e in f.errors %}{{ e }} {% endfor %}</p>{% endif %}
  </div>
{% endmacro %}"""


def _squeezed(html) -> str:
    return " ".join(str(html).split()).replace("> <", "><")


@pytest.mark.parametrize("kind", ["text", "required", "checkbox", "select", "textarea"])
@pytest.mark.parametrize("hint", [None, "Au format 47001", Markup("Voir <a href='/aide'>l'aide</a>")])
@pytest.mark.parametrize("errors", [[], ["Obligatoire.", "Trop <long> & « faux »"]])
@pytest.mark.parametrize("autocomplete, prefix", [(None, ""), ("email", "second-")])
def test_a_field_is_drawn_as_the_jinja_macro_drew_it(app, kind, hint, errors, autocomplete,
                                                      prefix):
    from wtforms import BooleanField, TextAreaField

    class F(Form):
        text = StringField("Nom « usuel »")
        required = StringField("Courriel", validators=[DataRequired()])
        checkbox = BooleanField("J'accepte")
        select = SelectField("Commune", choices={"47001": "Agen", "47002": "Aiguillon"})
        textarea = TextAreaField("Message")

    form = F(data={"text": 'A "b" <c>', "checkbox": True, "select": "47002"})
    field = form[kind]
    field.errors = list(errors)
    with app.app_context():
        reference = app.jinja_env.from_string(JINJA_FIELD).module.field(
            field, hint=hint, autocomplete=autocomplete, prefix=prefix)
        macro = app.jinja_env.from_string(
            "{% from '_macros.html' import field %}{{ field(f, hint=h, autocomplete=a, "
            "prefix=p) }}").render(f=field, h=hint, a=autocomplete, p=prefix)
    ours = widgets.render_field(field, hint, autocomplete, prefix)
    assert type(ours) is Markup
    assert _squeezed(ours) == _squeezed(reference) == _squeezed(macro)
