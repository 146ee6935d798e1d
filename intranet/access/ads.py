"""Classified ads: who sees an ad, who manages it, who moderates them. Part of
``intranet.access``, which re-exports every name (callers import ``access``). Each SQL function
is the twin of a Python decision; tests/ads/test_access.py checks they agree.

In words:
- an ad that is online (published, not expired, not hidden) is seen as a publication: a
  ``public`` one by everyone, a ``network`` one by signed-in people;
- an ad that is not online (a draft, done, expired, hidden) is seen only by those who manage it
  and by the open space's moderators — not by the rest of its organisation: a personal ad is
  its author's business;
- an organisation's ad is managed by its editors and admins (``can_edit_publication``); a
  personal ad by its author only, while they still belong to the organisation it names;
- the open space's moderators (``can_moderate`` on the open space: its moderators and the
  platform admin) hide and restore ads and read the reports;
- signed-in people who see an ad may report it and write to its advertiser, except about their
  own.
"""
from __future__ import annotations

from flask_login import current_user
from sqlalchemy import and_, false, or_, select

from ..accounts.models import Membership, Organisation
from ..ads.models import Ad
from ..core.text import collation_key
from ..core.timeutil import utcnow
from ..core.types import Role, Visibility
from ..extensions import db
from ..publications.lifecycle import PublicationStatus
from ..spaces.models import Space, SpaceKind
from . import (TEMPLATE_GLOBALS, _signed_in, can_edit_publication, can_moderate, org_role,
               register_own_decisions)


def ad_publishers(user) -> list[Organisation]:
    """The organisations ``user`` may name on an ad: the active ones they belong to (a
    personal ad), by name; those where they are editor or admin may also publish in the
    organisation's own name (``can_edit_publication``)."""
    if not _signed_in(user):
        return []
    return sorted((m.organisation for m in user.memberships if m.organisation.is_active),
                  key=lambda org: collation_key(org.name))


def can_post_ad(user) -> bool:
    return bool(ad_publishers(user))


def can_post_ad_as(user, organisation: Organisation, personal: bool) -> bool:
    """A personal ad naming one of one's active organisations, or an ad in the name of an
    organisation one publishes for."""
    if not _signed_in(user) or not organisation.is_active:
        return False
    if personal:
        return org_role(user, organisation) is not None
    return can_edit_publication(user, organisation)


def can_manage_ad(user, ad: Ad) -> bool:
    if not _signed_in(user):
        return False
    if ad.personal:
        return ad.created_by_id == user.id and org_role(user, ad.organisation) is not None
    return can_edit_publication(user, ad.organisation)


def _open_space() -> Space | None:
    return db.session.scalar(select(Space).where(Space.kind == SpaceKind.OPEN))


def can_moderate_ads(user) -> bool:
    """The open space's moderators (and the platform admin, as anywhere they see)."""
    space = _open_space() if _signed_in(user) else None
    return space is not None and can_moderate(user, space)


def can_view_ad(user, ad: Ad) -> bool:
    if ad.is_live:
        return ad.visibility == Visibility.PUBLIC or _signed_in(user)
    # Hidden: also the moderators (their queue leads there, to restore it).
    return can_manage_ad(user, ad) or (ad.is_published and ad.hidden_at is not None
                                       and can_moderate_ads(user))


def can_report_ad(user, ad: Ad) -> bool:
    return _signed_in(user) and ad.is_live and can_view_ad(user, ad) \
        and not can_manage_ad(user, ad)


def can_contact_advertiser(user, ad: Ad) -> bool:
    """Write to whoever answers for the ad: signed in, the ad online, not one's own."""
    return can_report_ad(user, ad)


def live_ads(moment=None):
    """WHERE clause on ``Ad``: online at ``moment`` (published, not hidden, not expired; a
    bound parameter in a statement built once)."""
    return and_(Ad.status == PublicationStatus.PUBLISHED, Ad.hidden_at.is_(None),
                Ad.expires_at > (moment if moment is not None else utcnow()))


def visible_ads(user):
    """WHERE clause on ``Ad``, the twin of ``can_view_ad`` for what listings show: the ads
    online that ``user`` may read (what is not online is listed only in « Mes annonces »
    and in the moderators' queue, through ``managed_ads``)."""
    if _signed_in(user):
        return live_ads()
    return and_(live_ads(), Ad.visibility == Visibility.PUBLIC)


def managed_ads(user):
    """WHERE clause on ``Ad``: the twin of ``can_manage_ad`` (« Mes annonces »)."""
    if not _signed_in(user):
        return false()
    mine = select(Membership.organisation_id).where(Membership.user_id == user.id)
    publishing = select(Membership.organisation_id).where(
        Membership.user_id == user.id, Membership.role.in_([Role.EDITOR, Role.ADMIN]))
    return or_(and_(Ad.personal.is_(True), Ad.created_by_id == user.id,
                    Ad.organisation_id.in_(mine)),
               and_(Ad.personal.is_(False), Ad.organisation_id.in_(publishing)))


register_own_decisions(Ad, view=can_view_ad, edit=can_manage_ad)
TEMPLATE_GLOBALS.update({
    "can_manage_ad": lambda ad: can_manage_ad(current_user._get_current_object(), ad),
    "can_moderate_ads": lambda: can_moderate_ads(current_user._get_current_object()),
})
