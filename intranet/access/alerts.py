"""Aid alerts (saved searches of the aids directory mailed to an address): who manages one.
Part of ``intranet.access``, which re-exports every name.

In words:
- anyone subscribes, signed in or not (a visitor confirms the address first);
- an alert is changed or deleted by its owner, signed in, from « Mes alertes »; or by whoever
  holds its unsubscribe token, the link of its mails, without signing in;
- nobody else, not even the platform admin: an alert is a person's address and interests.
"""
from __future__ import annotations

from ..core.alerts import token_matches
from . import _signed_in


def owns_aid_alert(user, alert) -> bool:
    """The signed-in person the alert belongs to."""
    return _signed_in(user) and alert.user_id is not None and alert.user_id == user.id


def can_manage_aid_alert(user, alert, token: str | None = None) -> bool:
    """Change the frequency of, or delete, ``alert``: its owner, or the holder of its token."""
    if token_matches(alert.token, token):
        return True
    return owns_aid_alert(user, alert)
