"""Organisation A's mailing lists for the route matrix: archives, held posts and subscribers
of lists in A's private space and in A's closed group; and a list of B's public group with a
thread of its own, so that A's threads and messages are also tried under a list anybody may
read (a thread must belong to the list of its address)."""
from intranet.core.uploads import Sent
from intranet.lists import moderation, services, upkeep
from intranet.lists.models import ListMessage, PostingPolicy

from ..route_world import private_file


def build(world):
    admin, member, space, group = (world["a_admin"], world["a_member"], world["a_space"],
                                   world["a_group"])
    secret = world["CONTENT"]
    settings = dict(description="", subscription_policy="open", reply_to="list",
                    from_rewrite="auto")
    mlist = services.create_list(space, name="agents-a", title="Agents", by=admin,
                                 posting_policy=PostingPolicy.MEMBERS, **settings)
    group_list = services.create_list(group, name="groupe-a", title="Groupe", by=admin,
                                      posting_policy=PostingPolicy.MODERATED, **settings)
    sub = services.subscribe_user(mlist, member)
    services.subscribe_user(group_list, member)
    outside = services._new_subscriber(mlist, email="externe@exemple.org", user=None,
                                       status="active", delivery="each")
    pending = services._new_subscriber(mlist, email="attente@exemple.org", user=None,
                                       status="pending_confirmation", delivery="each")
    posted = services.post_from_web(mlist, member, subject=f"Budget {secret}",
                                    body=f"Texte {secret}")
    held = services.post_from_web(group_list, member, subject=f"Attente {secret}",
                                  body=f"Retenu {secret}")
    assert isinstance(held, ListMessage)
    by_mail = services.post_from_mail(
        ListMessage(list_id=mlist.id, mailing_list=mlist, message_id=services.new_message_id(),
                    subject=f"Pièce {secret}", sender_email=member.email.lower(),
                    author_id=member.id, body_text=f"Joint {secret}", source="email"),
        services.access.ACCEPT, [Sent(private_file(world), f"budget-{secret}.pdf")],
        actor=member)
    rule = moderation.set_sender_rule(mlist, "indesirable@exemple.org", "reject", by=admin)
    group_rule = moderation.set_sender_rule(group_list, "a-retenir@exemple.org", "hold",
                                            by=admin)
    b_admin, public_group = world["people"]["b_admin"], world["public_group"]
    public_list = services.create_list(public_group, name="public-b", title="Ouverte",
                                       by=b_admin, posting_policy=PostingPolicy.ANYONE,
                                       **settings)
    public_post = services.post_from_web(public_list, b_admin, subject="Bienvenue",
                                         body="Ouvert à tous")
    world["insider_urls"].append(f"/espaces/{space.slug}/listes/agents-a")
    world["insider_urls"].append(f"/espaces/{space.slug}/listes/agents-a/fils/{posted.thread_id}")
    world["insider_urls"].append(
        f"/espaces/{space.slug}/listes/agents-a/pieces/{by_mail.attachments[0].id}")
    return {
        ("lists", "slug"): [space.slug, group.slug, public_group.slug],
        ("lists", "name"): [mlist.name, group_list.name, public_list.name],
        ("lists", "thread_id"): [posted.thread_id, public_post.thread_id],
        ("lists", "message_id"): [held.id],
        ("lists", "subscriber_id"): [sub.id, outside.id],
        ("lists", "token"): ["jeton-invalide", services.unsubscribe_token(outside),
                             services.confirmation_token(pending),
                             upkeep.address_change_token(outside, "nouvelle@exemple.org")],
        ("lists", "rule_id"): [rule.id, group_rule.id],
        ("lists", "attachment_id"): [by_mail.attachments[0].id],
    }
