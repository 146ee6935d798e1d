"""The job exchange: who applies, and who reads applications. Part of ``intranet.access``,
which re-exports every name. Offers themselves follow the rules of every publication
(``can_view_publication``, ``can_edit_publication``).

In words:
- an offer online takes applications until its closing date, from anyone who may see it;
- applications are personal data: read (and their CV and letter downloaded) by the admins of
  the publishing organisation and by the centre de gestion (its editors and admins), nobody
  else — not the platform admin, not the publisher's editors;
- the centre de gestion sees every offer of the département and its statistics.
"""
from __future__ import annotations

from flask_login import current_user
from sqlalchemy import or_, select

from ..accounts.models import Membership, Organisation, OrgKind, User
from ..core.timeutil import today_paris
from ..core.types import Role
from ..jobs.models import JobOffer
from ..publications.lifecycle import PublicationStatus
from . import TEMPLATE_GLOBALS, _signed_in, can_view_publication, org_role


def is_centre_de_gestion(user) -> bool:
    """An editor or admin of a centre de gestion."""
    return _signed_in(user) and any(
        m.organisation.kind == OrgKind.CENTRE_GESTION and m.role.rank >= Role.EDITOR.rank
        for m in user.memberships)


def can_apply(user, offer: JobOffer) -> bool:
    return (offer.status == PublicationStatus.PUBLISHED and offer.closes_on is not None
            and offer.closes_on >= today_paris() and can_view_publication(user, offer))


def can_read_applications(user, offer: JobOffer) -> bool:
    return _signed_in(user) and (org_role(user, offer.organisation) == Role.ADMIN
                                 or is_centre_de_gestion(user))


def application_readers(offer: JobOffer):
    """SELECT of the ids of the active people who read ``offer``'s applications: twin of
    ``can_read_applications``."""
    admins = select(Membership.user_id).where(Membership.organisation_id == offer.organisation_id,
                                              Membership.role == Role.ADMIN)
    cdg = (select(Membership.user_id)
           .join(Organisation, Organisation.id == Membership.organisation_id)
           .where(Organisation.kind == OrgKind.CENTRE_GESTION,
                  Membership.role.in_([Role.EDITOR, Role.ADMIN])))
    return select(User.id).where(User.active.is_(True),
                                 or_(User.id.in_(admins), User.id.in_(cdg)))


TEMPLATE_GLOBALS.update({
    "can_read_applications": lambda offer: can_read_applications(current_user._get_current_object(), offer),
    "is_centre_de_gestion": lambda: is_centre_de_gestion(current_user._get_current_object()),
})
