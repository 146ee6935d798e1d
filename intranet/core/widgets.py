"""WTForms' ``html_params`` (the attributes of every field, option and label a form renders),
written again with the same output at a fraction of the cost.

WTForms builds each attribute with ``Markup('{k}="{v}"').format(...)``: a ``string.Formatter``
run that escapes twice, about 40 function calls per attribute. A form page renders hundreds of
attributes (a select of 300 communes, a list of checkboxes): on the edit page of an aid, half
the CPU time of the request went there. The version below escapes each key and value once, in
an f-string; ``tests/core/test_widgets.py`` checks that it answers exactly as the original for
every kind of value. ``install()`` puts it where WTForms' widgets look it up (the module, and the
``html_params`` attribute of ``Input`` and ``Button``), with the select's options rendered the
same way (``render_option``); ``create_app`` calls it.

A select is also drawn once for what it shows (``select``): a form page draws the same long
lists at every request (the 319 communes of a job offer's place, the organisations of a
filter), and WTForms rebuilds each option's choice objects twice before rendering it (a third
of a job offer form's CPU time). When a plain ``SelectField`` or ``SelectMultipleField`` has its
choices written out, its HTML is kept, keyed by everything the widget reads (the field's class,
name, id, ``coerce``, data and flags, the attributes asked for, the choices: a ``{value:
label}`` dict, grouped or not, or a list of values or pairs); any other select, and any whose
choices hold a list or a dict of attributes, is rendered by WTForms each time.
"""
from __future__ import annotations

from functools import lru_cache

import wtforms.widgets
from markupsafe import Markup, escape
from wtforms.fields import SelectField, SelectMultipleField
from wtforms.widgets import core

original_html_params = core.html_params
original_render_option = core.Select.render_option
original_select = core.Select.__call__

SELECTS_MAX = 256   # selects kept (a commune list is about 15 KB)
_SELECTS: dict[tuple, Markup] = {}
_PLAIN = {cls: (cls.iter_choices, cls.has_groups, cls._choices_from_input)
          for cls in (SelectField, SelectMultipleField)}


@lru_cache(maxsize=512)   # attribute names: a small, fixed set
def _attribute(key: str) -> str:
    return str(escape(core.clean_key(key)))


def html_params(**kwargs) -> Markup:
    """What ``wtforms.widgets.html_params`` returns: attributes sorted by name, ``True`` as a
    bare attribute, ``False`` left out, ``class_`` → ``class``, ``data_x_y`` → ``data-x-y``,
    values escaped (a ``Markup`` value is kept as it is, but for its double quotes)."""
    params = []
    for key, value in sorted(kwargs.items()):
        if value is True:
            params.append(_attribute(key))
        elif value is not False:
            params.append(f'{_attribute(key)}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(params))


def render_option(cls, choice, **kwargs) -> Markup:
    """What ``Select.render_option`` returns, for the plain option of nearly every select (no
    attributes of its own) in one f-string: a filter of 450 organisations was a third of the
    acts' list at département scale. Other options go to WTForms' own."""
    if kwargs or choice.render_kw:
        return original_render_option.__func__(cls, choice, **kwargs)
    value = str(choice.value) if isinstance(choice.value, bool) else choice.value
    value = str(escape(value)).replace(chr(34), "&quot;")
    label = escape(choice.label or choice.value)
    if choice.selected:
        return Markup(f'<option selected value="{value}">{label}</option>')
    return Markup(f'<option value="{value}">{label}</option>')


def _select_key(widget, field, kwargs) -> tuple | None:
    """What a select's HTML depends on, or None when it cannot be kept (choices given another
    way than a list of plain values or pairs, a field class that chooses differently)."""
    cls = type(field)
    plain = next((_PLAIN[base] for base in cls.__mro__ if base in _PLAIN), None)
    if plain is None or (cls.iter_choices, cls.has_groups, cls._choices_from_input) != plain:
        return None
    choices = field.choices
    grouped = None
    if type(choices) is dict:    # {value: label}, or {group: {value: label}}
        grouped = choices
        choices = ("dict", *choices.items())
    elif type(choices) in (list, tuple) and \
            all(type(choice) in (tuple, str, int) for choice in choices):
        choices = ("list", *choices)
    else:
        return None
    data = tuple(field.data) if isinstance(field.data, list) else field.data
    flags = field.flags
    key = (type(widget), getattr(widget, "multiple", None), cls, field.name, field.id,
           field.coerce, data, getattr(flags, "required", None), getattr(flags, "disabled", None),
           tuple(sorted(kwargs.items())), tuple(sorted((field.render_kw or {}).items())),
           choices)
    try:
        hash(key)
    except TypeError:   # an attribute or a choice holding a list or a dict: groups, perhaps
        if grouped is None or not any(type(label) is dict for label in grouped.values()):
            return None
        key = (*key[:-1], ("dict", *((value, ("group", *label.items()) if type(label) is dict
                                      else label) for value, label in grouped.items())))
        try:
            hash(key)
        except TypeError:
            return None
    return key


def _kept(key: tuple | None, draw) -> Markup:
    """``draw()``, kept under ``key`` (None: drawn each time)."""
    if key is None:
        return draw()
    html = _SELECTS.get(key)
    if html is None:
        html = draw()
        if len(_SELECTS) >= SELECTS_MAX:
            _SELECTS.clear()
        _SELECTS[key] = html
    return html


def select(widget, field, **kwargs) -> Markup:
    """What ``Select.__call__`` returns, kept for the same select drawn again."""
    return _kept(_select_key(widget, field, kwargs),
                 lambda: original_select(widget, field, **kwargs))


class CheckboxList(core.ListWidget):
    """WTForms' list of checkboxes (``ListWidget(prefix_label=False)`` of a multiple choice
    whose options are ``CheckboxInput``), kept as ``select`` keeps a select: a job offer's 40
    grades are 40 fields made and drawn at each request otherwise."""

    def __init__(self):
        super().__init__(prefix_label=False)

    def __call__(self, field, **kwargs):
        return _kept(_select_key(self, field, kwargs),
                     lambda: super(CheckboxList, self).__call__(field, **kwargs))


def checkbox_rows(field) -> Markup:
    """The options of a multiple choice as « <div>box label</div> » rows, for a fieldset whose
    legend names the question (``publications/aids/_checkboxes.html``); kept likewise."""
    key = _select_key(checkbox_rows, field, {})
    return _kept(key and ("rows", *key),
                 lambda: Markup("".join(f"<div>{option()} {option.label}</div>"
                                        for option in field)))


def install() -> None:
    core.html_params = html_params
    wtforms.widgets.html_params = html_params      # the fields' labels read it from there
    core.Input.html_params = staticmethod(html_params)
    core.Button.html_params = staticmethod(html_params)
    core.Select.render_option = classmethod(render_option)
    core.Select.__call__ = select


def render_field(f, hint=None, autocomplete=None, prefix: str = "") -> Markup:
    """A form field as every form of the site draws it (the ``field`` macro of
    ``templates/_macros.html`` calls it): its label tied to it, « (obligatoire) », the hint and
    the error, both named by ``aria-describedby``, the field marked invalid after an error; a
    checkbox before its label. ``prefix``: for a second form of the same page whose fields have
    the same names. Written in Python rather than in the macro: a form page draws tens of
    fields, and a macro's every ``set`` and ``update`` is a call of Jinja's runtime
    (``tests/core/test_widgets.py`` checks the HTML)."""
    fid = prefix + f.id
    errors = f.errors
    described = ([fid + "-aide"] if hint else []) + ([fid + "-erreur"] if errors else [])
    attrs = {"id": fid}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    out = ['<div class="field field-error">' if errors else '<div class="field">']
    hint_html = f'<p class="hint" id="{escape(fid)}-aide">{escape(hint)}</p>' if hint else ""
    if f.type == "BooleanField":
        out.append(f"{f(**attrs)} {f.label(for_=fid)}")
        out.append(hint_html)
    else:
        required = ' <span class="required">(obligatoire)</span>' if f.flags.required else ""
        out.append(f"{f.label(for_=fid)}{required}")
        out.append(hint_html)
        if errors:
            attrs["aria-invalid"] = "true"
        if autocomplete:
            attrs["autocomplete"] = autocomplete
        out.append(str(f(**attrs)))
    if errors:
        out.append(f'<p class="error" id="{escape(fid)}-erreur">'
                   + "".join(f"{escape(error)} " for error in errors) + "</p>")
    out.append("</div>")
    return Markup("\n".join(part for part in out if part))
