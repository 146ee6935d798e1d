"""The directory's queries and changes: finding people by name, function, organisation kind
and EPCI; their vCards and CSV rows (only what the viewer may read); an organisation's
officials; the outside contacts' changes and CSV import (all or nothing)."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

from .. import access
from ..accounts import finder
from ..accounts.models import (HEAD_FUNCTIONS, NAME_KEY_LENGTH, ORGANISATIONS, SECRETARY_FUNCTIONS,
                               Membership, Organisation, OrgKind, PersonFunction, User)
from ..core import audit, csvexport, csvimport, generations
from ..core.text import collation_key, french_sorted
from ..core.uow import unit_of_work
from ..extensions import db
from ..publications.orgcharts.models import OrgPosition, OrgUnit
from ..spaces.models import Space
from . import vcard
from .models import OutsideContact

# At most this many people are written to, or downloaded, at once.
EXPORT_LIMIT = 1000
WRITE_LIMIT = 200


class ContactError(ValueError):
    """A refused change; the message is French and meant for the person."""


# --- people ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the directory's form asks: a name, an organisation kind, an EPCI (its communes and
    itself), a function."""
    q: str = ""
    kind: OrgKind | None = None
    epci_id: int | None = None
    function: PersonFunction | None = None

    @property
    def empty(self) -> bool:
        return not (finder.words_of(self.q) or self.kind or self.epci_id or self.function)

    def args(self) -> dict:
        """The query string that gives these results again (for links and exports)."""
        found = {"q": self.q, "type": self.kind.value if self.kind else "",
                 "epci": self.epci_id or "", "fonction": self.function.value if self.function
                 else ""}
        return {name: value for name, value in found.items() if value}


def directory_people(viewer, filters: Filters):
    """SELECT of the active people of active organisations matching ``filters``, in French
    order. A function is matched only where ``viewer`` may read it."""
    organisations = select(Membership.user_id).join(Organisation).where(
        Organisation.is_active.is_(True))
    if filters.kind is not None:
        organisations = organisations.where(Organisation.kind == filters.kind)
    if filters.epci_id is not None:
        organisations = organisations.where(or_(Organisation.epci_id == filters.epci_id,
                                                Organisation.id == filters.epci_id))
    query = select(User).where(User.active.is_(True), User.id.in_(organisations))
    if filters.function is not None:
        query = query.where(User.function_kind == filters.function,
                            access.function_readable(viewer))
    words = finder.words_of(filters.q)
    if words:
        query = query.where(and_(*finder.name_matches(User.name_key, words)))
    return (query.options(selectinload(User.memberships).joinedload(Membership.organisation))
            .order_by(User.name_key, User.id))


def viewer_epci(viewer) -> Organisation | None:
    """The EPCI of the organisation ``viewer`` works for first (a commune's, or the EPCI
    itself), for the « … de mon intercommunalité » shortcuts."""
    for org in french_sorted((m.organisation for m in viewer.memberships), key=lambda o: o.name):
        if org.kind == OrgKind.EPCI and org.is_active:
            return org
        if org.epci is not None and org.epci.is_active:
            return org.epci
    return None


def epci_choices() -> tuple:
    """(id, name) of the active EPCIs, in French order."""
    return finder.active_of_kind(OrgKind.EPCI)


def units_of(people) -> dict[int, list[str]]:
    """The org chart units each person holds a position in (one statement)."""
    ids = [p.id for p in people]
    found: dict[int, list[str]] = defaultdict(list)
    if ids:
        rows = db.session.execute(select(OrgPosition.user_id, OrgUnit.name)
                                  .join(OrgUnit, OrgUnit.id == OrgPosition.unit_id)
                                  .where(OrgPosition.user_id.in_(ids))
                                  .order_by(OrgUnit.name))
        for user_id, name in rows:
            if name not in found[user_id]:
                found[user_id].append(name)
    return found


# What the directory lists of people is kept by each process (``generations.kept``) while no
# one's name, function, contact details or choices, membership, organisation or position in an
# org chart changes; what each viewer reads of it is chosen at each page.
DIRECTORY = "directory"
generations.watch(DIRECTORY, User, columns=(
    "first_name", "last_name", "name_key", "email", "phone", "function_kind", "function",
    "show_email", "show_phone", "show_function", "active"))
generations.watch(DIRECTORY, Membership)
generations.watch(DIRECTORY, OrgPosition)
generations.watch(DIRECTORY, OrgUnit, columns=("name",))


@dataclass(frozen=True)
class Listed:
    """A person as the directory lists them, the same for every viewer, as plain values:
    ``entries`` chooses what a viewer reads of them."""
    id: int
    first_name: str
    last_name: str
    full_name: str
    function: str
    function_kind: PersonFunction | None
    units: tuple[str, ...]
    organisation_ids: frozenset[int]
    organisations: tuple[str, ...]       # the active ones, in French order
    email: str
    phone: str
    shown: access.DirectoryDetails       # what they chose to show the network


def listed(people) -> list[Listed]:
    """``people`` (users, their memberships loaded) as the directory lists them; their units
    in one statement."""
    units = units_of(people)
    return [Listed(id=p.id, first_name=p.first_name, last_name=p.last_name,
                   full_name=p.full_name, function=p.function_label or "",
                   function_kind=p.function_kind,
                   units=tuple(units.get(p.id, ())),
                   organisation_ids=frozenset(m.organisation_id for m in p.memberships),
                   organisations=tuple(french_sorted(m.organisation.name for m in p.memberships
                                                     if m.organisation.is_active)),
                   email=p.email, phone=p.phone or "",
                   shown=access.DirectoryDetails(p.show_email, p.show_phone, p.show_function))
            for p in people]


def organisation_people(organisation_id: int) -> tuple[Listed, ...]:
    """An organisation's people (``access.directory_members_of``) as its page lists them, the
    same for every viewer (``entries`` chooses what each one reads): kept until one of them,
    their memberships or an organisation changes."""
    def read():
        theirs = aliased(Membership)
        members = db.session.scalars(
            access.directory_members_of(organisation_id)
            .join(theirs, theirs.user_id == User.id)
            .options(contains_eager(Membership.user)
                     .contains_eager(User.memberships.of_type(theirs))
                     .joinedload(theirs.organisation))
            .order_by(User.name_key, User.id, theirs.id)).unique()
        return tuple(listed([member.user for member in members]))
    return generations.kept((DIRECTORY, ORGANISATIONS), ("organisation's people", organisation_id),
                            read)


@dataclass
class Entry:
    """One person as ``viewer`` reads them: the hidden details are empty."""
    person: Listed
    function: str
    units: list[str]
    email: str
    phone: str

    @property
    def organisations(self) -> list[str]:
        return list(self.person.organisations)


def entries(viewer, people: list[Listed]) -> list[Entry]:
    viewer = access.resolved(viewer)     # asked about once per person
    made = []
    for person in people:
        shown = access.directory_details_of(viewer, person.id, person.organisation_ids,
                                            person.shown)
        made.append(Entry(person=person, function=person.function if shown.function else "",
                          units=list(person.units) if shown.function else [],
                          email=person.email if shown.email else "",
                          phone=person.phone if shown.phone else ""))
    return made


def person_card(entry: Entry) -> vcard.Card:
    person = entry.person
    return vcard.Card(full_name=person.full_name, last_name=person.last_name,
                      first_name=person.first_name, organisations=entry.organisations,
                      title=entry.function, emails=[entry.email] if entry.email else [],
                      phones=[entry.phone] if entry.phone else [],
                      note=", ".join(entry.units))


PEOPLE_COLUMNS = ["nom", "prenom", "fonction", "service", "organisations", "courriel",
                  "telephone"]


def people_csv(found: list[Entry]) -> str:
    """The directory's CSV: UTF-8 with a BOM and semicolons, as LibreOffice and Excel open it."""
    rows = ({"nom": e.person.last_name, "prenom": e.person.first_name, "fonction": e.function,
             "service": ", ".join(e.units), "organisations": ", ".join(e.organisations),
             "courriel": e.email, "telephone": e.phone} for e in found)
    return csvexport.render(PEOPLE_COLUMNS, rows, delimiter=";", bom=True)


def organisation_card(org: Organisation) -> vcard.Card:
    return vcard.Card(full_name=org.name, kind="org", organisations=[org.name],
                      emails=[org.email] if org.email else [],
                      phones=[org.phone] if org.phone else [], address=org.address or "",
                      note=org.opening_hours)


def officials(viewer, org: Organisation) -> dict[str, list[User]]:
    """Who heads ``org`` (mayor, president) and who runs it (secretary, DGS), read from its
    people's functions where ``viewer`` may read them — never typed twice."""
    wanted = HEAD_FUNCTIONS + SECRETARY_FUNCTIONS
    people = db.session.scalars(
        access.directory_members(org).with_only_columns(User)
        .where(User.function_kind.in_(wanted), access.function_readable(viewer))
        .order_by(User.name_key, User.id)).all()
    return _by_office(people)


def officials_among(people: list[Entry]) -> dict[str, list[Listed]]:
    """``officials`` from the people an organisation page has already read
    (``organisation_people``, by name, as its viewer reads them: ``entries``): the same
    answer, without a statement. A function counts where the viewer may read it, the twin of
    ``access.function_readable``."""
    wanted = set(HEAD_FUNCTIONS + SECRETARY_FUNCTIONS)
    return _by_office([entry.person for entry in people
                       if entry.person.function_kind in wanted and entry.function])


def _by_office(people: list) -> dict[str, list]:
    return {"head": [p for p in people if p.function_kind in HEAD_FUNCTIONS],
            "secretary": [p for p in people if p.function_kind in SECRETARY_FUNCTIONS]}


# --- outside contacts ---------------------------------------------------------------------------

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# field: (CSV column, label, maximum length)
FIELDS = {
    "name": ("nom", "Nom", 200),
    "company": ("entreprise", "Entreprise ou organisme", 200),
    "trade": ("fonction", "Fonction ou métier", 200),
    "email": ("courriel", "Courriel", 254),
    "phone": ("telephone", "Téléphone", 30),
    "address": ("adresse", "Adresse", 300),
    "notes": ("notes", "Notes", 5000),
}


def _problems(values: dict[str, str]) -> list[tuple[str, str]]:
    """(field, French message) for each value that is refused."""
    problems = []
    if not values.get("name"):
        problems.append(("name", "le nom est obligatoire."))
    for name, (_, label, limit) in FIELDS.items():
        if len(values.get(name, "")) > limit:
            problems.append((name, f"{limit} caractères au plus."))
    if values.get("email") and not EMAIL.match(values["email"]):
        problems.append(("email", "cette adresse électronique n'est pas valide."))
    return problems


def _clean(values: dict) -> dict[str, str]:
    return {name: " ".join(str(values.get(name) or "").split()) if name != "notes"
            else str(values.get(name) or "").strip() for name in FIELDS}


def _check_space(by: User, organisation: Organisation, space: Space | None) -> None:
    if space is not None and not access.can_share_outside_contact_with(by, organisation, space):
        raise ContactError("Vous ne pouvez partager ce contact qu'avec un groupe dont vous êtes "
                           "membre.")


@unit_of_work
def save_outside_contact(contact: OutsideContact | None, *, organisation: Organisation,
                         values: dict, space: Space | None, by: User) -> OutsideContact:
    """Add (``contact`` None) or change an outside contact of ``organisation``."""
    if not access.can_keep_outside_contacts(by, organisation):
        raise ContactError("Seuls les rédacteurs et administrateurs de l'organisation gèrent "
                           "ses contacts extérieurs.")
    values = _clean(values)
    problems = _problems(values)
    if problems:
        name, message = problems[0]
        raise ContactError(f"{FIELDS[name][1]} : {message}")
    _check_space(by, organisation, space)
    if contact is None:
        contact = OutsideContact(organisation=organisation, created_by=by)
        db.session.add(contact)
    for name, value in values.items():
        setattr(contact, name, value)
    contact.name_key = collation_key(values["name"], NAME_KEY_LENGTH)
    contact.space = space
    return contact


@unit_of_work
def delete_outside_contact(contact: OutsideContact, *, by: User) -> None:
    if not access.can_edit_outside_contact(by, contact):
        raise ContactError("Seuls les rédacteurs et administrateurs de l'organisation gèrent "
                           "ses contacts extérieurs.")
    db.session.delete(contact)


IMPORT_REQUIRED = ["nom"]
IMPORT_OPTIONAL = [column for column, *_ in list(FIELDS.values())[1:]]


@unit_of_work
def import_outside_contacts(organisation: Organisation, data: bytes, *, by: User) -> int:
    """Add the contacts of a CSV file (``nom`` and the optional columns) to ``organisation``:
    all of them, or none, with every problem named by its line and column."""
    if not access.can_keep_outside_contacts(by, organisation):
        raise ContactError("Seuls les rédacteurs et administrateurs de l'organisation gèrent "
                           "ses contacts extérieurs.")
    parsed = csvimport.read(data, IMPORT_REQUIRED, IMPORT_OPTIONAL)
    by_column = {column: name for name, (column, *_) in FIELDS.items()}
    problems, rows = [], []
    for line, row in parsed.rows:
        values = _clean({by_column[column]: value for column, value in row.items()})
        found = _problems(values)
        problems += [csvimport.CsvProblem(line, FIELDS[name][0], message)
                     for name, message in found]
        rows.append(values)
    if problems:
        raise csvimport.CsvImportError(problems)
    for values in rows:
        db.session.add(OutsideContact(organisation=organisation, created_by=by,
                                      name_key=collation_key(values["name"], NAME_KEY_LENGTH),
                                      **values))
    audit.record("contacts.imported", actor=by, organisation=organisation,
                 detail=f"{len(rows)} contacts")
    return len(rows)


def outside_contacts(viewer, q: str = "", organisation_id: int | None = None):
    """SELECT of the outside contacts ``viewer`` sees, by name, company or trade."""
    query = select(OutsideContact).where(access.visible_outside_contacts(viewer))
    if organisation_id is not None:
        query = query.where(OutsideContact.organisation_id == organisation_id)
    words = finder.words_of(q)
    if words:
        query = query.where(and_(*finder.name_matches(OutsideContact.name_key, words)))
    return (query.options(joinedload(OutsideContact.organisation),    # one row each
                          joinedload(OutsideContact.space))
            .order_by(OutsideContact.name_key, OutsideContact.id))


def outside_card(contact: OutsideContact) -> vcard.Card:
    return vcard.Card(full_name=contact.name, last_name=contact.name,
                      organisations=[contact.company] if contact.company else [],
                      title=contact.trade, emails=[contact.email] if contact.email else [],
                      phones=[contact.phone] if contact.phone else [], address=contact.address,
                      note=contact.notes)


OUTSIDE_COLUMNS = [column for column, *_ in FIELDS.values()]


def outside_csv(contacts) -> str:
    """The import's own columns: a file exported here can be imported elsewhere."""
    rows = ({column: getattr(c, name) for name, (column, *_) in FIELDS.items()}
            for c in contacts)
    return csvexport.render(OUTSIDE_COLUMNS, rows, delimiter=";", bom=True)
