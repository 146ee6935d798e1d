"""Organisation A's personal data for the route matrix: A's member has asked for the erasure of
their account (pending: the platform admin sees it in the list) and had an earlier request
refused (the sample: deciding it again changes nothing). Nobody else decides either, and each
outsider's archive is their own."""
from intranet.core.timeutil import utcnow
from intranet.extensions import db
from intranet.privacy import services
from intranet.privacy.models import ErasureRequest, ErasureStatus

from .. import factories


def build(world):
    member = world["a_member"]
    refused = ErasureRequest(user_id=member.id, status=ErasureStatus.REFUSED,
                             decided_at=utcnow(), decided_by_id=world["people"]["platform_admin"].id,
                             refusal_reason="Dossier en cours.")
    db.session.add(refused)
    db.session.commit()
    services.request_erasure(member, password=factories.PASSWORD, note="Je change de poste.")
    return {("privacy", "request_id"): [refused.id]}
