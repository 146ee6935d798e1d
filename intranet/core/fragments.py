"""Parts of every page that are a pure function of a few values (the header's menus, the
footer), rendered once per process for each distinct set of values and then reused.

A fragment template sees only what it is given, and the template globals that depend on
nothing but the application and the request's script root (``url_for``, ``space_home``):

    {{ fragment("core/_main_nav.html", {"signed_in": …, "endpoint": request.endpoint},
                live={"csrf": csrf_token()}) }}

- ``values`` (a dict of strings, numbers, booleans, None and tuples of them) is the cache key,
  with the template's name and the script root: two requests that give the same values get
  the same HTML. Whatever the template shows must come from ``values``, never from
  ``current_user``, ``request``, ``g`` or the session, or a person would see another's.
- ``live`` holds what changes at every request (the CSRF token, the page's own address): the
  cached HTML keeps a marker in their place, replaced, escaped, at each use.

The cache is per application (``app.extensions["fragments"]``) and emptied when it reaches
``FRAGMENTS_MAX`` entries. An entry is a few kilobytes; people's headers (their names,
organisations, spaces and counters) are most of them.
"""
from __future__ import annotations

from flask import current_app, request
from markupsafe import Markup, escape

FRAGMENTS_MAX = 5_000
_MARK = "\x1a"   # a control character, never in a rendered page; escaping leaves it as it is


def fragment(template: str, values: dict, live: dict | None = None) -> Markup:
    key = (template, request.script_root, *values.items())
    app = current_app._get_current_object()
    cache = app.extensions["fragments"]
    found = cache.get(key)
    if found is None:
        markers = {name: f"{_MARK}{name}{_MARK}" for name in live or ()}
        html = app.jinja_env.get_template(template).render(**values, live=markers)
        found = (html, tuple(name for name, marker in markers.items() if marker in html))
        if len(cache) >= FRAGMENTS_MAX:
            cache.clear()
        cache[key] = found
    html, used = found
    for name in used:
        value = str(live[name]).replace(_MARK, "")   # a typed marker stays text
        html = html.replace(f"{_MARK}{name}{_MARK}", escape(value))
    return Markup(html)


def drawn(template: str, **values) -> Markup:
    """``template`` drawn with ``values`` alone, as a fragment is (no context processor, no
    request's values): a part of a page that a view keeps (``generations.kept``)."""
    return Markup(current_app.jinja_env.get_template(template).render(**values))


def init_app(app) -> None:
    app.extensions["fragments"] = {}
    app.jinja_env.globals["fragment"] = fragment
