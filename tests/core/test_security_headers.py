"""Every response carries the security headers (intranet/core/security.py): pages, redirects,
error pages, feeds, exports, static files and downloads, anonymous and signed in.

The walk is built from ``app.url_map``, like tests/test_access_matrix.py, but needs no samples:
a route with parameters is asked for a made-up object, and its 404 (or the redirect to the login
page) must carry the headers as much as a page does.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from intranet import create_app
from intranet.extensions import db
from intranet.core.types import Role
from intranet.core import security
from intranet.publications.aids import services as aids

from .. import factories
from ..publications.aids import make_aid

EXPECTED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
TEMPLATES = Path(security.__file__).resolve().parent.parent / "templates"
MADE_UP = {"int": 987654, "default": "inconnu-4242"}
PARAMETER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def missing_headers(response, *, secure: bool = False) -> list[str]:
    """What is wrong with a response's security headers (empty when all is well)."""
    headers = response.headers
    problems = [f"{name}: {headers.get(name)!r}" for name, value in EXPECTED.items()
                if headers.get(name) != value]
    csp = headers.get("Content-Security-Policy", "")
    strict_download = csp == "default-src 'none'; sandbox"
    if not strict_download:
        if csp != security.CONTENT_SECURITY_POLICY:
            problems.append(f"Content-Security-Policy: {csp!r}")
        if "unsafe-inline" in csp or "unsafe-eval" in csp:
            problems.append("Content-Security-Policy allows inline code")
    if "camera=()" not in headers.get("Permissions-Policy", ""):
        problems.append(f"Permissions-Policy: {headers.get('Permissions-Policy')!r}")
    hsts = headers.get("Strict-Transport-Security")
    if secure and hsts != security.STRICT_TRANSPORT_SECURITY:
        problems.append(f"Strict-Transport-Security over HTTPS: {hsts!r}")
    if not secure and hsts is not None:
        problems.append(f"Strict-Transport-Security over HTTP: {hsts!r}")
    if headers.get("Content-Type", "").count("charset") > 1:
        problems.append(f"Content-Type: {headers['Content-Type']!r}")
    return problems


def _walk(app):
    """(method, url) for every route, with a made-up value for each parameter."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            yield "GET", "/static/css/site.css"
            yield "GET", "/static/absent.css"
            continue
        values = {name: MADE_UP.get(converter, MADE_UP["default"])
                  for converter, name in PARAMETER.findall(rule.rule)}
        url = rule.build(values)[1]
        for method in sorted(rule.methods - {"OPTIONS"}):
            if rule.endpoint != "accounts.logout":   # last, so the walk stays signed in
                yield method, url


@pytest.fixture
def platform_admin():
    org = factories.make_org("Commune de Marmande")
    return factories.make_user(org, Role.ADMIN, platform_admin=True)


@pytest.mark.parametrize("who", ["anonymous", "platform_admin"])
def test_every_route_answers_with_the_security_headers(app, client, login, platform_admin, who):
    if who == "platform_admin":
        login(platform_admin)
    wrong, statuses = [], set()
    for method, url in _walk(app):
        response = client.open(url, method=method)
        statuses.add(response.status_code)
        assert response.status_code < 500, f"{method} {url} → {response.status_code}"
        problems = missing_headers(response)
        if problems:
            wrong.append(f"{method} {url} ({response.status_code}): " + "; ".join(problems))
    logout = client.post("/deconnexion")
    assert not missing_headers(logout)
    assert not wrong, "\n".join(wrong)
    # The walk did meet pages, redirects and errors.
    assert {200, 404}.issubset(statuses) and statuses & {302, 303}, sorted(statuses)


def test_headers_are_on_a_server_error_too(test_config):
    broken = create_app(dict(test_config, TESTING=False, PROPAGATE_EXCEPTIONS=False))

    @broken.get("/panne")
    def fail():
        raise RuntimeError("panne")

    try:
        response = broken.test_client().get("/panne")
    finally:
        _dispose(broken)   # the error page reads the database (its footer's accessibility level)
    assert response.status_code == 500
    assert not missing_headers(response)


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://territoires.test")
    assert not missing_headers(secure, secure=True)
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_hsts_behind_a_tls_proxy(test_config):
    proxied = create_app(dict(test_config, PROXY_FIX_X_FOR=1))
    try:
        response = proxied.test_client().get("/connexion", headers={"X-Forwarded-Proto": "https"})
    finally:
        _dispose(proxied)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def _dispose(made):
    """Close the connections of an application made by a test (PostgreSQL warns otherwise)."""
    with made.app_context():
        db.session.remove()
        db.engine.dispose()


def test_policy_allows_no_inline_code_nor_framing():
    csp = dict(part.split(" ", 1) for part in security.CONTENT_SECURITY_POLICY.split("; "))
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in security.PERMISSIONS_POLICY


def test_a_download_keeps_its_stricter_policy_and_one_charset(client):
    org = factories.make_org("Département de Lot-et-Garonne")
    editor = factories.make_user(org, Role.EDITOR)
    aid = make_aid(org, editor)
    document = aids.add_document(aid, "nom;prénom\nDupont;Camille\n".encode(), "liste.csv",
                                 by=editor)
    response = client.get(f"/aides/{aid.id}/documents/{document.id}")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert not missing_headers(response)
    assert response.get_data(as_text=True) == "nom;prénom\nDupont;Camille\n"


@pytest.mark.parametrize("url", ["/aides/export.csv", "/deliberations/export-scdl.csv"])
def test_csv_exports_state_their_charset_once(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert not missing_headers(response)


def test_feeds_carry_the_headers(client):
    response = client.get("/aides/flux.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    assert not missing_headers(response)


# What the policy would block: a script or style written in the page, an event handler, a
# javascript: link. Scripts are files in static/js, styles classes in static/css/site.css. A
# JSON-LD data block (a job offer's schema.org JobPosting) is data, never run: the policy does
# not apply to it (tests/browser/test_csp.py opens those pages too).
INLINE_CODE = re.compile(r'<script(?![^>]*\ssrc=)(?![^>]*\stype="application/ld\+json")[^>]*>'
                         r"|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE)


def test_templates_hold_no_inline_script_style_or_handler():
    found = [f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
             for path in sorted(TEMPLATES.rglob("*.html"))
             for match in INLINE_CODE.finditer(path.read_text())]
    assert not found, "\n".join(found)
