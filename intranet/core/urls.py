"""Absolute links for emails and feeds, built outside any request (worker, CLI, services), the
check of a « come back here » address, and the templates' ``url_for``, memoised."""
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request

# Links the templates built, per application: (endpoint, script root, values) → address.
# Emptied when it passes this size (ids in links make the set of addresses unbounded).
TEMPLATE_URLS_MAX = 20_000


def template_url_for(endpoint: str, **values) -> str:
    """Flask's ``url_for``, as templates call it (a page builds 20 to 400 links), memoised per
    process: an address depends only on the endpoint, the values and the request's script
    root (no URL defaults, subdomains or host matching here). Relative endpoints (« .show »),
    options (``_external``, ``_anchor``…) and values other than strings, integers and lists of
    them go to ``url_for`` every time, as do links built outside a request."""
    if not has_request_context():
        return current_app.url_for(endpoint, **values)
    return _memoised(current_app._get_current_object(), request.script_root, endpoint, values)


def _memoised(app, script_root: str, endpoint: str, values: dict) -> str:
    if endpoint[0] == ".":
        return app.url_for(endpoint, **values)
    plain = True
    for name, value in values.items():
        if name[0] == "_":
            return app.url_for(endpoint, **values)
        if type(value) not in (str, int):
            if type(value) not in (list, tuple) or \
                    any(type(item) not in (str, int) for item in value):
                return app.url_for(endpoint, **values)
            plain = False   # a repeated parameter (« ?cal=a&cal=b »)
    key = (endpoint, script_root, *values.items()) if plain else \
        (endpoint, script_root, *((name, tuple(value) if type(value) in (list, tuple) else value)
                                  for name, value in values.items()))
    cache = app.extensions["template_urls"]
    found = cache.get(key)
    if found is None:
        found = app.url_for(endpoint, **values)
        if len(cache) >= TEMPLATE_URLS_MAX:
            cache.clear()
        cache[key] = found
    return found


def _request_url_for() -> dict:
    """The page's templates get a ``url_for`` bound to this request's application and script
    root, read once: ``template_url_for`` reads them through Flask's context proxies at each
    link (a third of the cost of a link; an admin's list of 100 organisations builds 400)."""
    if not has_request_context():
        return {}
    app, script_root = current_app._get_current_object(), request.script_root

    def url_for(endpoint: str, **values) -> str:
        return _memoised(app, script_root, endpoint, values)
    return {"url_for": url_for}


def init_app(app) -> None:
    app.extensions["template_urls"] = {}
    app.jinja_env.globals["url_for"] = template_url_for   # imported macros, fragments, mails
    app.context_processor(_request_url_for)


def absolute_url(endpoint: str, **values) -> str:
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, url_scheme=base.scheme or "https",
                                       script_name=base.path or "/")
    return adapter.build(endpoint, values, force_external=True)


def absolute(path: str) -> str:
    """A site-relative link (``path_for``) made absolute with the public address."""
    if not path.startswith("/") or path.startswith("//"):
        return path
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def path_for(endpoint: str, **values) -> str:
    """A site-relative link (« /espaces/… »), built outside any request too: what the
    application stores, so that links work from the intranet's and the extranet's host names."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind("localhost", script_name=base.path or "/")
    return adapter.build(endpoint, values, force_external=False)


def local_path(target: str | None) -> str | None:
    """``target`` if it is an address of this site (« /espaces/…?page=2 »), else None: a sign-in
    link's ``next`` must not become an open redirect. Refused: other sites (« https://… »,
    « //hôte »), and what a browser would read as one: a backslash (« /\\hôte » is « //hôte »
    to a browser) and control characters (browsers drop tabs and line breaks, « /\\t/hôte »)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
