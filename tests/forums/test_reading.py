"""Reading: pages by position, unread markers per person, « nouveautés », and a GET that
never writes (markers and view counts are batched)."""
import re
from datetime import datetime

from sqlalchemy import event, select

from intranet import config
from intranet.core.types import Role
from intranet.core import uploads
from intranet.extensions import db
from intranet.forums import reading, services
from intranet.forums.models import ForumAttachment, ForumPost, ForumRead, ForumTopic

from .. import factories
from ..helpers import count_queries, text
from .helpers import org_with_forum, topic_with_posts


def _small_pages(client, data_app, size=5):
    for flask_app in (client.application, data_app):
        flask_app.config["FORUM_POSTS_PER_PAGE"] = size


def _default_pages(client, data_app):
    for flask_app in (client.application, data_app):
        flask_app.config["FORUM_POSTS_PER_PAGE"] = config.FORUM_POSTS_PER_PAGE


def test_unread_markers_are_kept_per_person(client, login, data_app):
    org, space, forum, author = org_with_forum()
    reader = factories.make_user(org, Role.MEMBER)
    other = factories.make_user(org, Role.MEMBER)
    topic = topic_with_posts(forum, author, 3, title="Ordre du jour")
    forum_url = f"/espaces/{space.slug}/forums/{forum.id}"
    login(reader)
    assert "Non lu" in text(client.get(forum_url))
    client.get(f"/espaces/{space.slug}/forums/sujets/{topic.id}")
    reading.flush_views()
    assert db.session.get(ForumRead, (reader.id, topic.id)).position == 3
    assert "Non lu" not in text(client.get(forum_url))
    # a new reply makes it unread again, and « premier non lu » goes to it
    services.reply(db.session.get(ForumTopic, topic.id), body="Ajout", body_format="text", by=author)
    assert "Non lu" in text(client.get(forum_url))
    response = client.get(f"/espaces/{space.slug}/forums/sujets/{topic.id}/premier-non-lu")
    assert response.headers["Location"].endswith(f"/sujets/{topic.id}#message-4")
    client.post("/deconnexion")
    login(other)                                  # someone else has read nothing
    assert "Non lu" in text(client.get(forum_url))
    response = client.get(f"/espaces/{space.slug}/forums/sujets/{topic.id}/premier-non-lu")
    assert response.headers["Location"].endswith("#message-1")


def test_first_unread_goes_to_the_right_page(client, login, data_app):
    _small_pages(client, data_app)
    try:
        org, space, forum, author = org_with_forum()
        reader = factories.make_user(org, Role.MEMBER)
        topic = topic_with_posts(forum, author, 12)
        login(reader)
        client.get(f"/espaces/{space.slug}/forums/sujets/{topic.id}")      # page 1: 1–5
        client.get(f"/espaces/{space.slug}/forums/sujets/{topic.id}?page=2")  # 6–10
        reading.flush_views()
        response = client.get(f"/espaces/{space.slug}/forums/sujets/{topic.id}/premier-non-lu")
        assert response.headers["Location"].endswith(f"/sujets/{topic.id}?page=3#message-11")
        page = text(client.get(f"/espaces/{space.slug}/forums/sujets/{topic.id}?page=3"))
        assert "Message 11" in page and "Message 12" in page and "Message 10" not in page
        assert page.count('<span class="badge">Nouveau</span>') == 2
        assert "Page 3 sur 3" in page
    finally:
        _default_pages(client, data_app)


def test_showing_a_topic_writes_nothing_in_the_request(client, login, app):
    org, space, forum, author = org_with_forum()
    reader = factories.make_user(org, Role.MEMBER)
    topic = topic_with_posts(forum, author, 3)
    login(reader)
    writes = []

    def listener(conn, cursor, statement, *args):
        if re.match(r"\s*(INSERT|UPDATE|DELETE)", statement, re.I):
            writes.append(statement)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        for url in (f"/espaces/{space.slug}/forums", f"/espaces/{space.slug}/forums/{forum.id}",
                    f"/espaces/{space.slug}/forums/sujets/{topic.id}", "/forums/nouveautes"):
            assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert writes == []
    assert db.session.get(ForumTopic, topic.id).view_count == 0
    reading.flush_views()      # what the buffer's thread does every two seconds
    assert db.session.get(ForumTopic, topic.id).view_count == 1
    assert db.session.get(ForumRead, (reader.id, topic.id)).position == 3


def test_view_counts_of_many_readers_are_written_in_one_batch(client, login):
    org, space, forum, author = org_with_forum()
    topic = topic_with_posts(forum, author, 1)
    login(author)
    for _ in range(5):
        client.get(f"/espaces/{space.slug}/forums/sujets/{topic.id}")
    assert reading.flush_views() == 3   # one read marker, one view counter, one visit
    assert db.session.get(ForumTopic, topic.id).view_count == 5
    assert reading.flush_views() == 0


def test_topic_pages_keep_a_constant_number_of_queries(client, login, data_app):
    _small_pages(client, data_app, size=10)
    try:
        org, space, forum, author = org_with_forum()
        reader = factories.make_user(org, Role.MEMBER)
        writers = [factories.make_user(org, Role.MEMBER) for _ in range(4)]
        moderator = factories.make_user(org, Role.ADMIN)
        small = topic_with_posts(forum, author, 1, title="Court")
        big = topic_with_posts(forum, author, 45, title="Long", others=writers)
        for n, post in enumerate(db.session.scalars(select(ForumPost).limit(40)).all()):
            if n % 7 == 0:   # some edited by someone else, some with an attachment
                services.edit_post(post, body="Corrigé", body_format="text", by=moderator)
            if n % 9 == 0:
                post.attachments.append(ForumAttachment(file=uploads.store(
                    b"%PDF-1.4\n", f"annexe-{n}.pdf", by=author)))
                db.session.commit()
        login(reader)
        base = f"/espaces/{space.slug}/forums/sujets"
        counts = {"1 message": count_queries(client, f"{base}/{small.id}"),
                  "45 messages, page 1": count_queries(client, f"{base}/{big.id}"),
                  "45 messages, page 3": count_queries(client, f"{base}/{big.id}?page=3"),
                  "45 messages, dernière page": count_queries(client, f"{base}/{big.id}?page=5")}
        assert len(set(counts.values())) == 1, counts
        assert counts["1 message"] <= 10, counts
    finally:
        _default_pages(client, data_app)


def test_the_last_page_reads_only_its_own_posts(client, login, data_app):
    """Keyset by position: the last page's query is a range on (topic_id, position)."""
    _small_pages(client, data_app, size=10)
    try:
        org, space, forum, author = org_with_forum()
        big = topic_with_posts(forum, author, 35)
        login(author)
        statements = []

        def listener(conn, cursor, statement, parameters, *args):
            if "FROM forum_post" in statement and "position" in statement:
                statements.append((statement, parameters))
        with client.application.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", listener)
        try:
            page = text(client.get(f"/espaces/{space.slug}/forums/sujets/{big.id}?page=4"))
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        assert "Message 35" in page and "Message 30" not in page
        assert "OFFSET" not in statements[0][0].upper() and "BETWEEN" in statements[0][0].upper()
    finally:
        _default_pages(client, data_app)


def test_news_since_my_last_visit_covers_all_my_spaces_and_only_them(client, login):
    org, space, forum, member = org_with_forum()
    group = factories.make_group(member)
    group_forum = services.create_forum(group, name="Groupe", by=member)
    services.create_topic(forum, title="Dans ma commune", body="x", body_format="text", by=member)
    services.create_topic(group_forum, title="Dans mon groupe", body="x", body_format="text",
                          by=member)
    stranger_org, stranger_space, stranger_forum, stranger = org_with_forum("Ailleurs")
    services.create_topic(stranger_forum, title="Chez les autres", body="x", body_format="text",
                          by=stranger)
    reader = factories.make_user(org, Role.MEMBER)
    from intranet.spaces import services as spaces
    spaces.add_member(group, reader, by=member)
    login(reader)
    page = text(client.get("/forums/nouveautes"))
    assert "Dans ma commune" in page and "Dans mon groupe" in page
    assert "Chez les autres" not in page
    assert page.count("Non lu") == 2
    client.post("/forums/nouveautes/tout-lu")
    assert "Rien de nouveau" in text(client.get("/forums/nouveautes?non-lus=1"))
    assert "Non lu" not in text(client.get(f"/espaces/{space.slug}/forums/{forum.id}"))


def test_a_first_visit_recorded_by_two_workers_at_once_is_written_once(client, login):
    """Two server processes may both write someone's first visit: the second finds the row the
    first committed between its read and its write, and keeps the later time, with no error."""
    from intranet.forums.models import ForumVisit
    from intranet.forums.tracking import BUFFER
    org, space, forum, author = org_with_forum()
    login(author)
    client.get(f"/espaces/{space.slug}/forums")            # buffered: a first visit
    engine, other_worker = db.engine, {"wrote": False}

    def meanwhile(conn, cursor, statement, *args):
        if not other_worker["wrote"] and statement.lstrip().upper().startswith("SELECT") \
                and "forum_visit" in statement:
            other_worker["wrote"] = True
            with engine.begin() as other:
                other.execute(ForumVisit.__table__.insert(),
                              {"user_id": author.id, "last_seen_at": datetime(2000, 1, 1)})
    event.listen(engine, "after_cursor_execute", meanwhile)
    try:
        assert BUFFER.flush() >= 1                           # no duplicate key, nothing given back
    finally:
        event.remove(engine, "after_cursor_execute", meanwhile)
    assert other_worker["wrote"]
    db.session.expire_all()
    visit = db.session.get(ForumVisit, author.id)
    assert visit.last_seen_at > datetime(2020, 1, 1)         # the later of the two times
    assert BUFFER.flush() == 0


def test_a_forums_page_reads_the_forum_and_its_readers_marks_in_one_statement(client, login):
    """The forum, when its reader marked everything read and how they follow it: one
    statement, whatever they did; what it read shows (« Non lu », the level chosen)."""
    org, space, forum, member = org_with_forum()
    services.create_topic(forum, title="Dans ma commune", body="x", body_format="text",
                          by=member)
    reader = factories.make_user(org, Role.MEMBER)
    login(reader)
    address = f"/espaces/{space.slug}/forums/{forum.id}"
    before = count_queries(client, address)
    assert "Non lu" in text(client.get(address))
    client.post("/forums/nouveautes/tout-lu")
    assert "Non lu" not in text(client.get(address))
    client.post(f"/espaces/{space.slug}/forums/{forum.id}/niveau", data={"level": "all"})
    assert '<option selected value="all">' in text(client.get(address))
    assert count_queries(client, address) == before
