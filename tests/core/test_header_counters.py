"""The header's counters are read with the person by the user loader (``hooks.loader_columns``)
when what they were last computed with still holds: they must still be right at every page,
after something happened elsewhere, after the page itself changed them, and after the person's
role changed."""
from __future__ import annotations

import re

from sqlalchemy import select

from intranet.core.types import Role
from intranet.documents.models import Page
from intranet.extensions import db
from intranet.messaging import services as messaging
from intranet.messaging.models import Conversation

from .. import factories
from ..helpers import count_queries, visible_text


def _account_nav(client, path="/") -> str:
    page = client.get(path).get_data(as_text=True)
    return visible_text_of(re.search(r'<nav aria-label="Compte".*?</nav>', page, re.S).group(0))


def visible_text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_counters_cost_no_statement_of_their_own_once_known(client, login):
    login(factories.make_user(factories.make_org("Agmé"), Role.ADMIN))
    client.get("/espaces/")   # the person's reach is kept
    first = count_queries(client, "/espaces/", reach_kept=True)
    assert count_queries(client, "/espaces/", reach_kept=True, counters_kept=True) == first - 1


def test_a_message_received_shows_at_the_next_page(new_client):
    agme = factories.make_org("Agmé")
    martine = factories.make_user(agme, Role.ADMIN)
    paul = factories.make_user(agme, Role.MEMBER)
    as_paul = new_client(paul)
    for _ in range(2):
        assert "Messages Notifications" in _account_nav(as_paul)
    messaging.start_conversation(martine, to=paul.email, subject="Conseil", body="Bonjour")
    db.session.commit()
    assert "Messages 1 conversation non lue" in _account_nav(as_paul)


def test_reading_a_conversation_clears_its_count_on_that_very_page(new_client):
    agme = factories.make_org("Agmé")
    martine = factories.make_user(agme, Role.ADMIN)
    paul = factories.make_user(agme, Role.MEMBER)
    messaging.start_conversation(martine, to=paul.email, subject="Conseil", body="Bonjour")
    db.session.commit()
    conversation = db.session.scalar(select(Conversation))
    as_paul = new_client(paul)
    for _ in range(2):
        assert "Messages 1 conversation non lue" in _account_nav(as_paul)
    assert "Messages Notifications" in _account_nav(as_paul, f"/messages/{conversation.id}")


def test_becoming_an_editor_shows_what_waits_at_the_next_page(client, login, new_client):
    layrac = factories.make_org("Layrac")
    chair = factories.make_user(layrac, Role.ADMIN)
    group = factories.make_group(chair, name="Fêtes")
    group.pages_need_approval = True
    db.session.commit()
    author = factories.make_user(layrac, Role.MEMBER)
    helper = factories.make_user(layrac, Role.MEMBER)
    as_chair = new_client(chair)
    for person in (author, helper):
        as_chair.post(f"/espaces/{group.slug}/membres/ajouter",
                      data={"email": person.email, "role": Role.MEMBER.value})
    login(author)
    client.post(f"/espaces/{group.slug}/pages/nouvelle",
                data={"title": "Fête du village", "body": "Samedi", "body_format": "text"})
    page = db.session.scalar(select(Page).where(Page.title == "Fête du village"))
    client.post(f"/espaces/{group.slug}/pages/{page.id}/publier")
    as_helper = new_client(helper)
    for _ in range(2):   # what the helper approves is known: nothing
        assert "À valider" not in _account_nav(as_helper)
    as_chair.post(f"/espaces/{group.slug}/membres/ajouter",
                  data={"email": helper.email, "role": Role.EDITOR.value})
    assert "À valider 1 page en attente de votre validation" in _account_nav(as_helper)
    assert "À valider 1 page" in visible_text(as_helper.get("/"))
