"""The demo works in Chromium under the Content-Security-Policy (intranet/core/security.py).

Each demo account (and an anonymous visitor) opens in Chromium every kind of page it reaches
(tests/demo_crawl.py walks the demo with the test client; the browser then opens one address of
each route met). A page fails on any console error — Chromium reports there what the policy
blocks — on any ``securitypolicyviolation`` event, and on any uncaught script error. The rich
text editor (static/js/editor.js) is then used for real, under the same policy.
"""
from __future__ import annotations

import re

import pytest

from intranet.core import security
from intranet.demo import DEMO_PASSWORD

from ..browser_fixtures import BLOCKING, describe, sign_in_as
from ..demo_crawl import ACCOUNTS, crawl, endpoint_of, load_demo

pytestmark = pytest.mark.browser

# Added by Playwright before any script of the page (outside the page's policy).
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(
  `${e.effectiveDirective} a bloqué ${e.blockedURI || "du code en ligne"}` +
  ` (${e.sourceFile || location.pathname}:${e.lineNumber})`));
"""


class Watch:
    """Console errors, script errors and policy violations of one browser page."""

    def __init__(self, context):
        context.add_init_script(WATCH_VIOLATIONS)
        self.page = context.new_page()
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"erreur de script : {error}"))

    def _console(self, message):
        if message.type == "error":
            self.problems.append(f"console : {message.text}")

    def collect(self, where: str) -> list[str]:
        found = self.page.evaluate("window.__violations || []")
        found = [f"{where} — CSP : {v}" for v in found] + [f"{where} — {p}" for p in self.problems]
        self.problems.clear()
        return found


def sign_in(page, live_server, email):
    sign_in_as(page, live_server, email, DEMO_PASSWORD)


@pytest.fixture
def watch(browser):
    context = browser.new_context(locale="fr-FR")
    context.set_default_timeout(10_000)
    try:
        yield Watch(context)
    finally:
        context.close()


def test_every_demo_page_runs_under_the_policy_and_passes_axe(app, runner, live_server, browser,
                                                             axe):
    """Each account, in a browser of its own, opens its home page and the routes of its walk
    that no account before it opened: every route the demo reaches is opened once, by the
    first account that reaches it (one page per route is what costs: about 0.1 s each, and
    0.3 s more for axe). Each page must also pass axe-core without a serious or critical
    violation (tests/browser/test_accessibility.py checks the main pages with more data, the
    focus ring and forms in error)."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("la politique de sécurité ne dépend pas de la base : vérifiée une fois, "
                    "sur SQLite (le parcours prend plusieurs minutes)")
    load_demo(runner)
    opened, problems, inaccessible = set(), [], []
    for who in ACCOUNTS:
        urls = ["/"] + [visit.url for visit in crawl(app, who, per_endpoint=1)
                        if visit.endpoint not in opened and visit.url != "/"]
        opened.update(endpoint_of(app, url) for url in urls)
        context = browser.new_context(locale="fr-FR")
        context.set_default_timeout(10_000)
        try:
            watch = Watch(context)
            if who is not None:
                sign_in(watch.page, live_server, who)
            problems += watch.collect(f"{who or 'anonyme'} /connexion")
            for url in urls:
                response = watch.page.goto(live_server + url, wait_until="load")
                assert response.status == 200, f"{who}: {url} → {response.status}"
                assert response.headers["content-security-policy"] == \
                    security.CONTENT_SECURITY_POLICY, url
                problems += watch.collect(f"{who or 'anonyme'} {url}")
                blocking = [v for v in axe.run(watch.page).response["violations"]
                            if v["impact"] in BLOCKING]
                if blocking:
                    inaccessible.append(f"axe sur {url} ({who or 'anonyme'}) :\n"
                                        f"{describe(blocking)}")
        finally:
            context.close()
    assert len(opened) > 60, sorted(opened)
    assert not problems, "\n".join(problems)
    assert not inaccessible, "\n".join(inaccessible)


def test_the_policy_is_enforced_and_its_violations_are_seen(live_server, watch):
    """The control of the test above: an inline script is blocked, and that is reported."""
    page = watch.page
    page.goto(f"{live_server}/connexion")
    page.evaluate("""() => {
      const script = document.createElement("script");
      script.textContent = "window.inlineRan = true;";
      document.body.append(script);
      document.body.insertAdjacentHTML("beforeend", '<p style="color: red">style en ligne</p>');
    }""")
    page.wait_for_function("window.__violations.length >= 2")
    assert page.evaluate("window.inlineRan") is None
    found = "\n".join(watch.collect("/connexion"))
    assert "script-src" in found and "style-src" in found, found


def test_rich_text_editor_works_under_the_policy(runner, live_server, watch):
    load_demo(runner)
    page = watch.page
    sign_in(page, live_server, "redacteur@cd47.fr")
    page.goto(f"{live_server}/espaces/espace-ouvert/pages/nouvelle")
    toolbar = page.get_by_role("toolbar", name="Mise en forme")
    area = page.get_by_role("textbox", name="Texte de la page")
    assert toolbar.is_visible() and area.is_visible(), "l'éditeur ne s'est pas chargé"
    assert page.locator("textarea[data-editor='rich']").is_hidden()

    page.get_by_label("Titre").fill("Ouverture de la médiathèque")
    area.click()
    page.keyboard.type("Horaires élargis")
    page.keyboard.press("Control+A")
    toolbar.get_by_role("button", name="Gras").click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    toolbar.get_by_role("button", name="Liste", exact=True).click()
    page.keyboard.type("le samedi")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(re.compile(r"/pages/\d+$"))

    body = page.locator("main .rich").inner_html()
    assert re.search(r"<(b|strong)>Horaires élargis</\1>", body), body    # Chromium writes <b>
    assert re.search(r"<li>(<b>)?le samedi", body), body
    problems = watch.collect("nouvelle page")

    # Editing a page written as plain text: the editor starts from the server's HTML.
    from playwright.sync_api import expect  # installed with the browser tests' tools
    page.goto(f"{live_server}/espaces/espace-ouvert/pages")
    page.get_by_role("link", name="Bienvenue sur Territoires").click()
    page.get_by_role("link", name="Modifier").first.click()
    expect(page.get_by_role("textbox", name="Texte de la page").locator("h2")).to_have_count(1)
    problems += watch.collect("modification d'une page")
    assert not problems, "\n".join(problems)
