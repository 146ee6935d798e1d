"""What publishing and withdrawing mean for every publication with a simple life cycle
(aids, procurement notices): the status, the dates, and the open space's activity line."""
from __future__ import annotations

from ..accounts.models import User
from .lifecycle import PublicationStatus
from ..core.timeutil import utcnow
from ..spaces import services as spaces


def mark_published(publication, *, by: User, verb: str, summary: str, url: str) -> bool:
    """Publish (in the caller's transaction) and announce it; False if it already was."""
    if publication.status == PublicationStatus.PUBLISHED:
        return False
    publication.status = PublicationStatus.PUBLISHED
    publication.published_at = publication.published_at or utcnow()
    publication.updated_at = utcnow()
    spaces.record_activity(spaces.ensure_open_space(), verb, summary, actor=by, url=url,
                           visibility=publication.visibility)
    return True


def mark_withdrawn(publication, *, url: str) -> None:
    """Take it offline (kept for its publisher's members); its announcement goes too."""
    publication.status = PublicationStatus.WITHDRAWN
    publication.updated_at = utcnow()
    spaces.retract_activity(url)
