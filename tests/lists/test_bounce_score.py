"""The bounce score: a permanent failure (DSN status 5.x.x) counts 1, a temporary one
(4.x.x, « delayed ») 0.5; delivery stops at the list's threshold; bounces older than
LISTS_BOUNCE_RETENTION_DAYS are forgotten by the worker's daily round."""
from datetime import timedelta

from sqlalchemy import update

from intranet.core.timeutil import utcnow
from intranet.core.types import Role
from intranet.extensions import db
from intranet.lists import services
from intranet.lists.models import ListBounce, SubscriberStatus

from .. import factories
from ..helpers import text
from . import builders


def _dsn(to, action, status):
    return ("From: MAILER-DAEMON@mx.exemple.org\r\nTo: {to}\r\nSubject: Delivery report\r\n"
            "MIME-Version: 1.0\r\n"
            'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\r\n\r\n'
            "--R\r\nContent-Type: text/plain\r\n\r\nRapport\r\n--R\r\n"
            "Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.exemple.org\r\n"
            "\r\nFinal-Recipient: rfc822; perdu@exemple.org\r\n"
            f"Action: {action}\r\nStatus: {status}\r\n\r\n--R--\r\n").format(to=to)


def _world():
    org = factories.make_org()
    admin = factories.make_user(org, Role.ADMIN)
    mlist = builders.make_list(factories.org_space(org), admin, bounce_threshold=2)
    (sub,) = builders.add_outside(mlist, ["perdu@exemple.org"])
    return mlist, admin, sub


def _score_shown(client, mlist):
    url = mlist if isinstance(mlist, str) else \
        f"/espaces/{mlist.space.slug}/listes/{mlist.name}/abonnes"
    page = text(client.get(url))
    row = page.split("perdu@exemple.org</td>")[1].split("</tr>")[0]
    return row.split('data-label="Erreurs">')[1].split("<")[0], row


def test_hard_bounces_count_one_soft_ones_half_and_delivery_stops_at_the_threshold(
        listener, client, login):
    mlist, admin, sub = _world()
    address = services.bounce_address(sub)
    login(admin)
    assert listener.send(_dsn(address, "delayed", "4.2.2"), "", [address])[0] == 250
    assert _score_shown(client, mlist)[0] == "0,5"
    listener.send(_dsn(address, "failed", "5.1.1"), "", [address])
    assert _score_shown(client, mlist)[0] == "1,5"
    db.session.refresh(sub)
    assert sub.status == SubscriberStatus.ACTIVE
    listener.send(_dsn(address, "delayed", "4.4.7"), "", [address])
    score, row = _score_shown(client, mlist)
    assert score == "2" and "Distribution suspendue" in row
    # a success report counts nothing
    listener.send(_dsn(address, "delivered", "2.0.0"), "", [address])
    assert _score_shown(client, mlist)[0] == "2"


def test_old_bounces_are_forgotten_by_the_worker_after_the_retention_period(
        listener, client, login, runner, app, data_app):
    mlist, admin, sub = _world()
    address = services.bounce_address(sub)
    login(admin)
    url = f"/espaces/{mlist.space.slug}/listes/{mlist.name}/abonnes"
    for status in ("5.1.1", "4.2.2"):
        listener.send(_dsn(address, "failed" if status[0] == "5" else "delayed", status), "",
                      [address])
    assert _score_shown(client, url)[0] == "1,5"
    for flask_app in (app, data_app):
        flask_app.config["LISTS_BOUNCE_RETENTION_DAYS"] = 30
    try:
        # the permanent failure is 40 days old, the temporary one 10 days old
        db.session.execute(update(ListBounce).where(ListBounce.hard.is_(True))
                           .values(received_at=utcnow() - timedelta(days=40)))
        db.session.execute(update(ListBounce).where(ListBounce.hard.is_(False))
                           .values(received_at=utcnow() - timedelta(days=10)))
        db.session.commit()
        result = runner.invoke(args=["worker", "--once"])
        assert result.exit_code == 0, result.output
        assert "1 erreur(s) de distribution ancienne(s) oubliée(s)" in result.output
    finally:
        for flask_app in (app, data_app):
            flask_app.config["LISTS_BOUNCE_RETENTION_DAYS"] = 90
    assert _score_shown(client, url)[0] == "0,5"   # (the worker ended the session's objects)
