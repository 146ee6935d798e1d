"""Browser fixtures, shared by every browser test (registered once, in tests/conftest.py): a live server on the ``app`` fixture and Debian's Chromium through Playwright.

No browser is ever downloaded: the tests drive ``/usr/bin/chromium`` (``apt-get install
chromium``) and are skipped, with that instruction, where it is missing — except where
``TERRITOIRES_REQUIRE_TOOLS=1`` (set by ``.ci/run``): there a missing Chromium, Playwright or
axe, or a missing Java or Nu HTML Checker (tests/test_valid_html.py), is an error, so that CI
never passes by skipping them. One browser serves the whole session; each test gets a fresh
context (cookies, storage) and page.
"""
from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from . import factories
from .helpers import SECOND_FACTOR_STEP, second_factor_code

try:    # Playwright's assertions, for the browser tests (``from ..browser_fixtures import expect``)
    from playwright.sync_api import expect
except ImportError:     # every browser test uses the browser fixture, which skips or fails then
    expect = None

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
MISSING_CHROMIUM = "Chromium de Debian absent : apt-get install chromium"
MISSING_PLAYWRIGHT = "Playwright absent : pip install -e '.[test]' (sans « playwright install »)"
MISSING_AXE = "axe-playwright-python absent : pip install -e '.[test]'"
REQUIRE_TOOLS = "TERRITOIRES_REQUIRE_TOOLS"


def missing_tool(reason: str):
    """Skip the test for want of a tool, with the reason; fail it where the tools are required."""
    if os.environ.get(REQUIRE_TOOLS, "") not in ("", "0"):
        pytest.fail(f"{reason} — obligatoire ici ({REQUIRE_TOOLS}={os.environ[REQUIRE_TOOLS]})",
                    pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def live_server(app):
    """The ``app`` fixture served on 127.0.0.1 and a free port; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def chromium_executable() -> str:
    """Debian's Chromium (never a downloaded browser), or a skip — a failure in CI."""
    executable = shutil.which("chromium")
    if executable is None:
        missing_tool(MISSING_CHROMIUM)
    return executable


@pytest.fixture(scope="session")
def browser():
    executable = chromium_executable()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_tool(MISSING_PLAYWRIGHT)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR")
    context.set_default_timeout(5_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def sign_in_as(page, live_server: str, email: str, password: str):
    """The login form, as a person fills it, then the second factor where it is asked (the
    admins: their app's code, ``helpers.second_factor_code``); lands on the dashboard."""
    page.goto(f"{live_server}/connexion")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("main").get_by_role("button", name="Se connecter", exact=True).click()
    page.wait_for_url(lambda url: url.rstrip("/") == live_server
                      or url.startswith(f"{live_server}{SECOND_FACTOR_STEP}"))
    if page.url.startswith(f"{live_server}{SECOND_FACTOR_STEP}"):
        from sqlalchemy import select

        from intranet.accounts.models import User
        from intranet.extensions import db
        code = second_factor_code(db.session.scalar(select(User.id).where(User.email == email)))
        page.goto(f"{live_server}{SECOND_FACTOR_STEP}")
        page.get_by_label("Code à 6 chiffres").fill(code)
        page.get_by_role("button", name="Valider").click()
        page.wait_for_url(f"{live_server}/")
    return page


@pytest.fixture
def sign_in(page, live_server):
    """Signs ``user`` in through the login form, as a person would; lands on the dashboard."""
    def do_sign_in(user, password=factories.PASSWORD):
        return sign_in_as(page, live_server, user.email, password)
    return do_sign_in


@pytest.fixture(scope="session")
def axe():
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        missing_tool(MISSING_AXE)
    return Axe()


BLOCKING = {"serious", "critical"}


def describe(violations) -> str:
    lines = []
    for v in violations:
        rgaa = ", ".join(t for t in v["tags"] if t.startswith("RGAA-")) or "sans critère RGAA"
        lines.append(f"- {v['id']} ({v['impact']}, {rgaa}) : {v['help']}")
        for node in v["nodes"]:
            lines.append(f"    {node['target']}  {node['html'][:160]}")
    return "\n".join(lines)
