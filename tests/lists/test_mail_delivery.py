"""Posting by email through the real listener, fan-out by the worker, delivery to a real SMTP
server: every subscriber gets the post once, with the list headers; nothing is lost while the
SMTP server is down."""
from datetime import timedelta

from sqlalchemy import func, select

from intranet.core.types import Role
from intranet.core.timeutil import utcnow
from intranet.extensions import db
from intranet.lists import fanout, services
from intranet.lists.models import FanoutJob, ListMessage, MessageStatus
from intranet.mail import services as mail
from intranet.mail.models import OutboxMessage, OutboxStatus

from .. import factories
from . import builders


def _list_with(count, **settings):
    org = factories.make_org()
    admin = factories.make_user(org, Role.ADMIN, email="maire@mairie-test.fr")
    mlist = builders.make_list(factories.org_space(org), admin, name="conseil",
                               title="Conseil municipal", **settings)
    subs = builders.add_outside(mlist, [f"abonne{i}@exemple.org" for i in range(count)])
    return mlist, admin, subs


def test_a_post_by_email_reaches_each_of_200_subscribers_once_with_list_headers(
        listener, smtp_sink):
    mlist, admin, subs = _list_with(200)
    builders.add_outside(mlist, ["auteur@exemple.org"])
    code, text = listener.send(builders.email("Zoé Auteur <auteur@exemple.org>", mlist.address,
                                              "Ordre du jour", "Réunion jeudi à 18 h.",
                                              message_id="<odj-1@exemple.org>"),
                               "auteur@exemple.org", [mlist.address])
    assert code == 250, text
    archived = db.session.scalar(select(ListMessage))
    assert archived.status == MessageStatus.PUBLISHED and archived.source == "email"

    builders.drain()

    received = smtp_sink.sink.received
    recipients = [rcpt for _frm, rcpts, _m in received for rcpt in rcpts]
    assert len(recipients) == 201 and len(set(recipients)) == 201
    assert set(recipients) == {s.email for s in subs} | {"auteur@exemple.org"}
    for envelope_from, (rcpt,), message in received:
        assert envelope_from.startswith("bounce+") and envelope_from.endswith("@" + services.lists_domain())
        assert message["List-Id"] == f"Conseil municipal <conseil.{services.lists_domain()}>"
        assert message["List-Post"] == f"<mailto:{mlist.address}>"
        assert message["List-Archive"].startswith("<http://territoires.test/espaces/")
        assert "mailto:unsubscribe+" in message["List-Unsubscribe"]
        assert "<http://territoires.test/listes/desabonnement/" in message["List-Unsubscribe"]
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message["Message-ID"] == "<odj-1@exemple.org>"
        assert message["Subject"] == "[conseil] Ordre du jour"
        assert message["Reply-To"] == mlist.address
        # exemple.org is not our domain: sent as is, it would fail DMARC alignment
        assert message["From"].addresses[0].addr_spec == mlist.address
        assert "Zoé Auteur via Conseil municipal" in message["From"]
        assert "Réunion jeudi à 18 h." in message.get_content()
    # each copy's unsubscribe link is its own subscriber's
    links = {m["List-Unsubscribe"] for _f, _r, m in received}
    assert len(links) == 201
    assert db.session.scalar(select(FanoutJob)).done
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.status != OutboxStatus.SENT)) == 0


def test_while_the_smtp_server_is_down_nothing_is_lost_and_all_is_delivered_later(
        listener, smtp_sink):
    mlist, admin, subs = _list_with(30, posting="anyone")
    smtp_sink.stop()  # the outbound server goes down
    code, _ = listener.send(builders.email("quelqu.un@exemple.net", mlist.address, "Panne",
                                           "Message envoyé pendant la panne."),
                            "quelqu.un@exemple.net", [mlist.address])
    assert code == 250
    fanout.run_fanout()
    assert mail.send_due(limit=500) == mail.Delivery(sent=0, failed=30)
    pending = builders.pending_outbox()
    assert len(pending) == 30 and all(m.attempts == 1 and m.last_error for m in pending)

    for _ in range(2):  # a second failed attempt, later
        db.session.execute(OutboxMessage.__table__.update().values(next_attempt_at=utcnow()))
        db.session.commit()
        mail.send_due(limit=500)
    assert len(builders.pending_outbox()) == 30

    smtp_sink.start()  # back
    db.session.execute(OutboxMessage.__table__.update().values(
        next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    builders.drain()
    recipients = sorted(r for _f, rcpts, _m in smtp_sink.sink.received for r in rcpts)
    assert recipients == sorted(s.email for s in subs)
    assert builders.pending_outbox() == []


def test_our_own_domain_keeps_its_from_and_reply_to_can_be_the_sender(listener, smtp_sink):
    mlist, admin, subs = _list_with(2, reply_to="sender")
    builders.add_outside(mlist, ["agent@territoires47.fr"])
    listener.send(builders.email("Agent <agent@territoires47.fr>", mlist.address, "Note", "Texte"),
                  "agent@territoires47.fr", [mlist.address])
    builders.drain()
    message = smtp_sink.sink.to(subs[0].email)[0]
    assert message["From"].addresses[0].addr_spec == "agent@territoires47.fr"
    assert message["Reply-To"].addresses[0].addr_spec == "agent@territoires47.fr"


def test_daily_digests_queued_while_the_smtp_server_is_down_arrive_once_when_it_is_back(
        smtp_sink):
    """The same for the daily digest: queued while the server is down for an hour, each
    person's digest is delivered once when it is back, and not queued again that day."""
    from intranet.notifications import services as notifications
    from intranet.notifications.models import Delivery
    notifications.register_kind("test.outage", "Nouvelles (panne)", Delivery.DIGEST)
    people = [factories.make_user(email=f"resume{n}@exemple.fr") for n in range(5)]
    notifications.notify(people, "test.outage", "Compte rendu du conseil", body="En ligne.")
    db.session.commit()
    smtp_sink.stop()
    assert notifications.send_digests() == 5
    assert mail.send_due(limit=500) == mail.Delivery(sent=0, failed=5)
    an_hour_later = utcnow() + timedelta(hours=1)
    db.session.execute(OutboxMessage.__table__.update().values(next_attempt_at=utcnow()))
    db.session.commit()
    mail.send_due(limit=500)                         # still down
    assert notifications.send_digests(now=an_hour_later) == 0
    assert len(builders.pending_outbox()) == 5

    smtp_sink.start()
    db.session.execute(OutboxMessage.__table__.update().values(
        next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    builders.drain()
    recipients = sorted(r for _f, rcpts, _m in smtp_sink.sink.received for r in rcpts)
    assert recipients == sorted(p.email for p in people)
    assert "Compte rendu du conseil" in smtp_sink.sink.to(people[0].email)[0].get_content()
    assert builders.pending_outbox() == []
