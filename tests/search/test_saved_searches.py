"""Saved searches: a signed-in person keeps a search and receives its new results by mail,
searched as them at sending time — never what they may no longer see, nothing twice, nothing
when nothing is new — and stops the mails from the mail itself without signing in."""
from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from intranet.core.timeutil import utcnow
from intranet.core.types import Role, Visibility
from intranet.documents import services as documents
from intranet.extensions import db
from intranet.mail.models import OutboxMessage
from intranet.search import saved as saved_searches
from intranet.search import services as search
from intranet.search.models import SavedSearch
from intranet.spaces import services as spaces
from intranet.spaces.models import JoinPolicy

from .. import factories
from ..helpers import sends_to_sign_in, visible_text


def _page(space, author, title, body):
    page = documents.create_page(space, title=title, body=body, body_format="text", by=author)
    documents.publish_page(page, by=author)
    return page


def _mails(to: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == to)
                                   .order_by(OutboxMessage.id)))


@pytest.fixture
def people(search_backend):
    org = factories.make_org("Boé")
    editor = factories.make_user(org, Role.EDITOR, first_name="Inès", last_name="Garcia")
    reader = factories.make_user(factories.make_org("Bon-Encontre"), Role.MEMBER,
                                 first_name="Louis", last_name="Martin")
    group = factories.make_group(editor, name="Assainissement", visibility=Visibility.MEMBERS,
                                 join_policy=JoinPolicy.CLOSED)
    spaces.add_member(group, reader, by=editor)
    public = factories.make_group(editor, name="Vie locale", visibility=Visibility.PUBLIC,
                                  join_policy=JoinPolicy.OPEN)
    return editor, reader, group, public


def test_saving_listing_changing_and_deleting_a_search(client, login, people):
    editor, reader, group, public = people
    _page(public, editor, "Station d'épuration", "La station sera rénovée.")
    search.drain()
    assert sends_to_sign_in(client.get("/recherche/enregistrees"))
    anonymous = visible_text(client.get("/recherche?q=station"))
    assert "1 résultat" in anonymous and "Enregistrer cette recherche" not in anonymous
    login(reader)
    page = visible_text(client.get(f"/recherche?q=station&espace={public.slug}"))
    assert "Enregistrer cette recherche" in page
    answer = client.post("/recherche/enregistrer", data={
        "query": f"q=station&espace={public.slug}", "label": "", "frequency": "daily"},
        follow_redirects=True)
    listing = visible_text(answer)
    assert "Recherche enregistrée" in listing and "Mes recherches enregistrées" in listing
    assert "« station » — Dans l'espace « Vie locale »" in listing and "Chaque jour" in listing
    saved = db.session.scalar(select(SavedSearch))
    assert saved.user_id == reader.id and saved.query == f"q=station&espace={public.slug}"
    # nothing typed: refused, nothing saved
    refused = client.post("/recherche/enregistrer", data={"query": "espace=1",
                                                          "frequency": "weekly"},
                          follow_redirects=True)
    assert "Saisissez d'abord les mots à rechercher" in visible_text(refused)
    assert db.session.scalar(select(db.func.count(SavedSearch.id))) == 1
    changed = client.post(f"/recherche/enregistrees/{saved.id}", data={
        "label": "Travaux de la station", "frequency": "weekly"},
        follow_redirects=True)
    assert "Travaux de la station" in visible_text(changed)
    db.session.refresh(saved)
    assert saved.frequency.value == "weekly" and saved.label == "Travaux de la station"
    # a name too long: the page again, with what was typed and why, nothing changed
    typed = "Station " + "x" * 200
    again = client.post(f"/recherche/enregistrees/{saved.id}",
                        data={"label": typed, "frequency": "daily"})
    assert again.status_code == 200 and typed in again.get_data(as_text=True)
    assert "ne dépasse pas 200 caractères" in visible_text(again)
    db.session.refresh(saved)
    assert saved.frequency.value == "weekly"
    # a place that does not exist (or that one may not see) is not saved
    unknown = client.post("/recherche/enregistrer", data={
        "query": "q=station&espace=nulle-part", "frequency": "weekly"}, follow_redirects=True)
    assert "limitée à un emplacement introuvable" in visible_text(unknown)
    assert db.session.scalar(select(db.func.count(SavedSearch.id))) == 1
    # someone else's saved search does not exist for them
    client.post("/deconnexion")
    login(editor)
    assert client.post(f"/recherche/enregistrees/{saved.id}/supprimer").status_code == 404
    assert client.post(f"/recherche/enregistrees/{saved.id}", data={
        "frequency": "daily"}).status_code == 404
    assert "Travaux de la station" not in visible_text(client.get("/recherche/enregistrees"))
    client.post("/deconnexion")
    login(reader)
    gone = client.post(f"/recherche/enregistrees/{saved.id}/supprimer", follow_redirects=True)
    assert "Recherche supprimée" in visible_text(gone)
    assert db.session.scalar(select(SavedSearch)) is None


def test_new_results_are_mailed_as_the_person_may_see_them_at_sending_time(people):
    editor, reader, group, public = people
    _page(group, editor, "Curage des fossés", "Le curage des fossés commence lundi.")
    search.drain()
    saved_searches.save(reader, "q=fossés", "daily")
    start = utcnow()
    assert saved_searches.send_due(start) == 0                     # not due yet
    assert saved_searches.send_due(start + timedelta(days=1)) == 0  # nothing new since saved
    assert _mails(reader.email) == []

    _page(group, editor, "Fossés de la route de Layrac", "Les fossés seront curés.")
    _page(public, editor, "Fossés et ruisseaux", "Entretien des fossés.")
    search.drain()
    assert saved_searches.send_due(start + timedelta(days=2)) == 1
    [mail] = _mails(reader.email)
    assert "2 nouveaux résultats" in mail.subject and "« fossés »" in mail.subject
    assert "Fossés de la route de Layrac" in mail.body_text
    assert "Fossés et ruisseaux" in mail.body_text
    assert "Curage des fossés" not in mail.body_text        # there before it was saved
    headers = json.loads(mail.headers)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/recherche/desabonnement/" in headers["List-Unsubscribe"]

    # The same day: not due again. A day later, nothing new: no mail (nothing twice).
    assert saved_searches.send_due(start + timedelta(days=2, hours=2)) == 0
    assert saved_searches.send_due(start + timedelta(days=3)) == 0
    assert len(_mails(reader.email)) == 1

    # A page in a space the person has left since: not mailed; the public one is.
    _page(group, editor, "Fossés du lotissement", "Les fossés du lotissement sont bouchés.")
    _page(public, editor, "Fossés du stade", "Les fossés du stade débordent.")
    search.drain()
    spaces.remove_member(group, reader, by=editor)
    assert saved_searches.send_due(start + timedelta(days=4)) == 1
    last = _mails(reader.email)[-1]
    assert "Fossés du stade" in last.body_text and "lotissement" not in last.body_text
    assert "1 nouveau résultat" in last.subject
    assert "Fossés et ruisseaux" not in last.body_text


def test_nothing_waiting_for_the_index_is_skipped(people):
    editor, reader, group, public = people
    saved_searches.save(reader, "q=lagunage", "daily")
    start = utcnow()
    _page(public, editor, "Lagunage de Boé", "Le lagunage sera agrandi.")   # not indexed yet
    assert saved_searches.send_due(start + timedelta(days=1)) == 0
    search.drain()
    assert saved_searches.send_due(start + timedelta(days=2)) == 1
    assert "Lagunage de Boé" in _mails(reader.email)[-1].body_text


def test_the_mail_s_link_unsubscribes_without_signing_in(client, people):
    editor, reader, group, public = people
    saved_searches.save(reader, "q=voirie", "weekly")
    _page(public, editor, "Voirie communale", "Programme de voirie.")
    search.drain()
    assert saved_searches.send_due(utcnow() + timedelta(days=7)) == 1
    [mail] = _mails(reader.email)
    path = re.search(r"http://territoires\.test(/recherche/desabonnement/\S+)",
                     mail.body_text).group(1)
    page = client.get(path)
    assert "Ne plus recevoir la recherche « « voirie » »" in visible_text(page)
    assert client.get(path + "x").status_code == 404
    done = client.post(path)           # one click: no session, no form token
    assert done.status_code == 200 and "Vous ne recevrez plus cette recherche" in visible_text(done)
    assert db.session.scalar(select(SavedSearch)) is None
    assert client.post(path).status_code == 404


def test_a_deactivated_account_receives_nothing(people):
    editor, reader, group, public = people
    saved_searches.save(reader, "q=assainissement", "daily")
    _page(public, editor, "Assainissement collectif", "Zonage d'assainissement.")
    search.drain()
    reader.active = False
    db.session.commit()
    assert saved_searches.send_due(utcnow() + timedelta(days=1)) == 0
    assert _mails(reader.email) == []
