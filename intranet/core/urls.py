"""Absolute links for emails and feeds, built outside any request (worker, CLI, services), and
the check of a « come back here » address."""
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
