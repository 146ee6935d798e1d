"""Finding an organisation or a person by a few letters of their name, accents and case
ignored (« boe » finds « Mairie de Boé »), in French order — the search behind the
search-as-you-type fields and their « Chercher » button.

What may be found is decided in ``access`` (``choosable_organisations``, ``addressable_people``,
``addressable_organisations``): callers pass one of those SELECTs as ``among``; the match is on
the stored ``name_key`` (``core.text.collation_key``), so it is the same on SQLite and
PostgreSQL.

``OrganisationField`` is the form field of an organisation chooser: a text box (what the person
typed or picked) and a hidden id (what the script, or the « Chercher » round-trip, chose)."""
from __future__ import annotations

from flask import jsonify
from sqlalchemy import and_, case, or_, select
from wtforms import Field
from wtforms.utils import unset_value
from wtforms.widgets import TextInput

from .. import access
from ..core import generations
from ..core.text import collation_key
from ..extensions import db
from .models import ORGANISATIONS, Organisation, OrgKind

LIMIT = 20
MIN_LETTERS = 2


def words_of(text: str | None) -> list[str]:
    """The words of what was typed, as ``name_key`` spells them (at most 6, 100 characters)."""
    return collation_key((text or "")[:100]).split()[:6]


def name_matches(key_column, words: list[str]):
    """Every word is somewhere in the key: « boe » and « mairie boe » find « mairie de boe »."""
    return [key_column.contains(word, autoescape=True) for word in words]


def closeness(key_column, words: list[str]):
    """ORDER BY term: names that start with the first word, then those with a word that
    does, then the rest — each in French order (by the key, after this term)."""
    first = words[0]
    return case((key_column.startswith(first, autoescape=True), 0),
                (key_column.contains(" " + first, autoescape=True), 1), else_=2)


def active_of_kind(kind: OrgKind) -> tuple:
    """(id, name) rows of the active organisations of ``kind`` in French order (a filter's
    EPCIs, a form's communes), kept by the process until an organisation changes."""
    return generations.kept(ORGANISATIONS, ("active", kind.value), lambda: tuple(
        db.session.execute(select(Organisation.id, Organisation.name)
                           .where(Organisation.kind == kind, Organisation.is_active.is_(True))
                           .order_by(Organisation.name_key))))


def find_organisations(text: str | None, among, limit: int = LIMIT) -> list[Organisation]:
    """The organisations of ``among`` (a SELECT of ids from ``access``) whose name holds every
    word typed, or whose INSEE code or SIREN is what was typed, closest first."""
    raw = (text or "").strip()[:100]
    words = words_of(raw)
    if len("".join(words)) < MIN_LETTERS:
        return []
    return list(db.session.scalars(
        select(Organisation)
        .where(Organisation.id.in_(among),
               or_(Organisation.insee_code == raw, Organisation.siren == raw,
                   and_(*name_matches(Organisation.name_key, words))))
        .order_by(closeness(Organisation.name_key, words), Organisation.name_key,
                  Organisation.id).limit(limit)))


def resolve_organisation(text: str | None, among) -> Organisation | None:
    """The one organisation of ``among`` that ``text`` names exactly: its identifier, INSEE
    code, SIREN, address name (slug) or name (accents and case ignored); None if none or
    several do."""
    raw = (text or "").strip()[:200]
    if not raw:
        return None
    key = collation_key(raw)
    conditions = [Organisation.insee_code == raw, Organisation.siren == raw,
                  Organisation.slug == raw.lower(), Organisation.name_key == key]
    if raw.isascii() and raw.isdigit() and len(raw) <= 9:
        conditions.append(Organisation.id == int(raw))
    found = list(db.session.scalars(select(Organisation).where(
        Organisation.id.in_(among), or_(*conditions)).limit(2)))
    return found[0] if len(found) == 1 else None


def organisation_result(org: Organisation) -> dict:
    """One option of a finder's list, as the script shows it."""
    detail = org.kind.label + (f" · {org.insee_code}" if org.insee_code else "")
    return {"kind": "organisation", "id": org.id, "label": org.name, "detail": detail}


def json_results(results: list[dict]):
    """The finders' answer: never cached (it depends on who asks), at most ``LIMIT`` rows."""
    response = jsonify({"results": results[:LIMIT]})
    response.headers["Cache-Control"] = "private, no-store"
    return response


class OrganisationField(Field):
    """An organisation chooser. Sends ``<name>`` (the text) and ``<name>_id`` (the choice).

    - With the script (``static/js/finder.js``), the text box is a combobox: picking fills
      both.
    - Without it, « Chercher » (a submit button, ``chercher=<name>``) shows the matches as
      radio buttons named ``<name>_id``; the form is sent again with one of them ticked.
    - Typing a full name, an INSEE code, a SIREN or an identifier and sending also works.

    ``data`` is the chosen ``Organisation`` or None; ``text`` what is in the box. The view
    sets ``among`` (a SELECT of ids from ``access``) and ``kind`` before validating."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, *, kind: OrgKind | None = None,
                 hint: str = "", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.kind = kind
        self.hint = hint
        self.text = ""
        self.chosen_id = None
        self.matches: list[Organisation] | None = None
        self.among = None

    @property
    def finder_type(self) -> str:
        """The ``type`` argument of ``/organisations/trouver`` for this field."""
        return "intercommunalite" if self.kind == OrgKind.EPCI else ""

    @property
    def id_name(self) -> str:
        return f"{self.name}_id"

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors = []
        self.data = None if data is unset_value else data
        if isinstance(self.data, Organisation):
            self.text = self.data.name
        if formdata is not None:
            self.text = (formdata.get(self.name) or "")[:200]
            # the hidden input, or the radio ticked after « Chercher » (the first one set)
            chosen = [v for v in formdata.getlist(self.id_name) if v]
            raw_id = chosen[0] if chosen else ""
            self.chosen_id = int(raw_id) if raw_id.isascii() and raw_id.isdigit() \
                and len(raw_id) <= 9 else None
            self.raw_data = [self.text]

    def _value(self):
        return self.text

    def choose(self, user) -> Organisation | None:
        """Decide ``data`` from what was sent, among what ``user`` may choose. A choice
        (hidden id or ticked radio) counts while the text still says that organisation, or
        is what was searched for it; otherwise the text is read as a name or a code."""
        self.among = access.choosable_organisations(user, self.kind)
        self.data = None
        if self.chosen_id is not None:
            chosen = db.session.scalar(select(Organisation).where(
                Organisation.id == self.chosen_id, Organisation.id.in_(self.among)))
            words = words_of(self.text)
            if chosen is not None and (not words or all(w in chosen.name_key for w in words)
                                       or self.text.strip() in (chosen.insee_code,
                                                                chosen.siren)):
                self.data = chosen
        if self.data is None and self.text.strip():
            self.data = resolve_organisation(self.text, self.among)
        if self.data is not None:
            self.text = self.data.name
        return self.data

    @property
    def chosen_value(self) -> str:
        """What the hidden input carries: the organisation decided, or the one sent."""
        if isinstance(self.data, Organisation):
            return str(self.data.id)
        if self.matches is not None:   # the radio buttons say it
            return ""
        return str(self.chosen_id) if self.chosen_id is not None else ""

    def search(self, user) -> list[Organisation]:
        """The « Chercher » button: the matches, shown under the box to pick from."""
        self.among = access.choosable_organisations(user, self.kind)
        self.data, self.chosen_id = None, None
        self.matches = find_organisations(self.text, self.among)
        return self.matches

    def refuse(self, message: str | None = None) -> None:
        """An error on the field, and the organisations that come close, to pick from."""
        self.errors = [*(self.errors or []), message or
                       f"Aucune organisation ne s'appelle exactement « {self.text.strip()} » : "
                       "choisissez-la dans la liste (tapez une partie de son nom, puis "
                       "« Chercher »)."]
        if self.among is not None and self.matches is None:
            self.matches = find_organisations(self.text, self.among)


def searched_field(form) -> OrganisationField | None:
    """The organisation field whose « Chercher » button sent the form, if one did."""
    from flask import request
    name = request.form.get("chercher") if request.method == "POST" else None
    field = getattr(form, name, None) if name else None
    return field if isinstance(field, OrganisationField) else None

