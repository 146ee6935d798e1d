"""Forum posts are searchable by those who may read their space; deleted ones leave the index."""
import pytest
from flask_login import AnonymousUserMixin

from intranet.core.types import Role
from intranet.extensions import db
from intranet.forums import services
from intranet.forums.models import ForumPost, ForumTopic
from intranet.search import services as search
from intranet.search.backends import SearchRequest

from .. import factories
from .helpers import org_with_forum, public_forum


@pytest.fixture(autouse=True)
def empty_index():
    search.backend().clear()


def _keys(user, words):
    return {hit.key for hit in search.query(user, SearchRequest(text=words)).hits}


def test_posts_are_found_by_the_readers_of_their_space_only():
    org, space, forum, member = org_with_forum()
    topic = services.create_topic(forum, title="Assainissement", body="La station d'épuration "
                                  "sera rénovée", body_format="text", by=member)
    reply = services.reply(topic, body="Le chantier de la station commence en mai",
                           body_format="text", by=member)
    public_admin = factories.make_user(factories.make_org(), Role.ADMIN)
    group, open_forum = public_forum(public_admin)
    shared = services.create_topic(open_forum, title="Station de lavage", body="Ouverte à tous",
                                   body_format="text", by=public_admin)
    search.drain()
    first = f"forum_post:{topic.first_post_id}"
    assert _keys(member, "station") == {first, f"forum_post:{reply.id}",
                                        f"forum_post:{shared.first_post_id}"}
    outsider = factories.make_user(factories.make_org(), Role.MEMBER)
    assert _keys(outsider, "station") == {f"forum_post:{shared.first_post_id}"}
    assert _keys(AnonymousUserMixin(), "station") == {f"forum_post:{shared.first_post_id}"}
    hit = search.query(member, SearchRequest(text="chantier")).hits[0]
    assert hit.title == "Re : Assainissement"
    assert hit.url == f"/espaces/{space.slug}/forums/messages/{reply.id}"


def test_deleted_posts_and_topics_leave_the_index():
    org, space, forum, member = org_with_forum()
    admin = factories.make_user(org, Role.ADMIN)
    topic = services.create_topic(forum, title="Cimetière", body="Concessions perpétuelles",
                                  body_format="text", by=member)
    reply = services.reply(topic, body="Concessions trentenaires", body_format="text", by=member)
    search.drain()
    assert len(_keys(member, "concessions")) == 2
    services.delete_post(db.session.get(ForumPost, reply.id), by=admin)
    search.drain()
    assert _keys(member, "concessions") == {f"forum_post:{topic.first_post_id}"}
    services.delete_topic(db.session.get(ForumTopic, topic.id), by=admin)
    search.drain()
    assert _keys(member, "concessions") == set()
