"""Moderators split a topic (chosen posts become a new topic, in this forum or another of the
space) and merge two topics (the old address leads to the merged one); numbering, read
markers, followers, search and the journal follow. Others may not."""
import re

import pytest
from sqlalchemy import select

from intranet.core.audit import AuditEvent
from intranet.core.types import Role
from intranet.extensions import db
from intranet.forums import following, reading, reorganise, services
from intranet.forums.models import ForumPost, ForumTopic
from intranet.notifications.models import Notification
from intranet.search import services as search
from intranet.search.backends import SearchRequest

from .. import factories
from ..helpers import text, visible_text
from .helpers import org_with_forum, topic_with_posts


@pytest.fixture
def moderated():
    org, space, forum, member = org_with_forum()
    admin = factories.make_user(org, Role.ADMIN)     # an organisation's admin moderates its space
    return org, space, forum, member, admin


def _topic(topic_id):
    db.session.expire_all()
    return db.session.get(ForumTopic, topic_id)


def _bodies(topic):
    return [to for to in db.session.scalars(
        select(ForumPost.body_source).where(ForumPost.topic_id == topic.id)
        .order_by(ForumPost.position))]


def test_a_moderator_splits_chosen_posts_into_a_new_topic_of_another_forum(
        client, login, moderated):
    org, space, forum, member, admin = moderated
    other = services.create_forum(space, name="Voirie", by=admin)
    topic = topic_with_posts(forum, member, 6, title="Conseil municipal")
    posts = db.session.scalars(select(ForumPost).where(ForumPost.topic_id == topic.id)
                               .order_by(ForumPost.position)).all()
    login(admin)
    page = text(client.get(f"/espaces/{space.slug}/forums/sujets/{topic.id}/scinder"))
    assert f'name="messages" value="{posts[0].id}"' not in page     # the first post stays
    assert f'name="messages" value="{posts[1].id}"' in page
    response = client.post(f"/espaces/{space.slug}/forums/sujets/{topic.id}/scinder", data={
        "title": "Nids-de-poule", "target": str(other.id),
        "messages": [str(posts[2].id), str(posts[4].id)]})
    assert response.status_code == 302
    new_id = int(re.search(r"/sujets/(\d+)", response.headers["Location"]).group(1))
    new, old = _topic(new_id), _topic(topic.id)
    assert new.forum_id == other.id and new.title == "Nids-de-poule"
    assert _bodies(new) == ["Message 3", "Message 5"]
    assert _bodies(old) == ["Premier message", "Message 2", "Message 4", "Message 6"]
    assert (old.post_count, old.last_position, new.post_count, new.last_position) == (4, 4, 2, 2)
    page = visible_text(client.get(f"/espaces/{space.slug}/forums/sujets/{new_id}"))
    assert "n° 1" in page and "Message 3" in page and "Message 5" in page
    assert "Nids-de-poule" in visible_text(client.get(f"/espaces/{space.slug}/forums/{other.id}"))
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "forum.topic_split" in actions


def test_after_a_split_read_markers_and_followers_follow(client, login, moderated):
    org, space, forum, member, admin = moderated
    reader = factories.make_user(org, Role.MEMBER)
    topic = topic_with_posts(forum, member, 5, title="Piscine")
    following.toggle_subscription(reader, topic=topic)
    login(reader)
    client.get(f"/espaces/{space.slug}/forums/sujets/{topic.id}")    # reads posts 1 to 5
    reading.flush_views()
    posts = db.session.scalars(select(ForumPost.id).where(ForumPost.topic_id == topic.id)
                               .order_by(ForumPost.position)).all()
    new = reorganise.split_topic(_topic(topic.id), [posts[3], posts[4]], title="Horaires d'été",
                               forum=forum, by=admin)
    # everything was read: nothing is new in either topic
    assert reading.reading_state(reader, _topic(topic.id)).first_unread(_topic(topic.id)) is None
    assert reading.reading_state(reader, _topic(new.id)).first_unread(_topic(new.id)) is None
    services.reply(_topic(new.id), body="Ouverture à 9 h", body_format="text", by=admin)
    assert db.session.scalar(select(Notification.title).where(
        Notification.user_id == reader.id).order_by(Notification.id.desc())) \
        == f"{admin.full_name} a répondu à « Horaires d'été »"


def test_a_moderator_merges_two_topics_and_the_old_address_leads_to_the_merged_one(
        client, login, moderated):
    org, space, forum, member, admin = moderated
    first = services.create_topic(forum, title="Marché de Noël", body="Date ?",
                                  body_format="text", by=member)
    second = services.create_topic(forum, title="Marché de Noël (bis)", body="Quels exposants ?",
                                   body_format="text", by=member)
    services.reply(_topic(first.id), body="Le 14 décembre", body_format="text", by=admin)
    services.reply(_topic(second.id), body="Vingt exposants", body_format="text", by=admin)
    login(admin)
    response = client.post(f"/espaces/{space.slug}/forums/sujets/{second.id}/fusionner",
                           data={"target": f"https://intranet/espaces/{space.slug}/forums/sujets/"
                                           f"{first.id}"})
    assert response.status_code == 302
    merged = _topic(first.id)
    assert _bodies(merged) == ["Date ?", "Quels exposants ?", "Le 14 décembre",
                               "Vingt exposants"]
    assert merged.post_count == 4 and merged.last_position == 4
    old = client.get(f"/espaces/{space.slug}/forums/sujets/{second.id}")
    assert old.status_code == 301
    assert old.headers["Location"].endswith(f"/espaces/{space.slug}/forums/sujets/{first.id}")
    listing = visible_text(client.get(f"/espaces/{space.slug}/forums/{forum.id}"))
    assert "Marché de Noël (bis)" not in listing
    assert _topic(first.id).forum.topic_count == 1
    search.backend().clear()
    search.drain()
    hits = search.query(member, SearchRequest(text="exposants")).hits
    assert sorted(h.title for h in hits) == ["Re : Marché de Noël", "Re : Marché de Noël"]
    assert "forum.topics_merged" in db.session.scalars(select(AuditEvent.action)).all()


def test_members_may_neither_split_nor_merge(client, login, moderated):
    org, space, forum, member, admin = moderated
    topic = topic_with_posts(forum, member, 3)
    other = services.create_topic(forum, title="Autre", body="Texte", body_format="text",
                                  by=member)
    login(member)
    page = text(client.get(f"/espaces/{space.slug}/forums/sujets/{topic.id}"))
    assert "/scinder" not in page and "/fusionner" not in page
    assert client.get(f"/espaces/{space.slug}/forums/sujets/{topic.id}/scinder").status_code == 403
    response = client.post(f"/espaces/{space.slug}/forums/sujets/{other.id}/fusionner",
                           data={"target": str(topic.id)})
    assert response.status_code == 403
    assert _topic(other.id).merged_into_id is None


def test_a_merge_with_a_topic_of_another_space_is_refused_in_french(client, login, moderated):
    org, space, forum, member, admin = moderated
    topic = services.create_topic(forum, title="Ici", body="Texte", body_format="text", by=admin)
    elsewhere_org, elsewhere, far_forum, far_member = org_with_forum("Nérac")
    far = services.create_topic(far_forum, title="Là-bas", body="Texte", body_format="text",
                                by=far_member)
    login(admin)
    response = client.post(f"/espaces/{space.slug}/forums/sujets/{topic.id}/fusionner",
                           data={"target": str(far.id)})
    assert response.status_code == 200
    assert "Aucun sujet de cet espace" in text(response)
    assert _topic(topic.id).deleted_at is None
