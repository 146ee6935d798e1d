"""Builders for forum tests."""
from intranet.core.types import Role, Visibility
from intranet.forums import services

from .. import factories


def org_with_forum(name="Agen", role=Role.MEMBER):
    """An organisation, its private space with one forum, and a member of it."""
    org = factories.make_org(name)
    member = factories.make_user(org, role)
    space = factories.org_space(org)
    forum = services.create_forum(space, name="Vie de la mairie", by=member)
    return org, space, forum, member


def public_forum(by, open_to_network=True):
    group = factories.make_group(by, visibility=Visibility.PUBLIC)
    return group, services.create_forum(group, name="Questions des habitants", by=by,
                                        open_to_network=open_to_network)


def topic_with_posts(forum, author, n, title="Budget 2026", others=()):
    """A topic of ``n`` posts, written fast (no rate limit), by ``author`` and ``others`` in
    turn."""
    from flask import current_app

    from intranet import config
    current_app.config["FORUM_POSTS_PER_MINUTE"] = 10 ** 6
    try:
        topic = services.create_topic(forum, title=title, body="Premier message", body_format="text",
                                      by=author)
        writers = [author, *others]
        for i in range(2, n + 1):
            services.reply(topic, body=f"Message {i}", body_format="text",
                           by=writers[i % len(writers)], subscribe=False)
    finally:
        current_app.config["FORUM_POSTS_PER_MINUTE"] = config.FORUM_POSTS_PER_MINUTE
    return topic
