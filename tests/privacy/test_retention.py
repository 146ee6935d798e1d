"""Retention periods from the configuration, applied by the worker's daily round, and the public
page that says them."""
from datetime import timedelta

from sqlalchemy import func, select

from intranet.accounts.sessions import UserSession
from intranet.core import audit
from intranet.core.audit import AuditEvent
from intranet.core.timeutil import utcnow
from intranet.extensions import db
from intranet.mail.models import OutboxMessage, OutboxStatus

from .. import factories
from ..helpers import text


def _session(user, *, days_ago: int, ended: bool) -> UserSession:
    when = utcnow() - timedelta(days=days_ago)
    row = UserSession(key_digest=f"{user.id:04d}{days_ago:04d}{int(ended)}".ljust(64, "0"),
                      user_id=user.id, created_at=when, last_seen_at=when,
                      ended_at=when if ended else None, end_reason="logout" if ended else "")
    db.session.add(row)
    return row


def test_the_worker_forgets_old_audit_lines_and_ended_sessions_never_a_live_one(runner, data_app,
                                                                               monkeypatch):
    monkeypatch.setitem(data_app.config, "PRIVACY_AUDIT_RETENTION_DAYS", 30)
    monkeypatch.setitem(data_app.config, "PRIVACY_SIGNIN_RETENTION_DAYS", 10)
    person = factories.make_user(factories.make_org())
    old_line = audit.record("login.success", actor=person, target=person.email)
    old_line.created_at = utcnow() - timedelta(days=31)
    recent_line = audit.record("login.success", actor=person, target=person.email)
    recent_line.created_at = utcnow() - timedelta(days=29)
    old_ended = _session(person, days_ago=11, ended=True)
    recent_ended = _session(person, days_ago=9, ended=True)
    live = _session(person, days_ago=0, ended=False)
    farewell = OutboxMessage(recipient="compte-9@personne-supprimee.invalid",
                             subject="Votre compte a été effacé", body_text="Bonjour,",
                             status=OutboxStatus.SENT)
    db.session.add(farewell)
    db.session.commit()
    ids = {"old_line": old_line.id, "recent_line": recent_line.id, "old": old_ended.id,
           "recent": recent_ended.id, "live": live.id}
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "données personnelles : 1 ligne(s) du journal, 1 session(s)" in result.output
    db.session.expire_all()
    assert db.session.get(AuditEvent, ids["old_line"]) is None
    assert db.session.get(AuditEvent, ids["recent_line"]) is not None
    assert db.session.get(UserSession, ids["old"]) is None
    assert db.session.get(UserSession, ids["recent"]) is not None
    assert db.session.get(UserSession, ids["live"]) is not None
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    done = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "privacy.retention_applied"))
    assert done.target == "1 ligne(s) du journal, 1 session(s)"


def test_the_public_page_says_the_periods_in_force_and_who_to_ask(client, app, monkeypatch):
    for key, value in (("PRIVACY_AUDIT_RETENTION_DAYS", 400),
                       ("PRIVACY_SIGNIN_RETENTION_DAYS", 120),
                       ("PRIVACY_CONTACT_EMAIL", "dpo@exemple.fr")):
        monkeypatch.setitem(app.config, key, value)
    home = client.get("/").get_data(as_text=True)
    assert 'href="/donnees-personnelles"' in home     # the footer, signed out
    page = text(client.get("/donnees-personnelles"))
    assert "400 jours" in page and "120 jours" in page
    assert f"{app.config['JOBS_APPLICATION_RETENTION_DAYS']} jours après la fin de l'offre" in page
    assert f"{app.config['LISTS_BOUNCE_RETENTION_DAYS']} jours" in page
    assert "dpo@exemple.fr" in page and "Effacer votre compte" in page
