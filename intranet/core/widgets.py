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
"""
from __future__ import annotations

from functools import lru_cache

import wtforms.widgets
from markupsafe import Markup, escape
from wtforms.widgets import core

original_html_params = core.html_params
original_render_option = core.Select.render_option


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


def install() -> None:
    core.html_params = html_params
    wtforms.widgets.html_params = html_params      # the fields' labels read it from there
    core.Input.html_params = staticmethod(html_params)
    core.Button.html_params = staticmethod(html_params)
    core.Select.render_option = classmethod(render_option)
