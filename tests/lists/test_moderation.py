"""Moderated lists hold posts until a moderator decides; announce-only and members-only lists
refuse the others during the SMTP dialogue."""
from sqlalchemy import select

from intranet import access
from intranet.core.types import Role
from intranet.extensions import db
from intranet.lists import services
from intranet.lists.models import FanoutJob, ListMessage, MessageStatus, PostingPolicy
from intranet.mail.models import OutboxMessage
from intranet.notifications.models import Notification

from .. import factories
from ..helpers import text, visible_text
from . import builders


def _moderated():
    org = factories.make_org()
    admin = factories.make_user(org, Role.ADMIN)
    mlist = builders.make_list(factories.org_space(org), admin, posting=PostingPolicy.MODERATED)
    subs = builders.add_outside(mlist, ["a@exemple.org", "b@exemple.org"])
    return mlist, admin, subs


def test_a_moderated_list_holds_a_non_member_post_until_a_moderator_approves(
        listener, smtp_sink, client, login):
    mlist, admin, subs = _moderated()
    code, answer = listener.send(builders.email("Inconnu <inconnu@ailleurs.fr>", mlist.address,
                                                "Proposition", "Bonjour à tous"),
                                 "inconnu@ailleurs.fr", [mlist.address])
    assert code == 250 and "moderation" in answer
    held = db.session.scalar(select(ListMessage))
    assert held.status == MessageStatus.HELD
    builders.drain()
    # nothing reaches the subscribers while held (the moderator is told)
    assert [rcpts for _f, rcpts, _m in smtp_sink.sink.received] == [[admin.email]]
    assert db.session.scalar(select(FanoutJob)) is None
    note = db.session.scalar(select(Notification).where(Notification.user_id == admin.id))
    assert note.kind == "lists.held" and "moderation" in note.url

    login(admin)
    list_page = f"/espaces/{mlist.space.slug}/listes/{mlist.name}"
    assert "Modération 1 en attente" in visible_text(client.get(list_page))
    page = text(client.get(note.url))
    assert "Proposition" in page and "inconnu@ailleurs.fr" in page
    client.post(f"/espaces/{mlist.space.slug}/listes/{mlist.name}/moderation/{held.id}/approuver")
    db.session.refresh(held)
    assert held.status == MessageStatus.PUBLISHED
    assert "en attente" not in visible_text(client.get(list_page))
    builders.drain()
    assert sorted(r for _f, rcpts, _m in smtp_sink.sink.received for r in rcpts if
                  r.endswith("exemple.org")) == ["a@exemple.org", "b@exemple.org"]


def test_a_rejected_post_is_not_sent_and_its_sender_gets_the_reason(client, login):
    mlist, admin, subs = _moderated()
    outsider = factories.make_user(factories.make_org())
    message = services.store_post(
        services.ListMessage(list_id=mlist.id, mailing_list=mlist,
                             message_id=services.new_message_id(), subject="Pub",
                             sender_email="vendeur@exemple.com", body_text="Achetez"),
        access.HOLD)
    login(admin)
    url = f"/espaces/{mlist.space.slug}/listes/{mlist.name}/moderation/{message.id}/rejeter"
    client.post(url, data={"reason": ""})
    db.session.refresh(message)
    assert message.status == MessageStatus.HELD  # a reason is required
    client.post(url, data={"reason": "Hors sujet pour cette liste."})
    db.session.refresh(message)
    assert message.status == MessageStatus.REJECTED
    mails = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient != admin.email)).all()
    assert [m.recipient for m in mails] == ["vendeur@exemple.com"]
    assert "Hors sujet pour cette liste." in mails[0].body_text
    assert '"Auto-Submitted": "auto-generated"' in mails[0].headers
    assert db.session.scalar(select(FanoutJob)) is None
    assert outsider  # an unrelated person changes nothing


def test_members_only_and_announce_lists_refuse_others_during_the_smtp_dialogue(listener):
    org = factories.make_org()
    admin = factories.make_user(org, Role.ADMIN, email="chef@exemple.org")
    space = factories.org_space(org)
    members = builders.make_list(space, admin, posting=PostingPolicy.MEMBERS)
    builders.add_outside(members, ["abonne@exemple.org"])
    announce = builders.make_list(space, admin, posting=PostingPolicy.ANNOUNCE)
    builders.add_outside(announce, ["abonne@exemple.org"])

    code, answer = listener.send(builders.email("x@ailleurs.fr", members.address, "Hello", "Hi"),
                                 "x@ailleurs.fr", [members.address])
    assert code == 550 and "abonnes" in answer
    code, _ = listener.send(builders.email("abonne@exemple.org", members.address, "Sujet", "Ok"),
                            "abonne@exemple.org", [members.address])
    assert code == 250
    code, answer = listener.send(builders.email("abonne@exemple.org", announce.address, "S", "T"),
                                 "abonne@exemple.org", [announce.address])
    assert code == 550 and "moderateurs" in answer
    code, _ = listener.send(builders.email("chef@exemple.org", announce.address, "Annonce", "T"),
                            "chef@exemple.org", [announce.address])
    assert code == 250  # the organisation's admin moderates its space's lists
    assert db.session.scalar(select(ListMessage.subject).where(
        ListMessage.list_id == announce.id)) == "Annonce"


def test_a_list_moderator_sees_the_queue_and_a_plain_member_does_not(client, login):
    mlist, admin, subs = _moderated()
    member = factories.make_user(mlist.space.organisation, Role.MEMBER)
    moderation = f"/espaces/{mlist.space.slug}/listes/{mlist.name}/moderation"
    login(member)
    assert client.get(moderation).status_code == 403
    services.add_moderator(mlist, member.email, by=admin)
    assert client.get(moderation).status_code == 200
