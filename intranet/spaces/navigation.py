"""What the header shows: the organisation the person works for, their organisations (each
once: an organisation's home holds its private space) and their other spaces."""
from flask import has_request_context, url_for
from flask_login import current_user

from .. import access
from ..accounts.working import my_organisations, working_organisation
from ..core.text import collation_key
from .models import SpaceKind

_ORDER = {SpaceKind.OPEN: 0, SpaceKind.GROUP: 2}


def my_spaces(user) -> list[access.ReachedSpace]:
    """The spaces a person is a member of, other than their organisations' private spaces
    (reached from each organisation's home), not archived: the open space first, then the
    working groups, read from ``access.reach``, which the request reads once."""
    found = access.reach(user)
    if found is None:
        return []
    return sorted((s for s in found.spaces
                   if not s.archived and SpaceKind(s.kind) != SpaceKind.ORGANISATION),
                  key=lambda s: (_ORDER[SpaceKind(s.kind)], collation_key(s.name)))


def space_home(space) -> str:
    """The address of a space's home: an organisation's private space lives on the
    organisation's home (one place per organisation); other spaces have their own."""
    if SpaceKind(space.kind) == SpaceKind.ORGANISATION:   # (a group's organisation: not read)
        organisation = getattr(space, "organisation", None)
        if organisation is not None:
            return url_for("accounts.organisation", slug=organisation.slug)
    return url_for("spaces.show", slug=space.slug)


def navigation_context() -> dict:
    """The header's organisations and spaces; ``nav_organisation_keys`` gives the
    organisations as the header's fragments take them (``core/fragments.py``): (id, slug,
    name), plain values that say when the header must be drawn again."""
    if not has_request_context() or not current_user.is_authenticated:
        return {"nav_organisations": [], "nav_organisation_keys": (), "nav_spaces": (),
                "working_for": None}
    organisations = my_organisations(current_user)
    return {"nav_organisations": organisations,
            "nav_organisation_keys": tuple((o.id, o.slug, o.name) for o in organisations),
            "working_for": working_organisation(current_user, organisations),
            "nav_spaces": tuple(my_spaces(current_user))}
