"""axe-core on the main pages, anonymous, signed in and as a platform admin.

A page fails on any violation of impact "serious" or "critical"; the message lists each
violation with its RGAA criterion (axe tags rules "RGAA-x.y.z" where it maps them) and the
offending elements. Every page must also have one h1, ``<html lang="fr">`` and a first
focusable link that skips to ``#contenu``.

axe does not judge focus indicators, so the keyboard walk through the header is checked here
too: each focused element's outline must keep a 3:1 contrast with what surrounds it (RGAA 10.7,
WCAG 1.4.11).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from intranet.agenda import services as agenda
from intranet.jobs import services as jobs
from intranet.spaces import services as spaces
from intranet.spaces.models import JoinPolicy
from intranet.core.types import Role, Visibility

from .. import factories
from ..browser_fixtures import BLOCKING, describe

pytestmark = pytest.mark.browser


# (test id, who is signed in, path; "{group}" is the working group's slug)
PAGES = [
    ("accueil", None, "/"),
    ("connexion", None, "/connexion"),
    ("mot-de-passe-oublie", None, "/mot-de-passe-oublie"),
    ("accessibilite", None, "/accessibilite"),
    ("organisations", None, "/organisations"),
    ("tableau-de-bord", "member", "/"),
    ("espaces", "member", "/espaces"),
    ("groupe", "member", "/espaces/{group}"),
    ("profil", "member", "/profil"),
    ("admin", "admin", "/admin/"),
    ("journal", "admin", "/admin/journal"),
    ("agenda", "member", "/agenda/"),
    ("agenda-semaine", "member", "/agenda/?vue=semaine"),
    ("evenement", "member", "/agenda/evenements/{event}"),
    ("evenement-nouveau", "member", "/agenda/nouveau"),
    ("emplois", None, "/emplois/"),
    ("offre", None, "/emplois/{offer}"),
    ("offre-nouvelle", "editor", "/emplois/nouvelle"),
    ("candidater", None, "/emplois/{offer}/candidater"),
]


@pytest.fixture
def world():
    """Enough data for each page to show its lists rather than its empty states."""
    org = factories.make_org("Commune de Villeneuve-sur-Lot")
    factories.make_org("Département de Lot-et-Garonne")
    member = factories.make_user(org, first_name="Dominique")
    admin = factories.make_user(org, platform_admin=True, first_name="Alix")
    group = factories.make_group(member, name="Groupe de travail voirie",
                                 visibility=Visibility.NETWORK, join_policy=JoinPolicy.OPEN)
    factories.activity(group, "Compte rendu de la réunion de mars")
    factories.activity(factories.org_space(org), "Note de service interne")
    factories.activity(spaces.ensure_open_space(), "Ouverture de la saison culturelle",
                       visibility=Visibility.PUBLIC)
    editor = factories.make_user(org, Role.EDITOR, first_name="Camille")
    starts = datetime.combine(date.today(), time(10))
    event = agenda.create_event(agenda.EventData(
        title="Commission voirie", starts_on=starts, ends_on=starts + timedelta(hours=1),
        location="Mairie"), by=member)
    offer = jobs.create_offer(org, jobs.OfferData(
        title="Secrétaire de mairie", service="Accueil", missions="Accueillir le public.",
        profile="Rigueur.", filiere="administrative", cadre="Adjoints administratifs territoriaux",
        grades=["adjoint administratif"], origin="vacancy", employment="permanent", place=org,
        vacancy_date=date.today() + timedelta(days=60), how_to_apply="En ligne.",
        closes_on=jobs.month_after(date.today()) + timedelta(days=5)), by=editor)
    jobs.publish(offer, by=editor)
    return {"member": member, "admin": admin, "group": group, "editor": editor,
            "event": event, "offer": offer}


@pytest.mark.parametrize("who, path", [p[1:] for p in PAGES], ids=[p[0] for p in PAGES])
def test_page_has_no_serious_accessibility_violation(page, live_server, sign_in, axe, world,
                                                     who, path):
    if who is not None:
        sign_in(world[who])
    response = page.goto(live_server + path.format(group=world["group"].slug,
                                                   event=world["event"].id,
                                                   offer=world["offer"].id))
    assert response.status == 200, f"{path} : HTTP {response.status}"

    results = axe.run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    assert not blocking, f"axe sur {path} :\n{describe(blocking)}"

    assert page.locator("h1").count() == 1, f"{path} : il faut exactement un h1"
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("#contenu").count() == 1, f"{path} : pas de cible #contenu"
    page.keyboard.press("Tab")
    first = page.evaluate("document.activeElement.getAttribute('href')")
    assert first == "#contenu", f"{path} : le premier lien n'est pas l'évitement vers #contenu"


def test_login_form_with_errors_stays_accessible(page, live_server, axe):
    page.goto(f"{live_server}/connexion")
    page.get_by_role("main").get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Le formulaire contient 2 erreurs").wait_for()

    blocking = [v for v in axe.run(page).response["violations"] if v["impact"] in BLOCKING]
    assert not blocking, f"axe sur /connexion (erreurs) :\n{describe(blocking)}"
    assert page.get_by_label("Adresse électronique").get_attribute("aria-invalid") == "true"


# Colour of the focused element's outline, and of the first opaque background behind it.
FOCUS_RING = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  let node = el.parentElement, background = "rgb(255, 255, 255)";
  while (node) {
    const bg = getComputedStyle(node).backgroundColor;
    if (bg !== "transparent" && !bg.startsWith("rgba(0, 0, 0, 0)")) { background = bg; break; }
    node = node.parentElement;
  }
  return {html: el.outerHTML.slice(0, 120), inMain: !!el.closest("main"),
          style: style.outlineStyle, width: parseFloat(style.outlineWidth),
          color: style.outlineColor, background};
}"""


def _luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_focus_ring_stands_out_in_the_header(page, live_server, sign_in, world):
    sign_in(world["admin"])
    page.goto(f"{live_server}/admin/")
    weak = []
    for _ in range(20):
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS_RING)
        if ring["inMain"]:
            break
        if ring["style"] == "none" or ring["width"] < 2 \
                or contrast(ring["color"], ring["background"]) < 3:
            weak.append(f"{ring['html']} : contour {ring['style']} {ring['width']}px "
                        f"{ring['color']} sur {ring['background']}")
    assert not weak, "focus peu visible (RGAA 10.7) :\n" + "\n".join(weak)
