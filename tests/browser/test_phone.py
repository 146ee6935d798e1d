"""On a phone (375 × 740 CSS pixels), no page of the demo scrolls sideways.

Each demo account (and an anonymous visitor) walks the demo with the test client
(tests/demo_crawl.py); Chromium then opens, in one browser context per account, every HTML page
of that walk at the phone's width (but those an account before it saw with the same content
below the header), and measures the page: ``scrollWidth`` of the document must
not exceed the window's width, and no box of the page may scroll sideways either (a table left
in its ``.table-scroll`` wrapper instead of becoming cards). A failure names the page and the
element that sticks out furthest (its CSS path and the start of its HTML), which is where the fix
goes: usually a table without ``data-label`` on its cells or a long word with no place to break
(static/css/site.css, "Phone"; docs/architecture.md §17, "Phone layout").

Also checked on a phone: the dashboard's order (« Mes organisations » before the activity
stream, on screen and in the DOM, so keyboard and screen reader meet them in that order), and
the header's « Menu », which folds the main links and opens without JavaScript.
"""
from __future__ import annotations

import hashlib
import re
import time

import pytest

from intranet.core.types import Visibility
from intranet.demo import DEMO_PASSWORD

from .. import factories
from ..browser_fixtures import sign_in_as
from ..demo_crawl import ACCOUNTS, crawl, load_demo

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}

# Null when the page fits and no box of it scrolls sideways; otherwise the page's width and the
# element that reaches furthest right (the innermost one, among those not clipped by a scrolling
# box of their own), or the box that scrolls.
MEASURE = """() => {
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    [...el.classList].map((c) => "." + c).join("");
  const where = (el) => {
    const path = [];
    for (let node = el; node && node !== document.body && path.length < 5;
         node = node.parentElement) path.unshift(name(node));
    return path.join(" > ");
  };
  const width = window.innerWidth, total = document.documentElement.scrollWidth;
  if (total <= width) {
    // The page fits; a box of it that scrolls sideways (a table in .table-scroll) is a table
    // that did not become cards. Rich text (.rich), written by people, may scroll in its box.
    for (const el of document.body.querySelectorAll("*")) {
      if (el.closest(".rich") || el.scrollWidth <= el.clientWidth + 1) continue;
      if (!["auto", "scroll"].includes(getComputedStyle(el).overflowX)) continue;
      return {total, width, selector: where(el) + " (défile de côté dans la page)",
              right: el.scrollWidth, html: el.outerHTML.slice(0, 140).replace(/\s+/g, " ")};
    }
    return null;
  }
  // Clipped by a scrolling box between it and its containing block chain (an absolutely
  // positioned element escapes the boxes below its positioned ancestor).
  const clipped = (el) => {
    let escapes = getComputedStyle(el).position === "absolute";
    for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (escapes && style.position === "static") continue;
      if (style.overflowX !== "visible") return true;
      escapes = style.position === "absolute";
    }
    return false;
  };
  let worst = null, right = width + 0.5;
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    const further = box.right > right + 0.5;
    const inner = worst && worst.contains(el) && box.right >= right - 0.5;
    if ((further || inner) && !clipped(el)) { worst = el; right = Math.max(right, box.right); }
  }
  return {total, width, selector: worst ? where(worst) : "(inconnu)", right: Math.round(right),
          html: worst ? worst.outerHTML.slice(0, 140).replace(/\\s+/g, " ") : ""};
}"""


def _first_time(measured: set, url: str, html: str) -> bool:
    """Whether no account before this one met this page as it is below the header: the same
    address showing the same content to two accounts is laid out the same (each account's
    header, its name and its links, is measured on the pages it alone sees, its dashboard
    first). About half of the walks' 1,500 pages are such repeats."""
    below = re.sub(r'name="csrf_token"[^>]*', "", html.partition("</header>")[2])
    key = (url, hashlib.sha1(below.encode()).digest())
    if key in measured:
        return False
    measured.add(key)
    return True


def sign_in_demo(page, live_server, email):
    sign_in_as(page, live_server, email, DEMO_PASSWORD)


def test_no_demo_page_scrolls_sideways_on_a_phone(app, runner, live_server, browser):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("la mise en page ne dépend pas de la base : vérifiée une fois, sur SQLite "
                    "(le parcours prend deux à quatre minutes)")
    load_demo(runner)
    started, opened, wide, measured = time.monotonic(), 0, {}, set()
    for who in ACCOUNTS:
        urls = [visit.url for visit in crawl(app, who) if visit.status == 200
                and _first_time(measured, visit.url, visit.html)]
        # Not ``is_mobile``: a mobile viewport zooms out to fit a page that is too wide, and
        # the overflow would no longer show in ``innerWidth``.
        context = browser.new_context(locale="fr-FR", viewport=PHONE)
        context.set_default_timeout(10_000)
        try:
            page = context.new_page()
            if who is not None:
                sign_in_demo(page, live_server, who)
            for url in urls:
                response = page.goto(live_server + url, wait_until="load")
                assert response.status == 200, f"{who}: {url} → {response.status}"
                opened += 1
                found = page.evaluate(MEASURE)
                if found:
                    key = (url, found["selector"])
                    wide.setdefault(key, {"found": found, "who": []})["who"].append(
                        who or "anonyme")
        finally:
            context.close()
    elapsed = time.monotonic() - started
    print(f"{opened} pages ouvertes à 375 px en {elapsed:.0f} s")
    assert opened > 500, f"only {opened} pages opened"
    report = [f"{url} : {f['total']} px pour {f['width']} ; le plus large : {selector} "
              f"(jusqu'à {f['right']} px) {f['html']}\n    vu par : {', '.join(entry['who'])}"
              for (url, selector), entry in wide.items() for f in [entry["found"]]]
    assert not report, (f"{len(report)} pages défilent de côté à 375 px ({opened} ouvertes en "
                        f"{elapsed:.0f} s) :\n" + "\n".join(report[:40]))


def test_dashboard_puts_my_organisations_before_the_activity_on_a_phone(page, live_server,
                                                                       sign_in):
    org = factories.make_org("Commune de Villeneuve-sur-Lot")
    member = factories.make_user(org, first_name="Dominique")
    for n in range(6):
        factories.activity(factories.org_space(org), f"Note de service numéro {n}")
    factories.activity(factories.make_group(member, name="Voirie", visibility=Visibility.NETWORK),
                       "Compte rendu de la réunion de mars")
    page.set_viewport_size(PHONE)
    sign_in(member)

    mine = page.get_by_role("heading", name="Mes organisations", exact=True)
    news = page.get_by_role("heading", name="Quoi de neuf dans mes espaces")
    assert mine.bounding_box()["y"] < news.bounding_box()["y"], "« Mes organisations » est après"
    # Node.DOCUMENT_POSITION_FOLLOWING (4): the activity heading follows in the DOM.
    assert mine.evaluate("(el, other) => el.compareDocumentPosition(other) & 4",
                         news.element_handle()), "« Mes organisations » est après dans le DOM"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_header_links_fold_into_a_menu_on_a_phone_without_javascript(browser, live_server):
    member = factories.make_user(factories.make_org("Commune de Nérac"))
    for size, folded in ((PHONE, True), ({"width": 1280, "height": 800}, False)):
        context = browser.new_context(locale="fr-FR", viewport=size, java_script_enabled=False)
        try:
            page = context.new_page()
            page.goto(f"{live_server}/connexion")
            page.get_by_label("Adresse électronique").fill(member.email)
            page.get_by_label("Mot de passe", exact=True).fill(factories.PASSWORD)
            page.get_by_role("main").get_by_role("button", name="Se connecter").click()
            page.wait_for_url(f"{live_server}/")
            main_nav = page.get_by_role("navigation", name="Navigation principale")
            menu = page.locator(".site-menu > summary")
            if folded:
                assert menu.is_visible() and main_nav.is_hidden(), "à 375 px : pas de « Menu »"
                menu.click()
                assert main_nav.get_by_role("link", name="Délibérations").is_visible()
                assert page.get_by_role("navigation", name="Mes organisations et mes groupes") \
                    .is_visible()
            else:
                assert menu.is_hidden(), "« Menu » sur grand écran"
                assert main_nav.get_by_role("link", name="Délibérations").is_visible()
            assert page.get_by_role("button", name="Se déconnecter").is_visible()
        finally:
            context.close()
