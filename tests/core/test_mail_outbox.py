"""The outbox: mail is queued with the change that causes it and sent later, with retries."""
import socket
from datetime import timedelta

from intranet.core.timeutil import utcnow
from intranet.extensions import db
from intranet.mail import services as mail
from intranet.mail.models import OutboxMessage, OutboxStatus


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _queue():
    message = OutboxMessage(recipient="a@exemple.fr", subject="Sujet", body_text="Corps")
    db.session.add(message)
    db.session.commit()
    return message


def test_without_smtp_server_the_worker_prints_the_message(runner):
    message = _queue()
    result = runner.invoke(args=["mail", "worker", "--once"])
    assert "À : a@exemple.fr" in result.output and "Corps" in result.output
    # The log never calls a printed mail sent.
    assert "1 affiché(s) ci-dessus sans être envoyé(s)" in result.output
    assert "envoyé(s)," not in result.output and "1 envoyé" not in result.output
    db.session.refresh(message)
    assert message.status == OutboxStatus.SENT and message.sent_at is not None


def test_smtp_failure_keeps_the_message_and_retries_later(data_app):
    message = _queue()
    data_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port())
    try:
        assert mail.send_due() == mail.Delivery(sent=0, failed=1)
        db.session.refresh(message)
        assert message.status == OutboxStatus.PENDING and message.attempts == 1
        assert "ConnectionRefusedError" in message.last_error
        assert message.next_attempt_at > utcnow() + timedelta(seconds=30)
        assert mail.send_due() == mail.Delivery(sent=0, failed=0)  # not due yet: nothing hammered
        message.next_attempt_at = utcnow()
        db.session.commit()
        mail.send_due()
        db.session.refresh(message)
        assert message.attempts == 2
        first_delay = data_app.config["MAIL_RETRY_BASE_SECONDS"]
        assert message.next_attempt_at > utcnow() + timedelta(seconds=first_delay * 1.5)
    finally:
        data_app.config.update(MAIL_SERVER=None, MAIL_PORT=25)


def test_after_the_give_up_delay_the_failure_is_shown_to_admins(data_app):
    message = _queue()
    message.created_at = utcnow() - timedelta(days=3)
    db.session.commit()
    data_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port())
    try:
        mail.send_due()
    finally:
        data_app.config.update(MAIL_SERVER=None, MAIL_PORT=25)
    db.session.refresh(message)
    assert message.status == OutboxStatus.FAILED
