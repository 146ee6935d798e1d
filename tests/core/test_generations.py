"""A process keeps each person's reach (their spaces and roles) across requests while the
« access » generation's token stays the same (``core/generations.py``, ``access.reach``): a
change to a membership, a space or a rule must be seen at the very next page, whoever made it
and however it was written."""
from __future__ import annotations

import re

from sqlalchemy import delete, select, update

from intranet import access
from intranet.accounts.models import Membership, User
from intranet.accounts.sessions import UserSession
from intranet.core import generations
from intranet.core.generations import Generation
from intranet.core.types import Role
from intranet.extensions import db
from intranet.spaces import services as spaces
from intranet.spaces.models import MemberStatus, SpaceMember

from .. import factories
from ..helpers import count_queries, text


def _token() -> str | None:
    db.session.expire_all()
    return db.session.scalar(select(Generation.token).where(Generation.name == generations.ACCESS))


def _my_menu(page: str) -> str:
    found = re.search(r'<nav aria-label="Mes organisations et mes groupes".*?</nav>', page, re.S)
    return found.group(0) if found else ""


def test_being_added_to_a_group_and_removed_shows_at_the_next_page(new_client):
    agme = factories.make_org("Agmé")
    chair = factories.make_user(agme, Role.ADMIN, first_name="Claire")
    paul = factories.make_user(agme, Role.MEMBER, first_name="Paul")
    group = factories.make_group(chair, name="Voirie intercommunale")
    as_chair, as_paul = new_client(chair), new_client(paul)
    for _ in range(2):   # the second page reuses the reach the first one computed
        assert "Voirie intercommunale" not in _my_menu(text(as_paul.get("/")))
        assert as_paul.get(f"/espaces/{group.slug}").status_code == 404

    added = as_chair.post(f"/espaces/{group.slug}/membres/ajouter",
                          data={"email": paul.email, "role": Role.MEMBER.value})
    assert added.status_code == 302
    assert "Voirie intercommunale" in _my_menu(text(as_paul.get("/")))
    assert as_paul.get(f"/espaces/{group.slug}").status_code == 200

    removed = as_chair.post(f"/espaces/{group.slug}/membres/{paul.id}/retirer")
    assert removed.status_code == 302
    assert "Voirie intercommunale" not in _my_menu(text(as_paul.get("/")))
    assert as_paul.get(f"/espaces/{group.slug}").status_code == 404


def test_a_reach_is_reused_until_something_it_read_changes(client, login):
    agme = factories.make_org("Agmé")
    chair = factories.make_user(agme, Role.ADMIN)
    group = factories.make_group(chair, name="Voirie")
    login(chair)
    first = count_queries(client, "/espaces/")
    again = count_queries(client, "/espaces/", reach_kept=True)
    assert again == first - 1   # the statement of the person's spaces
    factories.make_user(agme)   # someone else's membership
    assert count_queries(client, "/espaces/", reach_kept=True) == first
    assert count_queries(client, "/espaces/", reach_kept=True) == first - 1
    group.description = "Ce que l'en-tête ne montre pas"
    db.session.commit()
    assert count_queries(client, "/espaces/", reach_kept=True) == first - 1


def test_which_writes_give_a_new_token():
    agme = factories.make_org("Agmé")
    chair = factories.make_user(agme, Role.ADMIN)
    group = factories.make_group(chair, name="Voirie")
    before = _token()
    assert before is not None

    agme.description = "Commune de l'Agenais"              # not read by reach
    db.session.commit()
    assert _token() == before
    group.name = "Voirie et réseaux"                        # shown in the menu
    db.session.commit()
    renamed = _token()
    assert renamed != before
    db.session.execute(update(SpaceMember).where(SpaceMember.space_id == group.id)
                       .values(status=MemberStatus.PENDING))   # a bulk statement
    db.session.commit()
    bulk = _token()
    assert bulk != renamed
    db.session.execute(delete(SpaceMember).where(SpaceMember.space_id == group.id))
    db.session.rollback()                                   # a change undone keeps the token
    assert _token() == bulk


def test_without_a_token_nothing_is_reused(client, login):
    """A database emptied by hand (no generation row) reads None: every page computes the
    person's reach afresh, and the next change makes the row again."""
    agme = factories.make_org("Agmé")
    chair = factories.make_user(agme, Role.ADMIN)
    login(chair)
    db.session.execute(delete(Generation))
    db.session.commit()
    first = count_queries(client, "/espaces/")
    assert count_queries(client, "/espaces/", reach_kept=True) == first
    factories.make_group(chair, name="Voirie")
    assert _token() is not None
    assert "Voirie" in _my_menu(text(client.get("/")))


def test_a_new_account_never_inherits_a_deleted_ones_reach(new_client):
    """On SQLite a new account may take the id of the last one deleted, whose memberships the
    database's cascade removed without the session seeing them: adding an account gives a new
    token, so the process's kept reach of the old id is not reused."""
    agme = factories.make_org("Agmé")
    chair = factories.make_user(agme, Role.ADMIN)
    group = factories.make_group(chair, name="Voirie intercommunale")
    paul = factories.make_user(factories.make_org("Boé"), Role.MEMBER, email="paul@boe.fr")
    spaces.add_member(group, paul, by=chair)
    db.session.commit()
    assert "Voirie intercommunale" in _my_menu(text(new_client(paul).get("/")))
    old_id, slug = paul.id, group.slug
    with db.engine.begin() as connection:   # behind the session's back, as a DBA would
        connection.execute(delete(SpaceMember.__table__).where(SpaceMember.user_id == old_id))
        connection.execute(delete(UserSession.__table__).where(UserSession.user_id == old_id))
        connection.execute(delete(Membership.__table__).where(Membership.user_id == old_id))
        connection.execute(delete(User.__table__).where(User.id == old_id))
    db.session.expunge_all()
    newcomer = factories.make_user(None, email="newcomer@layrac.fr")   # no membership yet
    page = text(new_client(newcomer).get("/"))
    assert "Voirie intercommunale" not in _my_menu(page)
    assert newcomer.id == old_id or db.engine.dialect.name != "sqlite"
    assert new_client(newcomer).get(f"/espaces/{slug}").status_code == 404


def test_the_kept_reaches_stay_bounded(new_client, monkeypatch):
    monkeypatch.setattr(access, "KEPT_REACHES_MAX", 2)
    access.forget_kept_reaches()
    _three_people_see_their_dashboard(new_client)
    assert 1 <= len(access._KEPT_REACHES) <= 2


def _three_people_see_their_dashboard(new_client) -> None:
    agme = factories.make_org("Agmé")
    for person in [factories.make_user(agme, Role.MEMBER) for _ in range(3)]:
        assert new_client(person).get("/").status_code == 200


def test_the_person_is_kept_until_they_or_their_memberships_change(client, login):
    """The user loader keeps the signed-in person with their memberships across requests
    (``accounts.sessions._person``, the « people » generation): one statement fewer per page,
    and any change to them is seen at the next page."""
    agme = factories.make_org("Agmé")
    claire = factories.make_user(agme, Role.ADMIN, first_name="Claire")
    login(claire)
    first = count_queries(client, "/espaces/")
    assert count_queries(client, "/espaces/", values_kept=True, reach_kept=True) <= first - 2

    claire.first_name = "Clarisse"   # the header shows the new name at once
    db.session.commit()
    page = text(client.get("/espaces/"))
    assert "Clarisse" in page and "Claire" not in page

    layrac = factories.make_org("Layrac")   # a new membership shows in « Mes organisations »
    factories.add_membership(claire, layrac, Role.MEMBER)
    assert "Layrac" in _my_menu(text(client.get("/")))

    db.session.execute(update(User).where(User.id == claire.id).values(active=False))
    db.session.commit()   # deactivated in bulk: signed out at the next page
    assert client.get("/profil").status_code == 302


def test_a_platform_admin_who_loses_the_role_loses_the_pages_at_once(client, login):
    agme = factories.make_org("Agmé")
    admin = factories.make_user(agme, Role.MEMBER, platform_admin=True)
    login(admin)
    for _ in range(2):
        assert client.get("/admin/").status_code == 200
    admin.is_platform_admin = False
    db.session.commit()
    assert client.get("/admin/").status_code in (403, 404)


def test_the_kept_people_do_not_push_out_the_pages_kept_values(new_client, monkeypatch):
    from intranet.accounts import sessions
    monkeypatch.setattr(sessions, "PEOPLE_KEPT_MAX", 2)
    generations.forget_kept()
    _three_people_see_their_dashboard(new_client)
    assert 1 <= len(sessions._KEPT_PEOPLE) <= 2
    assert not any(entry[0] == "person" for entry in generations._KEPT)
