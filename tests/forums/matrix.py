"""Organisation A's forums for the route matrix: a forum of A's private space and one of A's
closed group, with topics, posts, an attachment and a report carrying A's private content."""
from sqlalchemy import select

from intranet.extensions import db
from intranet.forums import reorganise, services
from intranet.forums.models import ForumAttachment, ForumPost

from ..route_world import private_file


def build(world):
    admin, member = world["a_admin"], world["a_member"]
    space, group = world["a_space"], world["a_group"]
    secret = world["CONTENT"]
    forum = services.create_forum(space, name=f"Forum {secret}", by=admin)
    topic = services.create_topic(forum, title=f"Sujet {secret}", body=f"Texte {secret}",
                                  body_format="text", by=admin,
                                  files=[(private_file(world), f"annexe-{secret}.pdf")])
    reply = services.reply(topic, body=f"Réponse {secret}", body_format="text", by=member)
    report = services.report_post(reply, f"Motif {secret} {world['DRAFT']}", by=admin)
    group_forum = services.create_forum(group, name="Forum du groupe", by=admin)
    group_topic = services.create_topic(group_forum, title="Réunion", body=f"Ordre du jour {secret}",
                                        body_format="text", by=admin)
    attachment = db.session.scalar(select(ForumAttachment.id))
    # A's member likes the admin's topic and keeps drafts (a reply, a new topic) that only
    # they read (not the walkers, nor A's admin whose forms the walks replay); a topic merged
    # into another keeps an address that leads there.
    services.toggle_like(db.session.get(ForumPost, topic.first_post_id), by=member)
    merged = services.create_topic(forum, title=f"Doublon {secret}", body=f"Doublon {secret}",
                                   body_format="text", by=admin)
    reorganise.merge_topics(merged, topic, by=admin)
    services.save_draft(member, topic=topic, body=f"Réponse en cours {world['DRAFT']}")
    services.save_draft(member, forum=forum, title=f"Sujet en cours {world['DRAFT']}",
                        body=f"Texte en cours {world['DRAFT']}")
    # B's public group, where B's people may write: A's posts are tried in its query strings.
    b_admin = world["people"]["b_admin"]
    public_forum = services.create_forum(world["public_group"], name="Forum public", by=b_admin)
    public_topic = services.create_topic(public_forum, title="Ouvert", body="Bienvenue",
                                         body_format="text", by=b_admin)
    world["private_files"].append(
        f"/espaces/{space.slug}/forums/messages/{topic.first_post_id}/pieces/{attachment}")
    world["draft_urls"].append(f"/espaces/{space.slug}/forums/moderation")
    world["insider_urls"].append(f"/espaces/{space.slug}/forums/sujets/{topic.id}")
    world["insider_urls"].append(f"/espaces/{space.slug}/forums/{forum.id}")
    world["insider_urls"].append("/forums/nouveautes")
    return {
        ("forums", "slug"): [space.slug, group.slug],
        ("forums", "forum_id"): [forum.id, group_forum.id, public_forum.id],
        ("forums", "topic_id"): [topic.id, group_topic.id, public_topic.id, merged.id],
        ("forums", "post_id"): [topic.first_post_id, reply.id, public_topic.first_post_id],
        ("forums", "attachment_id"): [attachment],
        ("forums", "report_id"): [report.id],
    }
