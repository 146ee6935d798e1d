"""The listener never crashes: malformed mail is refused with an SMTP code or quarantined with
its reason; bounces and automatic replies are never answered nor distributed."""
import base64
import logging
import os

import pytest
from sqlalchemy import func, select

from intranet import config
from intranet.core.types import Role
from intranet.mail import replies
from intranet.extensions import db
from intranet.lists import fanout, inbound, services
from intranet.lists.models import (FanoutJob, ListMessage, PostingPolicy, QuarantinedMail,
                                   SubscriberStatus)
from intranet.mail.models import OutboxMessage

from .. import factories
from . import builders


@pytest.fixture
def open_list():
    org = factories.make_org()
    admin = factories.make_user(org, Role.ADMIN)
    mlist = builders.make_list(factories.org_space(org), admin, posting=PostingPolicy.ANYONE)
    builders.add_outside(mlist, ["lecteur@exemple.org"])
    return mlist


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_unknown_addresses_and_other_domains_are_refused_at_rcpt(listener, open_list):
    assert listener.send("x", "a@exemple.org", ["inconnue@lists.territoires47.fr"])[0] == 550
    assert listener.send("x", "a@exemple.org", ["quelquun@gmail.com"])[0] == 550


def test_a_message_without_headers_is_refused(listener, open_list, caplog):
    with caplog.at_level(logging.WARNING, logger="intranet.lists"):
        code, answer = listener.send(b"juste une ligne de texte\r\nsans en-tetes\r\n",
                                     "a@exemple.org", [open_list.address])
    assert code == 550 and "From" in answer
    assert "sans en-têtes" in caplog.text
    assert _count(ListMessage) == 0


def test_broken_mime_is_quarantined_with_its_reason(listener, open_list, caplog):
    broken = ("From: a@exemple.org\r\nTo: x\r\nSubject: casse\r\nMIME-Version: 1.0\r\n"
              'Content-Type: multipart/mixed; boundary="AAA"\r\n\r\n'
              "pas de separateur ici\r\n--BBB\r\nContent-Type: text/plain\r\n\r\ntexte\r\n")
    with caplog.at_level(logging.WARNING, logger="intranet.lists"):
        code, answer = listener.send(broken, "a@exemple.org", [open_list.address])
    assert code == 554 and "quarantaine" in answer
    kept = db.session.scalar(select(QuarantinedMail))
    assert "MIME invalide" in kept.reason and kept.list_id == open_list.id
    assert kept.head.startswith(b"From: a@exemple.org")
    assert "quarantaine" in caplog.text
    assert _count(ListMessage) == 0
    # the listener still serves
    assert listener.send(builders.email("a@exemple.org", open_list.address, "Ok", "Bien"),
                         "a@exemple.org", [open_list.address])[0] == 250


def test_a_25_mb_attachment_is_refused_by_size(listener, open_list, data_app):
    attachment = base64.encodebytes(os.urandom(25 * 1024 * 1024)).replace(b"\n", b"\r\n")
    big = (b"From: a@exemple.org\r\nSubject: Gros\r\nMIME-Version: 1.0\r\n"
           b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\n'
           b"Content-Type: text/plain\r\n\r\nVoici le fichier\r\n--B\r\n"
           b'Content-Type: application/zip\r\nContent-Disposition: attachment; filename="a.zip"'
           b"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + attachment + b"\r\n--B--\r\n")
    code, answer = listener.send(big, "a@exemple.org", [open_list.address])
    assert code == 552, answer
    assert _count(ListMessage) == 0
    # the same limit applies when a message reaches the service another way
    outcomes = inbound.receive("a@exemple.org", [open_list.address],
                               b"From: a@exemple.org\r\n\r\n" + b"x" * (inbound.max_bytes() + 1))
    assert outcomes[0].code == 552


def test_the_size_limit_is_configurable(app, data_app):
    from intranet.lists.listener import make_controller
    data_app.config["LISTS_MAX_MESSAGE_BYTES"] = 1000
    try:
        assert inbound.receive("a@exemple.org", ["x@lists.territoires47.fr"],
                               b"From: a@exemple.org\r\n\r\n" + b"x" * 2000)[0].code == 552
    finally:
        data_app.config["LISTS_MAX_MESSAGE_BYTES"] = config.LISTS_MAX_MESSAGE_BYTES
    controller = make_controller(app, port=1, max_bytes=1234)
    try:
        assert controller.SMTP_kwargs["data_size_limit"] == 1234
    finally:
        controller.loop.close()
        controller.handler.close()


@pytest.mark.parametrize("charset", ["windows-1252", "iso-8859-1"])
def test_non_utf8_mail_is_archived_and_sent_in_the_right_characters(
        listener, smtp_sink, open_list, charset):
    body = "Réunion à l'hôtel de ville, 5 € la place." if charset == "windows-1252" \
        else "Réunion à l'hôtel de ville, prévoir 5 francs."
    raw = (f"From: =?{charset}?q?H=E9l=E8ne?= <helene@exemple.org>\r\n"
           f"To: {open_list.address}\r\nSubject: =?{charset}?q?R=E9union?=\r\n"
           f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset={charset}\r\n"
           "Content-Transfer-Encoding: 8bit\r\n\r\n").encode() + body.encode(charset) + b"\r\n"
    assert listener.send(raw, "helene@exemple.org", [open_list.address])[0] == 250
    message = db.session.scalar(select(ListMessage))
    assert message.subject == "Réunion" and message.sender_name == "Hélène"
    assert message.body_text == body
    builders.drain()
    (copy,) = smtp_sink.sink.to("lecteur@exemple.org")
    assert body in copy.get_content()


def test_undeclared_8bit_headers_and_unknown_charsets_do_not_crash(listener, open_list):
    raw = (b"From: Ren\xe9 <rene@exemple.org>\r\nTo: x\r\nSubject: Caf\xe9\r\n"
           b"Content-Type: text/plain; charset=x-inconnu\r\n\r\nTh\xe9 ou caf\xe9\r\n")
    assert listener.send(raw, "rene@exemple.org", [open_list.address])[0] == 250
    message = db.session.scalar(select(ListMessage))
    assert message.subject == "Café" and message.body_text == "Thé ou café"


def test_html_only_mail_is_archived_as_text_with_its_attachment_kept(listener, open_list):
    raw = ("From: a@exemple.org\r\nTo: x\r\nSubject: Pièce\r\nMIME-Version: 1.0\r\n"
           'Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\n'
           "Content-Type: text/html; charset=utf-8\r\n\r\n<p>Bonjour <script>alert(1)</script>"
           "<b>tous</b></p>\r\n--B\r\nContent-Type: application/pdf\r\n"
           'Content-Disposition: attachment; filename="budget.pdf"\r\n'
           "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--B--\r\n")
    assert listener.send(raw, "a@exemple.org", [open_list.address])[0] == 250
    message = db.session.scalar(select(ListMessage))
    assert "Bonjour" in message.body_text and "<" not in message.body_text
    assert [a.file.original_name for a in message.attachments] == ["budget.pdf"]
    assert message.attachments_note == ""


@pytest.mark.parametrize("extra,sender", [
    ("Auto-Submitted: auto-replied", "vacances@exemple.org"),
    ("Precedence: bulk", "lettre@exemple.org"),
    ("Precedence: junk", "x@exemple.org"),
    ("List-Id: Autre <liste1.lists.territoires47.fr>", "x@exemple.org"),
    ("X-Loop: liste1@lists.territoires47.fr", "x@exemple.org"),
    ("", ""),   # empty envelope sender: a bounce
])
def test_automatic_mail_to_a_list_is_dropped_without_answer(listener, open_list, extra, sender):
    code, _ = listener.send(builders.email("Robot <robot@exemple.org>", open_list.address,
                                           "Absent", "Je suis absent", extra=extra),
                            sender, [open_list.address])
    assert code == 250
    assert _count(ListMessage) == 0 and _count(OutboxMessage) == 0 and _count(FanoutJob) == 0


def test_bounces_are_counted_per_subscriber_and_stop_delivery_past_the_threshold(listener):
    org = factories.make_org()
    admin = factories.make_user(org, Role.ADMIN)
    person = factories.make_user(org, Role.MEMBER)
    mlist = builders.make_list(factories.org_space(org), admin, bounce_threshold=2)
    outside, healthy = builders.add_outside(mlist, ["perdu@exemple.org", "ok@exemple.org"])
    member_sub = services.subscribe_user(mlist, person)
    dsn = ("From: MAILER-DAEMON@mx.exemple.org\r\nTo: {to}\r\nSubject: Undelivered\r\n"
           "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
           'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\r\n\r\n'
           "--R\r\nContent-Type: text/plain\r\n\r\nEchec\r\n--R\r\n"
           "Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
           "Final-Recipient: rfc822; perdu@exemple.org\r\nAction: failed\r\nStatus: 5.1.1\r\n"
           "\r\n--R--\r\n")
    vacation = builders.email("perdu@exemple.org", "x", "Absent", "En vacances",
                              extra="Auto-Submitted: auto-replied")
    for sub in (outside, member_sub):
        address = services.bounce_address(sub)
        assert listener.send(vacation, "perdu@exemple.org", [address])[0] == 250
        db.session.refresh(sub)
        assert sub.bounce_count == 0  # an auto-reply is not a delivery failure
        for _ in range(2):
            assert listener.send(dsn.format(to=address), "", [address])[0] == 250
        db.session.refresh(sub)
        assert sub.bounce_count == 2 and sub.status == SubscriberStatus.DISABLED
    db.session.refresh(healthy)
    assert healthy.bounce_count == 0 and healthy.status == SubscriberStatus.ACTIVE
    told = [m.recipient for m in db.session.scalars(select(OutboxMessage))]
    assert "perdu@exemple.org" in told and person.email in told
    notice = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient == "perdu@exemple.org"))
    assert "bounce@" in notice.headers  # its own bounce would be dropped: no loop
    # a forged bounce address counts nothing
    forged = f"bounce+{healthy.id}-aaaaaaaaaaaaaaaa@lists.territoires47.fr"
    assert listener.send(dsn.format(to=forged), "", [forged])[0] == 250
    db.session.refresh(healthy)
    assert healthy.bounce_count == 0
    # delivery skips the disabled subscribers
    services.post_from_web(mlist, admin, subject="Après", body="Texte")
    fanout.run_fanout()
    recipients = {m.recipient for m in db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.subject.like("%Après%")))}
    assert recipients == {"ok@exemple.org"}


def test_a_bounce_of_our_own_notices_is_dropped(listener, open_list):
    code, _ = listener.send("From: MAILER-DAEMON@x\r\nSubject: failure\r\n\r\nfailed\r\n", "",
                            [services.discard_address()])
    assert code == 250 and _count(OutboxMessage) == 0


def test_a_reply_address_is_handed_to_its_handler_and_auto_replies_are_not(listener):
    seen = []
    replies.register_handler("test-liste", lambda user, target, text, msg: seen.append(
        (user.id, target, text)))
    try:
        user = factories.make_user(factories.make_org())
        address = replies.reply_address(user, "test-liste", 42)
        reply = builders.email(user.email, address, "Re: sujet",
                               "D'accord pour jeudi.\r\n\r\nLe 3 mai, X a écrit :\r\n> question")
        assert listener.send(reply, user.email, [address])[0] == 250
        assert seen == [(user.id, 42, "D'accord pour jeudi.")]
        auto = builders.email(user.email, address, "Absent", "Absent",
                              extra="Auto-Submitted: auto-replied")
        assert listener.send(auto, user.email, [address])[0] == 250
        assert len(seen) == 1
        code, answer = listener.send(reply, user.email, [address.replace("reply+", "reply+x")])
        assert code == 550
    finally:
        replies.HANDLERS.pop("test-liste", None)


def test_the_same_message_delivered_twice_is_archived_and_sent_once(listener, open_list):
    mail = builders.email("a@exemple.org", open_list.address, "Une fois", "Texte",
                          message_id="<unique-1@exemple.org>")
    for _ in range(2):
        assert listener.send(mail, "a@exemple.org", [open_list.address])[0] == 250
    assert _count(ListMessage) == 1 and _count(FanoutJob) == 1


def test_an_internal_error_keeps_the_message_in_quarantine(open_list, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("panne simulée")
    monkeypatch.setattr(inbound, "_post", boom)
    outcomes = inbound.receive("a@exemple.org", [open_list.address],
                               builders.email("a@exemple.org", "x", "S", "T").encode())
    assert outcomes[0].code == 554
    assert "panne simulée" in db.session.scalar(select(QuarantinedMail.reason))
