"""What the header shows: the signed-in person's organisations and spaces."""
from flask import has_request_context
from flask_login import current_user

from .. import access
from ..core.text import collation_key, french_sorted
from .models import SpaceKind

_ORDER = {SpaceKind.OPEN: 0, SpaceKind.ORGANISATION: 1, SpaceKind.GROUP: 2}


def my_spaces(user) -> list[access.ReachedSpace]:
    """The spaces a person is a member of and that are not archived, open space first, then
    organisations, then groups: read from ``access.reach``, which the request reads once."""
    found = access.reach(user)
    if found is None:
        return []
    return sorted((s for s in found.spaces if not s.archived),
                  key=lambda s: (_ORDER[SpaceKind(s.kind)], collation_key(s.name)))


def navigation_context() -> dict:
    if not has_request_context() or not current_user.is_authenticated:
        return {"nav_organisations": [], "nav_spaces": []}
    return {"nav_organisations": french_sorted((m.organisation for m in current_user.memberships),
                                               key=lambda org: org.name),
            "nav_spaces": my_spaces(current_user)}
