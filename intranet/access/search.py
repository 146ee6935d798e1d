"""Search: where a person may limit a search to, and their saved searches. Part of
``intranet.access``, which re-exports every name.

In words:
- a search may be limited to a space, a forum, a list or an organisation the person may see;
  one they may not see is answered as one that does not exist (and, the permission filter
  being inside the query, finds nothing);
- saving a search is for signed-in people; a saved search is read, changed and deleted by its
  owner only — or deleted by whoever holds the unsubscribe link of its mails, without signing
  in; nobody else, not even the platform admin: it is a person's interests.
"""
from __future__ import annotations

from ..core.alerts import token_matches
from ..forums.models import Forum
from . import _signed_in, can_view


def can_search_in(user, place) -> bool:
    """Limit a search to ``place`` (a space, forum, list or organisation) by name."""
    if isinstance(place, Forum):
        return can_view(user, place.space)   # a forum follows its space
    return can_view(user, place)


def can_save_search(user) -> bool:
    return _signed_in(user)


def owns_saved_search(user, saved) -> bool:
    return _signed_in(user) and saved.user_id == user.id


def can_unsubscribe_saved_search(user, saved, token: str | None = None) -> bool:
    """Stop the mails of ``saved``: its owner, or the holder of its link's token."""
    return token_matches(saved.token, token) or owns_saved_search(user, saved)
