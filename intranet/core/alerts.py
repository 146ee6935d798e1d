"""What every saved search mailed to a person shares — aid alerts (``publications/aids``) and
saved searches of the site (``search``): how often it is mailed and when it is due, the secret
token of its one-click unsubscribe link, the headers its mails carry (RFC 2369 and RFC 8058),
and the worker's loop that mails each due alert in its own transaction.

Each kind keeps its own table, its search and its mail's text; the mail itself goes through
the outbox (``mail.services.queue``) with ``unsubscribe_headers``.
"""
from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from flask import current_app

from .types import LabelledEnum
from .uow import transaction


class AlertFrequency(LabelledEnum):
    """How often an alert is mailed."""
    DAILY = "daily", "Chaque jour"
    WEEKLY = "weekly", "Chaque semaine"


# At most one mail per period (a little less than a day or a week: the worker runs hourly,
# and a round that starts a little earlier than the last must not skip a whole period).
INTERVALS = {AlertFrequency.DAILY: timedelta(hours=23),
             AlertFrequency.WEEKLY: timedelta(days=6, hours=12)}
SHORTEST = min(INTERVALS.values())
TOKEN_LENGTH = 64


def due_before(now: datetime) -> datetime:
    """Alerts last mailed at or before this may be due (the shortest period): a SQL bound
    to pick the candidates, ``is_due`` deciding for each."""
    return now - SHORTEST


def is_due(last_sent_at: datetime | None, frequency, now: datetime) -> bool:
    """Whether an alert mailed last at ``last_sent_at`` (None: never) is due at ``now``."""
    return last_sent_at is None or now - last_sent_at >= INTERVALS[AlertFrequency(frequency)]


def new_token() -> str:
    """The secret of an alert's unsubscribe link: valid until the alert is deleted."""
    return secrets.token_urlsafe(32)


def token_matches(secret: str | None, given: str | None) -> bool:
    """Whether a link's token is this alert's (constant time)."""
    return bool(secret and given and len(given) <= TOKEN_LENGTH
                and hmac.compare_digest(secret.encode(), given.encode()))


def unsubscribe_headers(unsubscribe_url: str) -> dict[str, str]:
    """The headers of an alert's mail: a mail client's « se désabonner » button posts to the
    link (RFC 8058 one-click), without a session or a form token."""
    return {"List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def send_each(ids: Iterable[int], step: Callable[[int], int], what: str) -> int:
    """The worker's round over due alerts: ``step(id)`` mails one (returns 1 if it queued a
    mail) in its own transaction, so that one failure — the alert stays due — costs nobody
    else their mail. Returns the mails queued."""
    sent = 0
    for alert_id in ids:
        try:
            with transaction():
                sent += step(alert_id)
        except Exception:  # noqa: BLE001 — one alert's failure must not stop the others
            current_app.logger.exception("%s %s : échec, nouvel essai plus tard", what, alert_id)
    return sent
