"""Absolute links for emails and feeds, built outside any request (worker, CLI, services)."""
from urllib.parse import urlsplit

from flask import current_app


def absolute_url(endpoint: str, **values) -> str:
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, url_scheme=base.scheme or "https",
                                       script_name=base.path or "/")
    return adapter.build(endpoint, values, force_external=True)


def path_for(endpoint: str, **values) -> str:
    """A site-relative link (« /espaces/… »), built outside any request too: what the
    application stores, so that links work from the intranet's and the extranet's host names."""
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind("localhost", script_name=base.path or "/")
    return adapter.build(endpoint, values, force_external=False)
