"""Signed-out visitors: a refused read sends them to the sign-in page, and back to the address
once signed in, except where signing in would change nothing. Part of ``intranet.access``,
which re-exports every name (callers import ``access``)."""
from __future__ import annotations

from . import _signed_in

# Addresses where signing in would change nothing, so that a signed-out visitor's 404 there stays
# a 404: static files; feeds, read by programs that cannot sign in (a private feed's token is its
# permission; the public feeds, for one organisation or all, list public items only); the
# procurement nomenclatures, public reference data with no visibility of their own; and the links
# sent by mail whose token is the permission (they answer their own « lien invalide » page).
ANSWERED_WITHOUT_SIGN_IN = frozenset({
    "static", "core.security_txt",
    "aids.feed", "deliberations.feed", "press.feed", "procurement.feed",
    "aids.private_feed", "deliberations.private_feed", "press.private_feed",
    "press.organisation_feed", "agenda.feed", "jobs.feed", "jobs.confirm", "ads.feed",
    "subsidies.scdl_export",
    "procurement.nomenclature", "procurement.code",
    "lists.confirm", "lists.unsubscribe_page", "lists.change_address_by_link",
    "lists.confirm_address", "ads.renew", "aids.confirm_alert",
    "aids.unsubscribe_alert", "search.unsubscribe",
    "sharing.show",   # a link shared outside the network: its token is the permission
})


def must_sign_in_first(user, method: str, endpoint: str | None, status: int) -> bool:
    """A signed-out visitor whose read is refused (404 or 403) is sent to the sign-in page, and
    brought back to the address once signed in, rather than left on « Page introuvable ».

    The answer is the same whether the address exists or not, so it reveals nothing: every read
    of an address a route answers is redirected, except where signing in would change nothing
    (``ANSWERED_WITHOUT_SIGN_IN``). An address no route answers (``endpoint`` None) stays 404:
    it can hold nothing. Signed-in people keep their 404 and 403; refused writes their 403."""
    return (status in (403, 404) and method in ("GET", "HEAD") and endpoint is not None
            and endpoint not in ANSWERED_WITHOUT_SIGN_IN and not _signed_in(user))
