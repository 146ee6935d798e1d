"""The directory's decisions (``intranet/contacts/``): which of a person's details a viewer
reads, and who sees and keeps an organisation's outside contacts. Re-exported by the package:
callers write ``access.directory_details``.

In words:
- the directory of people is the network's (signed-in people, ``can_read_directory``);
- each person chooses what the network reads of them: their email (shown by default), their
  phone (hidden by default), their function and unit (shown by default). The person, the
  administrators of one of their organisations and the platform admin read everything
  (``sees_all_details``). A hidden function is also never *searched*: a filter by function
  finds a person only where the viewer may read it (``function_readable``);
- an outside contact is seen by the members of the organisation that keeps it and, if it is
  shared with a space, by that space's members; it is written (added, changed, deleted,
  imported, shared) by the organisation's editors and admins. The platform admin reads none
  that is not theirs: it is content, not structure.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import false, or_, select, true

from ..accounts.models import Membership, Organisation, User
from ..contacts.models import OutsideContact
from ..core.types import Role
from ..extensions import db
from ..spaces.models import Space, SpaceKind
from . import (_signed_in, can_read_directory, is_platform_admin, is_space_member,
               member_space_ids, org_role, register_own_decisions)


@dataclass(frozen=True)
class DirectoryDetails:
    """Which details of one person a viewer reads."""
    email: bool
    phone: bool
    function: bool


NOTHING = DirectoryDetails(False, False, False)


def _administered_ids(user) -> set[int]:
    return {m.organisation_id for m in user.memberships if m.role == Role.ADMIN}


def sees_all_details(viewer, person: User) -> bool:
    """The person themself, an admin of one of their organisations, the platform admin."""
    return _sees_all(viewer, person.id, {m.organisation_id for m in person.memberships})


def _sees_all(viewer, person_id: int, organisation_ids) -> bool:
    if not _signed_in(viewer):
        return False
    if viewer.id == person_id or is_platform_admin(viewer):
        return True
    return bool(_administered_ids(viewer) & set(organisation_ids))


def directory_details(viewer, person: User) -> DirectoryDetails:
    """What ``viewer`` reads of ``person`` in the directory, its exports and the profile page."""
    return directory_details_of(viewer, person.id, {m.organisation_id for m in person.memberships},
                                DirectoryDetails(person.show_email, person.show_phone,
                                                 person.show_function))


def directory_details_of(viewer, person_id: int, organisation_ids,
                         shown: DirectoryDetails) -> DirectoryDetails:
    """``directory_details`` of a person read as plain values (the directory's pages, kept by
    the process): their id, their organisations' ids, what they chose to show."""
    if not can_read_directory(viewer):
        return NOTHING
    if _sees_all(viewer, person_id, organisation_ids):
        return DirectoryDetails(True, True, True)
    return shown


def function_readable(viewer):
    """WHERE clause on ``User``: the twin of ``directory_details(viewer, person).function``."""
    if not can_read_directory(viewer):
        return false()
    if is_platform_admin(viewer):
        return true()
    administered = sorted(_administered_ids(viewer))
    clauses = [User.show_function.is_(True), User.id == viewer.id]
    if administered:
        clauses.append(User.id.in_(select(Membership.user_id)
                                   .where(Membership.organisation_id.in_(administered))))
    return or_(*clauses)


# --- outside contacts ---------------------------------------------------------------------------


def can_keep_outside_contacts(user, organisation: Organisation) -> bool:
    """Add, change, delete, import and share the outside contacts of ``organisation``: its
    editors and admins, while it is active."""
    role = org_role(user, organisation)
    return organisation.is_active and role is not None and role.rank >= Role.EDITOR.rank


def outside_contact_keepers(user) -> list[Organisation]:
    """The organisations whose outside contacts ``user`` keeps."""
    if not _signed_in(user):
        return []
    return [m.organisation for m in user.memberships
            if can_keep_outside_contacts(user, m.organisation)]


def can_view_outside_contact(user, contact: OutsideContact) -> bool:
    if not _signed_in(user):
        return False
    if org_role(user, contact.organisation) is not None:
        return True
    return contact.space is not None and is_space_member(user, contact.space)


def can_edit_outside_contact(user, contact: OutsideContact) -> bool:
    return can_keep_outside_contacts(user, contact.organisation)


def visible_outside_contacts(user):
    """WHERE clause on ``OutsideContact``: the twin of ``can_view_outside_contact``."""
    if not _signed_in(user):
        return false()
    own = [m.organisation_id for m in user.memberships] or [-1]
    return or_(OutsideContact.organisation_id.in_(own),
               OutsideContact.space_id.in_(member_space_ids(user)))


def shareable_spaces(user, organisation: Organisation) -> list[Space]:
    """The spaces an outside contact of ``organisation`` may be shared with by ``user``: the
    groups they are a member of, not archived (the organisation's own space adds nobody, the
    open space would make it the whole network's)."""
    if not can_keep_outside_contacts(user, organisation):
        return []
    return list(db.session.scalars(
        select(Space).where(Space.id.in_(member_space_ids(user)), Space.kind == SpaceKind.GROUP,
                            Space.archived.is_(False)).order_by(Space.name)))


def can_share_outside_contact_with(user, organisation: Organisation, space: Space) -> bool:
    return any(s.id == space.id for s in shareable_spaces(user, organisation))


register_own_decisions(OutsideContact, view=can_view_outside_contact, edit=can_edit_outside_contact)
