"""What the header shows: the signed-in person's organisations and spaces."""
from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import select

from .. import access
from ..core.text import collation_key, french_sorted
from ..extensions import db
from .models import Space, SpaceKind


def my_spaces(user) -> list[Space]:
    """The spaces a person is a member of, open space first, then organisations, then groups."""
    if not user.is_authenticated:
        return []
    if "_my_spaces" not in g:
        order = {SpaceKind.OPEN: 0, SpaceKind.ORGANISATION: 1, SpaceKind.GROUP: 2}
        spaces = db.session.scalars(
            select(Space).where(Space.id.in_(access.member_spaces(user)),
                                Space.archived.is_(False))).all()
        g._my_spaces = sorted(spaces, key=lambda s: (order[s.kind], collation_key(s.name)))
    return g._my_spaces


def navigation_context() -> dict:
    if not has_request_context() or not current_user.is_authenticated:
        return {"nav_organisations": [], "nav_spaces": []}
    return {"nav_organisations": french_sorted((m.organisation for m in current_user.memberships),
                                               key=lambda org: org.name),
            "nav_spaces": my_spaces(current_user)}
