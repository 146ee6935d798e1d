"""An aid has one or more themes and is found under each; an empty list says how to widen it."""
import html
import re

import pytest
from sqlalchemy import select

from intranet.accounts.models import OrgKind
from intranet.core.types import Role
from intranet.extensions import db
from intranet.publications.aids import services
from intranet.publications.aids.models import Aid

from ... import factories
from ...helpers import text
from . import aid_data, make_aid

ROADS = "Aide aux travaux de voirie communale"


@pytest.fixture
def council():
    org = factories.make_org("Département de Lot-et-Garonne", kind=OrgKind.DEPARTEMENT)
    return org, factories.make_user(org, Role.EDITOR)


def _listed(client, query: str) -> tuple[list[str], str]:
    """The titles of the cards of the aids list (in order, repeats kept) and the count line."""
    page = text(client.get(f"/aides/?{query}"))
    titles = re.findall(r'<h2><a href="/aides/\d+">(.*?)</a></h2>', page)
    status = re.search(r'<p role="status">(.*?)</p>', page).group(1)
    return titles, status


def test_an_aid_with_two_themes_is_found_once_under_each(client, council):
    org, editor = council
    make_aid(org, editor, ROADS, themes=["mobilite", "amenagement"],
             beneficiaries=["communes", "epci"])
    make_aid(org, editor, "Aide aux équipements sportifs", themes=["sport"])
    for theme in ("mobilite", "amenagement"):
        titles, status = _listed(client, f"theme={theme}")
        assert titles == [ROADS] and status == "1 aide trouvée."
    # Two beneficiaries and two themes: still one row, and one in the count.
    titles, status = _listed(client, "beneficiaire=communes")
    assert titles.count(ROADS) == 1 and status == "2 aides trouvées."
    assert services.count(None, services.AidFilters(theme="mobilite")) == 1
    assert _listed(client, "theme=sport")[0] == ["Aide aux équipements sportifs"]


def test_the_show_page_and_the_card_list_every_theme(client, council):
    org, editor = council
    aid = make_aid(org, editor, ROADS, themes=["amenagement", "mobilite"])
    assert "Aménagement et urbanisme, Mobilité et voirie" in text(client.get(f"/aides/{aid.id}"))
    assert "Thématiques : Aménagement et urbanisme, Mobilité et voirie" in \
        text(client.get("/aides/"))


def test_the_search_document_holds_every_theme_label(council):
    org, editor = council
    aid = make_aid(org, editor, ROADS, themes=["mobilite", "amenagement"])
    body = aid.search_document().body
    assert "Mobilité et voirie" in body and "Aménagement et urbanisme" in body


def test_at_least_one_theme_is_required(client, login, council):
    org, editor = council
    with pytest.raises(services.AidError, match="au moins une thématique"):
        services.create_aid(org, aid_data(themes=[]), by=editor)
    login(editor)
    response = client.post("/aides/nouvelle", data={
        "organisation": str(org.id), "title": "Sans thème", "description": "Texte.",
        "description_format": "text", "beneficiaries": ["communes"],
        "aid_types": ["financement"], "closes_on": "2099-01-01", "visibility": "public"})
    page = text(response)
    assert response.status_code == 200
    assert re.search(r'id="themes-erreur">Choisissez au moins une thématique', page)
    assert db.session.scalar(select(Aid)) is None


def test_an_empty_result_offers_to_remove_each_active_filter(client, council):
    org, editor = council
    make_aid(org, editor, ROADS, themes=["mobilite"], beneficiaries=["communes"])
    make_aid(org, editor, "Aide aux clubs", themes=["sport"], beneficiaries=["associations"])
    page = text(client.get("/aides/?theme=mobilite&beneficiaire=associations&etat=ouvertes"))
    assert "Aucune aide ne correspond à ces critères." in page
    assert ("Filtres actifs : Bénéficiaire : Associations ; Thématique : Mobilité et voirie ; "
            "État : Ouvertes.") in page
    links = {label: (html.unescape(url), count) for url, label, count in re.findall(
        r'<li><a href="([^"]+)">Retirer le filtre « (.*?) »</a> \((\d+) aides?\)</li>', page)}
    assert links == {
        "Bénéficiaire : Associations": ("/aides/?theme=mobilite&etat=ouvertes", "1"),
        "Thématique : Mobilité et voirie": ("/aides/?beneficiaire=associations&etat=ouvertes",
                                            "1"),
        "État : Ouvertes": ("/aides/?beneficiaire=associations&theme=mobilite", "0"),
    }
    assert '<a href="/aides/">Voir toutes les aides</a>' in page
    # Following a suggestion finds the aid.
    assert _listed(client, "theme=mobilite&etat=ouvertes")[0] == [ROADS]


def test_a_list_with_results_suggests_nothing(client, council):
    org, editor = council
    make_aid(org, editor, ROADS, themes=["mobilite"])
    page = text(client.get("/aides/?theme=mobilite"))
    assert "Retirer le filtre" not in page and "Voir toutes les aides" not in page
