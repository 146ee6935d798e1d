"""A new topic by mail, through the lists' listener: each forum's address is shown to those
who may open a topic there; a known member's mail becomes a topic (sanitised text, subject as
title, documents attached) with a confirmation through the outbox; an unknown sender is
refused during the SMTP dialogue; a known person who may not write there gets a notice."""
import base64

from sqlalchemy import func, select

from intranet.core.types import Role
from intranet.extensions import db
from intranet.forums import mailin
from intranet.forums.models import ForumPost, ForumTopic
from intranet.lists import inbound
from intranet.mail.models import OutboxMessage

from .. import factories
from ..helpers import text
from ..lists.conftest import listener  # noqa: F401  (the application's own SMTP listener)
from .helpers import org_with_forum

PDF = b"%PDF-1.4\n% test\n"


def _mail(sender, to, subject, body, attachment=None):
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}", "MIME-Version: 1.0"]
    if attachment is None:
        lines += ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit",
                  "", body, ""]
    else:
        name, data = attachment
        lines += ['Content-Type: multipart/mixed; boundary="sep"', "", "--sep",
                  "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit",
                  "", body, "--sep", f'Content-Type: application/pdf; name="{name}"',
                  f'Content-Disposition: attachment; filename="{name}"',
                  "Content-Transfer-Encoding: base64", "", base64.b64encode(data).decode(),
                  "--sep--", ""]
    return "\r\n".join(lines)


def _outbox(address):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)
                              .order_by(OutboxMessage.id)).all()


def test_members_see_the_forum_address_and_outsiders_do_not(client, login):
    org, space, forum, member = org_with_forum()
    address = mailin.forum_address(forum)
    assert address.startswith(f"forum+{forum.id}-") and address.endswith("@lists.territoires47.fr")
    login(member)
    assert address in text(client.get(f"/espaces/{space.slug}/forums/{forum.id}"))


def test_a_members_mail_becomes_a_topic_with_its_attachment(listener):  # noqa: F811
    org, space, forum, member = org_with_forum()
    address = mailin.forum_address(forum)
    mail = _mail(member.email, address, "Panne de l'éclairage public",
                 "Rue Thiers, trois lampadaires éteints.\r\n<script>alert(1)</script>",
                 attachment=("plan.pdf", PDF))
    code, answer = listener.send(mail, member.email, [address])
    assert code == 250, answer
    topic = db.session.scalar(select(ForumTopic))
    assert topic.title == "Panne de l'éclairage public" and topic.author_id == member.id
    post = db.session.get(ForumPost, topic.first_post_id)
    assert "trois lampadaires éteints" in post.body_html and "<script" not in post.body_html
    assert [a.file.original_name for a in post.attachments] == ["plan.pdf"]
    [confirm] = _outbox(member.email)
    assert confirm.subject == "Votre sujet « Panne de l'éclairage public » est enregistré"
    assert f"/forums/sujets/{topic.id}" in confirm.body_text


def test_an_unknown_sender_is_refused_during_the_smtp_dialogue(listener):  # noqa: F811
    org, space, forum, member = org_with_forum()
    address = mailin.forum_address(forum)
    code, answer = listener.send(_mail("inconnu@exemple.org", address, "Pub", "Achetez"),
                                 "inconnu@exemple.org", [address])
    assert code == 550 and "Adresse d'expediteur inconnue" in answer
    assert db.session.scalar(select(func.count()).select_from(ForumTopic)) == 0
    assert _outbox("inconnu@exemple.org") == []


def test_a_known_person_who_may_not_write_there_gets_a_notice(listener):  # noqa: F811
    org, space, forum, member = org_with_forum()
    outsider = factories.make_user(factories.make_org("Nérac"), Role.MEMBER)
    address = mailin.forum_address(forum)
    code, _answer = listener.send(_mail(outsider.email, address, "Question", "Bonjour"),
                                  outsider.email, [address])
    assert code == 250
    assert db.session.scalar(select(func.count()).select_from(ForumTopic)) == 0
    [notice] = _outbox(outsider.email)
    assert notice.subject == f"Votre message à {address} n'a pas été publié"
    assert "Vous ne pouvez pas écrire dans ce forum." in notice.body_text
    assert forum.name not in notice.body_text


def test_a_forged_or_unknown_forum_address_is_refused_at_rcpt(listener):  # noqa: F811
    org, space, forum, member = org_with_forum()
    address = mailin.forum_address(forum)
    forged = address.replace(f"forum+{forum.id}-", f"forum+{forum.id + 1}-")
    code, _answer = listener.send(_mail(member.email, forged, "Essai", "Texte"),
                                  member.email, [forged])
    assert code == 550
    assert inbound.check_recipient(address).code == 250


def test_an_empty_mail_is_refused_with_a_notice_and_nothing_written(listener):  # noqa: F811
    org, space, forum, member = org_with_forum()
    address = mailin.forum_address(forum)
    code, _answer = listener.send(_mail(member.email, address, "Vide", ""), member.email,
                                  [address])
    assert code == 250
    assert db.session.scalar(select(func.count()).select_from(ForumTopic)) == 0
    [notice] = _outbox(member.email)
    assert "Le message est vide" in notice.body_text
