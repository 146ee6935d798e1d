"""Limiting a search — to a space, a forum, a list, an organisation, an author, a range of
days — on each backend: the filters are described once (``SearchRequest.matches``) and both
engines agree with it for every kind of person; a place one may not see answers exactly as an
unknown one."""
from __future__ import annotations

from datetime import datetime

import pytest

from intranet import access
from intranet.core.types import Role, Visibility
from intranet.documents import services as documents
from intranet.forums import services as forums
from intranet.search import services as search
from intranet.search.backends import SearchRequest
from intranet.search.documents import SearchDocument
from intranet.spaces import services as spaces
from intranet.spaces.models import JoinPolicy

from .. import factories
from ..forums.helpers import org_with_forum
from ..helpers import text, visible_text
from ..lists.builders import make_list

WORD = "lanterne"


def _page(space, author, title, body):
    page = documents.create_page(space, title=title, body=body, body_format="text", by=author)
    documents.publish_page(page, by=author)
    return page


# --- the description and its two translations ------------------------------------------------


def test_the_filters_description_and_both_engines_agree(search_backend):
    home = factories.make_org("Commune de Sos")
    member = factories.make_user(home, Role.MEMBER)
    writer = factories.make_user(home, Role.EDITOR)
    group = factories.make_group(writer, name="Groupe voirie", visibility=Visibility.MEMBERS,
                                 join_policy=JoinPolicy.CLOSED)
    open_space = spaces.ensure_open_space()
    private = factories.org_space(home)
    documents_ = []
    n = 0
    for space in (open_space, private, group):
        for container in ("", "forum:1", "forum:2", "list:1"):
            for author in (None, member.id, writer.id):
                for month in (1, 3, 6):
                    n += 1
                    documents_.append(SearchDocument(
                        key=f"page:{n}", type="forum_post" if container else "page",
                        title=f"{WORD} {n}", body=WORD, url=f"/p/{n}",
                        date=datetime(2026, month, 15, 10), space_id=space.id,
                        container=container, author_id=author,
                        organisation_id=home.id if space is private else None))
    documents_.append(SearchDocument(key="message:1", type="message", title=f"{WORD} privé",
                                     body=WORD, url="/m/1", date=datetime(2026, 3, 1),
                                     readers=[member.id], author_id=writer.id))
    search.backend().write(documents_, [])
    search.backend().refresh()
    requests = [
        SearchRequest(text=WORD, space_id=private.id),
        SearchRequest(text=WORD, space_id=group.id),
        SearchRequest(text=WORD, container="forum:1"),
        SearchRequest(text=WORD, container="list:1", space_id=open_space.id),
        SearchRequest(text=WORD, author_id=writer.id),
        SearchRequest(text=WORD, author_id=member.id, container="forum:2"),
        SearchRequest(text=WORD, date_from=datetime(2026, 3, 1)),
        SearchRequest(text=WORD, date_to=datetime(2026, 3, 15, 10)),
        SearchRequest(text=WORD, date_from=datetime(2026, 2, 1), date_to=datetime(2026, 4, 1)),
        SearchRequest(text=WORD, organisation_id=home.id, author_id=writer.id,
                      date_from=datetime(2026, 6, 1)),
        SearchRequest(text=WORD, space_id=999_999),
        SearchRequest(text=WORD, container="forum:999"),
    ]
    outsider = factories.make_user(factories.make_org("Mézin"), Role.MEMBER)
    for who, person in {"anonymous": None, "member": member, "writer": writer,
                        "outsider": outsider}.items():
        scope = access.read_scope(person)
        for request in requests:
            request.per_page = 500
            described = {d.key for d in documents_
                         if scope.admits(d.space_id, d.narrow, d.readers) and request.matches(d)}
            found = search.query(person, request)
            assert {hit.key for hit in found.hits} == described, (search_backend, who, request)
            assert found.total == len(described)
            assert sum(found.types.values()) == len(described)
    # not trivial: the writer sees the group's documents, the outsider none of them
    scoped = SearchRequest(text=WORD, space_id=group.id, per_page=500)
    assert search.query(writer, scoped).total == 36
    assert search.query(outsider, scoped).total == 0


# --- the results page -------------------------------------------------------------------------


@pytest.fixture
def two_spaces(search_backend):
    org = factories.make_org("Agen")
    editor = factories.make_user(org, Role.EDITOR)
    roads = factories.make_group(editor, name="Voirie", visibility=Visibility.PUBLIC,
                                 join_policy=JoinPolicy.OPEN)
    schools = factories.make_group(editor, name="Écoles", visibility=Visibility.PUBLIC,
                                   join_policy=JoinPolicy.OPEN)
    _page(roads, editor, "Réfection du giratoire", "Le giratoire de la gare sera refait.")
    _page(schools, editor, "Giratoire devant l'école", "Un giratoire pour la sécurité.")
    search.drain()
    return org, editor, roads, schools


def test_a_search_limited_to_a_space_finds_nothing_from_other_spaces(client, two_spaces):
    org, editor, roads, schools = two_spaces
    space_page = client.get(f"/espaces/{roads.slug}")
    assert "Rechercher dans cet espace" in visible_text(space_page)
    assert f'name="espace" value="{roads.slug}"' in space_page.get_data(as_text=True)
    everywhere = visible_text(client.get("/recherche?q=giratoire"))
    assert "2 résultats" in everywhere
    scoped = client.get(f"/recherche?q=giratoire&espace={roads.slug}")
    body = visible_text(scoped)
    assert "Dans l'espace « Voirie »" in body and "1 résultat" in body
    assert "Réfection du giratoire" in body and "devant l'école" not in body
    removal = scoped.get_data(as_text=True)
    assert "retirer ce filtre" in body and f"espace={roads.slug}" in removal


def test_a_place_one_may_not_see_answers_as_an_unknown_one(client, login, search_backend):
    org = factories.make_org("Nérac")
    member = factories.make_user(org, Role.EDITOR)
    private = factories.org_space(org)
    _page(private, member, "Contentieux du lotissement", "Dossier xylophone du lotissement.")
    topic_org, topic_space, forum, forum_member = org_with_forum("Lavardac")
    forums.create_topic(forum, title="Xylophone de la fête", body="Le xylophone est réservé.",
                        body_format="text", by=forum_member)
    search.drain()
    outsider = factories.make_user(factories.make_org("Mézin"), Role.ADMIN)
    login(outsider)
    client.get("/")   # the welcome message, shown once
    for name, hidden in (("espace", private.slug), ("forum", forum.id)):
        seen = client.get(f"/recherche?q=xylophone&{name}={hidden}")
        unknown = client.get(f"/recherche?q=xylophone&{name}=987654")
        assert seen.status_code == unknown.status_code == 200
        assert visible_text(seen) == visible_text(unknown)
        assert "0 résultat" in visible_text(seen) and "Nérac" not in visible_text(seen)
        assert "Vie de la mairie" not in visible_text(seen)
    # its members find it there
    client.post("/deconnexion")
    login(member)
    assert "1 résultat" in visible_text(client.get(f"/recherche?q=xylophone&espace={private.slug}"))


def test_a_forum_and_a_list_have_their_own_search_box(client, login, search_backend):
    org, space, forum, member = org_with_forum("Astaffort")
    other = forums.create_forum(space, name="Fêtes et cérémonies", by=member)
    forums.create_topic(forum, title="Horaires de la mairie", body="Permanence du samedi.",
                        body_format="text", by=member)
    forums.create_topic(other, title="Samedi des associations", body="Fête le samedi.",
                        body_format="text", by=member)
    mlist = make_list(space, member, title="Élus d'Astaffort")
    search.drain()
    login(member)
    forum_page = client.get(f"/espaces/{space.slug}/forums/{forum.id}")
    assert "Rechercher dans ce forum" in visible_text(forum_page)
    assert f'name="forum" value="{forum.id}"' in forum_page.get_data(as_text=True)
    assert "2 résultats" in visible_text(client.get("/recherche?q=samedi"))
    scoped = visible_text(client.get(f"/recherche?q=samedi&forum={forum.id}"))
    assert "1 résultat" in scoped and "Horaires de la mairie" in scoped
    assert "Dans le forum « Vie de la mairie »" in scoped
    list_page = client.get(f"/espaces/{space.slug}/listes/{mlist.name}")
    assert "Rechercher dans cette liste" in visible_text(list_page)
    assert "0 résultat" in visible_text(client.get(f"/recherche?q=samedi&liste={mlist.name}"))
    assert "Dans la liste « Élus d'Astaffort »" in text(
        client.get(f"/recherche?q=samedi&liste={mlist.name}"))


def test_author_and_range_of_days(client, login, search_backend):
    org = factories.make_org("Layrac")
    anne = factories.make_user(org, Role.EDITOR, first_name="Anne", last_name="Dupuy")
    paul = factories.make_user(org, Role.EDITOR, first_name="Paul", last_name="Dupuy")
    space = factories.make_group(anne, name="Patrimoine", visibility=Visibility.PUBLIC,
                                 join_policy=JoinPolicy.OPEN)
    spaces.add_member(space, paul, role=Role.EDITOR, by=anne)
    old = _page(space, anne, "Lavoir communal", "Le lavoir sera restauré.")
    _page(space, paul, "Lavoir du moulin", "Visite du lavoir.")
    old.updated_at = datetime(2025, 5, 10, 12)
    from intranet.extensions import db
    db.session.commit()
    search.index(old)
    db.session.commit()
    search.drain()
    login(paul)
    by_anne = visible_text(client.get("/recherche?q=lavoir&auteur=anne+dupuy"))
    assert "1 résultat" in by_anne and "Écrit par Anne Dupuy" in by_anne
    assert "Lavoir communal" in by_anne
    several = visible_text(client.get("/recherche?q=lavoir&auteur=dupuy"))
    assert "Plusieurs personnes correspondent" in several and "Paul Dupuy" in several
    nobody = visible_text(client.get("/recherche?q=lavoir&auteur=zebulon"))
    assert "Aucune personne de l'annuaire" in nobody and "2 résultats" in nobody
    one_day = client.get("/recherche?q=lavoir&du=2025-05-10&au=2025-05-10")
    assert "1 résultat" in visible_text(one_day)
    assert "Lavoir du moulin" in visible_text(client.get("/recherche?q=lavoir&du=2026-01-01"))
    assert "0 résultat" in visible_text(client.get("/recherche?q=lavoir&au=2025-05-09"))
    swapped = visible_text(client.get("/recherche?q=lavoir&du=2025-05-31&au=2025-05-01"))
    assert "les dates ont été inversées" in swapped and "1 résultat" in swapped
    for odd_day in ("31/02/2025", "9999-12-31", "0001-01-01", "2025-02-30"):
        odd = client.get(f"/recherche?q=lavoir&du={odd_day}&au={odd_day}")
        assert odd.status_code == 200 and "Une date n'a pas été comprise" in visible_text(odd)
    client.post("/deconnexion")
    anonymous = visible_text(client.get("/recherche?q=lavoir&auteur=dupuy"))
    assert "réservé aux personnes connectées" in anonymous and "2 résultats" in anonymous
