"""Business rules of the aids directory: writing, publishing, listing, feeds and the export.

Each public function that changes something is one unit of work and commits.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal

from flask import current_app
from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from ...core import csvexport, generations, hooks
from ...core.inputs import to_int
from ... import access
from ...accounts.models import ORGANISATIONS, Organisation, OrgKind
from ...core import sanitize
from ..lifecycle import PublicationStatus
from ...core.text import fold
from ...core.timeutil import PARIS, utcnow
from ...core.urls import absolute_url, path_for
from ...extensions import db
from .. import publishing
from ...core.types import Visibility
from .models import (BENEFICIARIES, BENEFICIARY_TARGETS, FACETS, THEMES, Aid,
                     AidDocument, AidStatus, AidTag, today_paris)


class AidError(publishing.PublicationError):
    """A refused change, with a French message; nothing was stored."""


publishing.register(Aid, publishing.PublicationType(
    key="aid", endpoint="aids.show", id_arg="aid_id", this="Cette aide", noun="Aide",
    error=AidError, announce="Nouvelle aide", attachment=AidDocument))


@dataclass
class AidData:
    """What an editor types about an aid (already parsed)."""
    title: str
    description: str
    description_format: str = "text"
    summary: str = ""
    beneficiaries: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    aid_types: list[str] = field(default_factory=lambda: ["financement"])
    eligibility: str = ""
    eligible_expenses: str = ""
    rate_percent: Decimal | None = None
    ceiling_amount: Decimal | None = None
    fixed_amount: Decimal | None = None
    permanent: bool = False
    opens_on: date | None = None
    closes_on: date | None = None
    programme: str = ""
    service: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    visibility: Visibility = Visibility.PUBLIC


def _check(data: AidData) -> None:
    """The rules, whatever the entry point (form, CLI, tests)."""
    if not (data.title or "").strip():
        raise AidError("Le titre est obligatoire.")
    if not (data.description or "").strip():
        raise AidError("La description est obligatoire.")
    for name, amount in (("plafond", data.ceiling_amount), ("montant", data.fixed_amount)):
        if amount is not None and amount < 0:
            raise AidError(f"Le {name} ne peut pas être négatif.")
    if data.rate_percent is not None and not (0 <= data.rate_percent <= 100):
        raise AidError("Le taux doit être compris entre 0 et 100 %.")
    if not data.beneficiaries:
        raise AidError("Choisissez au moins un type de bénéficiaire.")
    if not data.themes:
        raise AidError("Choisissez au moins une thématique.")
    if not data.aid_types:
        raise AidError("Choisissez au moins une nature d'aide.")
    for facet, values in (("beneficiary", data.beneficiaries), ("theme", data.themes),
                          ("type", data.aid_types)):
        unknown = [v for v in values if v not in FACETS[facet]]
        if unknown:
            raise AidError(f"Valeur inconnue : « {unknown[0]} ».")
    if not data.permanent:
        if data.closes_on is None:
            raise AidError("Indiquez une date de clôture, ou cochez « Aide permanente ».")
        if data.opens_on and data.closes_on < data.opens_on:
            raise AidError("La date de clôture est antérieure à la date d'ouverture.")
    if data.visibility not in (Visibility.PUBLIC, Visibility.NETWORK):
        raise AidError("Visibilité inconnue.")


def _apply(aid: Aid, data: AidData) -> None:
    _check(data)
    aid.title = data.title.strip()
    aid.search_title = fold(aid.title)
    aid.summary = (data.summary or "").strip()[:180]
    aid.description = sanitize.to_html(data.description, data.description_format)
    aid.eligibility = (data.eligibility or "").strip()
    aid.eligible_expenses = (data.eligible_expenses or "").strip()
    aid.rate_percent = data.rate_percent
    aid.ceiling_amount = data.ceiling_amount
    aid.fixed_amount = data.fixed_amount
    aid.permanent = bool(data.permanent)
    aid.opens_on = data.opens_on
    aid.closes_on = None if data.permanent else data.closes_on
    aid.programme = (data.programme or "").strip()
    aid.service = (data.service or "").strip()
    aid.contact_name = (data.contact_name or "").strip()
    aid.contact_email = (data.contact_email or "").strip()
    aid.contact_phone = (data.contact_phone or "").strip()
    aid.visibility = data.visibility
    wanted = {(f, v) for f, values in (("beneficiary", data.beneficiaries),
                                       ("theme", data.themes), ("type", data.aid_types))
              for v in dict.fromkeys(values)}
    aid.tags = [t for t in aid.tags if (t.facet, t.value) in wanted]
    have = {(t.facet, t.value) for t in aid.tags}
    for facet, value in sorted(wanted - have):
        aid.tags.append(AidTag(facet=facet, value=value))
    aid.updated_at = utcnow()


# create_aid(organisation, data, by=…, files=()): a new draft aid, with its documents;
# update_aid(aid, data, by=…, files=()).
create_aid, update_aid = publishing.writers(Aid, _apply)


# Publishing, withdrawing and documents: the one life cycle of publications.
publish, withdraw, add_document = publishing.publish, publishing.withdraw, publishing.add_attachment


# --- reading -------------------------------------------------------------------------------------


# The states as the list's « État » filter names them.
STATE_NAMES = {AidStatus.OPEN: "Ouvertes", AidStatus.UPCOMING: "À venir",
               AidStatus.CLOSED: "Clôturées"}


@dataclass
class AidFilters:
    beneficiary: str = ""
    theme: str = ""
    state: str = ""
    q: str = ""
    organisation_id: int | None = None

    @classmethod
    def from_args(cls, args) -> AidFilters:
        beneficiary, theme, state, org = (args.get(name, "") for name in
                                          ("beneficiaire", "theme", "etat", "organisme"))
        return cls(beneficiary=beneficiary if beneficiary in BENEFICIARIES else "",
                   theme=theme if theme in THEMES else "",
                   state=state if state in (AidStatus.OPEN, AidStatus.UPCOMING,
                                            AidStatus.CLOSED) else "",
                   q=args.get("q", "").strip()[:100],
                   organisation_id=to_int(org))

    def args(self) -> dict[str, str | int]:
        """The filters in use, as the list's query string (``from_args`` reads it back)."""
        values = {"q": self.q, "beneficiaire": self.beneficiary, "theme": self.theme,
                  "etat": self.state, "organisme": self.organisation_id}
        return {name: value for name, value in values.items() if value}

    def active(self) -> list[tuple[str, str]]:
        """The filters in use, as (query-string name, what a person reads), in the form's
        order."""
        active = []
        if self.q:
            active.append(("q", f"Mots du titre : « {self.q} »"))
        if self.beneficiary:
            active.append(("beneficiaire", f"Bénéficiaire : {BENEFICIARIES[self.beneficiary]}"))
        if self.theme:
            active.append(("theme", f"Thématique : {THEMES[self.theme]}"))
        if self.state:
            active.append(("etat", f"État : {STATE_NAMES[self.state]}"))
        if self.organisation_id:
            org = db.session.get(Organisation, self.organisation_id)
            active.append(("organisme", f"Organisme : {org.name if org else 'inconnu'}"))
        return active

    def without(self, name: str) -> AidFilters:
        """The same filters but the one sent as ``name`` (« theme », « etat »…)."""
        return AidFilters.from_args({k: str(v) for k, v in self.args().items() if k != name})


def _tagged(facet: str, value: str):
    """Aids that have ``value`` among their values of ``facet`` (an aid has several themes and
    is found under each). A semi-join: an aid is listed, and counted, once."""
    return Aid.id.in_(select(AidTag.aid_id).where(AidTag.facet == facet, AidTag.value == value))


def state_clause(state: str, today: date | None = None):
    """SQL twin of ``Aid.state``."""
    today = today or today_paris()
    upcoming = and_(Aid.permanent.is_(False), Aid.opens_on.is_not(None), Aid.opens_on > today)
    closed = and_(Aid.permanent.is_(False), Aid.closes_on.is_not(None), Aid.closes_on < today)
    if state == AidStatus.UPCOMING:
        return upcoming
    if state == AidStatus.CLOSED:
        return and_(closed, ~upcoming)
    return and_(~upcoming, ~closed)


def _title_matches(q: str):
    """Every word of ``q`` in the title, accents and case aside."""
    words = [w for w in fold(q).replace("%", " ").replace("_", " ").split() if w]
    if not words:
        return None
    return and_(*(Aid.search_title.contains(w, autoescape=True) for w in words))


def conditions(user, filters: AidFilters) -> list:
    """WHERE clauses of the aids ``user`` may see that ``filters`` find (the list, its counts,
    the alerts' mails)."""
    conditions = [access.visible_publications(user, Aid)]
    if filters.beneficiary:
        conditions.append(_tagged("beneficiary", filters.beneficiary))
    if filters.theme:
        conditions.append(_tagged("theme", filters.theme))
    if filters.state:
        conditions.append(state_clause(filters.state))
    if filters.organisation_id:
        conditions.append(Aid.organisation_id == filters.organisation_id)
    if filters.q:
        match = _title_matches(filters.q)
        if match is not None:
            conditions.append(match)
    return conditions


def list_query(user, filters: AidFilters):
    return (select(Aid).where(*conditions(user, filters))
            .options(selectinload(Aid.tags), joinedload(Aid.organisation))
            .order_by(Aid.closes_on.is_(None), Aid.closes_on, Aid.title, Aid.id))


def count(user, filters: AidFilters) -> int:
    """How many aids the list shows ``user`` with ``filters``."""
    return db.session.scalar(select(func.count(Aid.id)).where(*conditions(user, filters)))


# The list's « Organisme » choices, and the instructors' choices of aids, are kept by each
# process while no aid changes (core/generations.py).
AIDS = "aids"
generations.watch(AIDS, Aid)


def publishers(user) -> tuple[tuple[int, str], ...]:
    """(id, name) of the organisations with a published aid ``user`` may see, by name: the
    list's « Organisme » filter, the same for everyone of the user's audience."""
    audience = access.publication_audience(user)
    return generations.kept((AIDS, ORGANISATIONS), ("publishers", audience), lambda: tuple(
        db.session.execute(select(Organisation.id, Organisation.name)
                           .where(Organisation.id.in_(select(Aid.organisation_id).where(
                               access.published_to(audience, Aid))))
                           .order_by(Organisation.name_key, Organisation.id))))


def published_for(user, limit: int = 50) -> list[Aid]:
    """Published aids ``user`` may see, newest first (feeds)."""
    query = (select(Aid).where(access.visible_publications(user, Aid),
                               Aid.status == PublicationStatus.PUBLISHED)
             .options(joinedload(Aid.organisation))
             .order_by(Aid.published_at.desc(), Aid.id.desc()).limit(limit))
    return list(db.session.scalars(query))


@functools.cache
def _organisation_aids_statement(limit: int):
    """Built once: bound ``organisation_id`` and the viewer (``access.publication_viewer``)."""
    return (select(Aid.id, Aid.title).where(access.visible_publications_bound(Aid),
                                            Aid.status == PublicationStatus.PUBLISHED,
                                            Aid.organisation_id == bindparam("organisation_id"))
            .order_by(Aid.title).limit(limit))


def organisation_aids(user, organisation: Organisation, limit: int = 20) -> tuple:
    """The organisation page's list of its published aids ``user`` may see: their ids and
    titles (never their long texts), the same for everyone of the user's audience, kept until
    an aid changes."""
    return generations.kept(
        AIDS, ("organisation", access.publication_audience(user), organisation.id, limit),
        lambda: tuple(db.session.execute(
            _organisation_aids_statement(limit),
            {"organisation_id": organisation.id, **access.publication_viewer(user)})))


# --- the dispositif-aide export (schema.data.gouv.fr, v0.2.0) ------------------------------------

# The schema's fields, in its order. Version 0.2.0 has no field for themes: an aid's themes are
# not exported (a column the schema does not define would make the file invalid).
EXPORT_COLUMNS = ["id", "titre", "promesse", "description", "eligibilite", "types_aides",
                  "porteurs", "programmes_parents", "url_source", "cibles",
                  "eligibilite_geographique", "eligibilite_geographique_exclusions",
                  "date_ouverture", "date_cloture", "date_mise_a_jour"]


# Our kinds of help as the schema's « types_aides » values.
EXPORT_AID_TYPES = {"financement": "financement", "pret": "prêt", "ingenierie": "ingénierie",
                    "information": "information"}


def geographic_code(organisation: Organisation) -> str:
    """The COG code of the area an aid covers, from its publisher: DEP-47, COM-47001,
    EPCI-<siren>; the département for any other publisher."""
    if organisation.kind == OrgKind.COMMUNE and organisation.insee_code \
            and organisation.insee_code.isdigit():
        return f"COM-{organisation.insee_code}"
    if organisation.kind == OrgKind.EPCI and organisation.siren:
        return f"EPCI-{organisation.siren}"
    return f"DEP-{current_app.config['DEPARTEMENT_CODE']}"


def _iso(moment: datetime) -> str:
    return moment.replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _day_bound(day: date | None, end: bool) -> str:
    """A day in Paris as the UTC instant it starts (or ends)."""
    if day is None:
        return ""
    local = datetime.combine(day, time(23, 59, 59) if end else time(0, 0), tzinfo=PARIS)
    return local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _pipe(values) -> str:
    return "|".join(dict.fromkeys(v.replace("|", "/").strip() for v in values if v.strip()))


def _eligibility_text(aid: Aid) -> str:
    lines = [f"• Bénéficiaires : {', '.join(aid.labels('beneficiary'))}"]
    if aid.eligibility:
        lines += [f"• {line.strip().lstrip('•-* ')}" for line in aid.eligibility.splitlines()
                  if line.strip()]
    if aid.eligible_expenses:
        lines.append(f"• Dépenses éligibles : {' '.join(aid.eligible_expenses.split())}")
    return "\n".join(lines)


def _description_text(aid: Aid) -> str:
    text = sanitize.to_text(aid.description)
    money = []
    if aid.rate_percent is not None:
        money.append(f"taux {format_number(aid.rate_percent)} %")
    if aid.ceiling_amount is not None:
        money.append(f"plafond {format_number(aid.ceiling_amount)} €")
    if aid.fixed_amount is not None:
        money.append(f"montant {format_number(aid.fixed_amount)} €")
    if money:
        text += "\n\nMontant de l'aide : " + ", ".join(money) + "."
    return text[:5000] or aid.title


def export_row(aid: Aid) -> dict[str, str]:
    porteur = {"nom": aid.organisation.name, "roles": ["financeur", "instructeur"]}
    if aid.organisation.siren:
        porteur["siren"] = aid.organisation.siren
    return {
        "id": str(aid.public_id),
        "titre": aid.title,
        "promesse": aid.summary[:180],
        "description": _description_text(aid),
        "eligibilite": _eligibility_text(aid),
        "types_aides": _pipe(EXPORT_AID_TYPES[t] for t in aid.aid_types) or "financement",
        "porteurs": json.dumps([porteur], ensure_ascii=False),
        "programmes_parents": _pipe([aid.programme]),
        "url_source": absolute_url("aids.show", aid_id=aid.id),
        "cibles": _pipe(BENEFICIARY_TARGETS[b] for b in aid.beneficiaries),
        "eligibilite_geographique": geographic_code(aid.organisation),
        "eligibilite_geographique_exclusions": "",
        "date_ouverture": _day_bound(aid.opens_on, end=False),
        "date_cloture": _day_bound(aid.closes_on, end=True),
        "date_mise_a_jour": _iso(aid.updated_at or aid.created_at),
    }


def export_csv() -> str:
    """Every published public aid, in the dispositif-aide schema (comma-separated, UTF-8,
    multi-valued fields joined with « | »)."""
    aids = db.session.scalars(
        select(Aid).where(access.visible_publications(None, Aid))
        .options(selectinload(Aid.tags), joinedload(Aid.organisation))
        .order_by(Aid.id)).all()
    return csvexport.render(EXPORT_COLUMNS, (export_row(aid) for aid in aids))


def format_number(value: Decimal | None) -> str:
    """« 12 500 », « 37,5 »: French grouping and decimal comma, no useless zeros."""
    if value is None:
        return ""
    value = Decimal(value)
    whole = value == value.to_integral_value()
    text = f"{value:,.0f}" if whole else f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\u202f").replace(".", ",")



# --- the agendas: closing dates are deadlines -------------------------------------------------

# The beneficiaries an organisation of each kind is (whose aids' closing dates concern it).
BENEFICIARY_OF_KIND = {OrgKind.COMMUNE: "communes", OrgKind.EPCI: "epci"}


def closing_dates(user, after: datetime, before: datetime, space=None):
    """The closing dates of the aids open to the person's organisations, as deadlines of their
    own agenda (``core.hooks.register_calendar_source``: a SELECT of ``hooks.calendar_columns``);
    none in a space's calendar."""
    if space is not None or not access.is_signed_in(user):
        return None
    wanted = {BENEFICIARY_OF_KIND.get(m.organisation.kind, "etablissements_publics")
              for m in user.memberships}
    if not wanted:
        return None
    return _CLOSING_DATES, {**access.publication_viewer(user),
                            "echeances_beneficiaries": sorted(wanted)}


_CLOSING_DATES = select(*hooks.calendar_columns(   # built once
    id=Aid.id, day=Aid.closes_on, title=Aid.title, text=Aid.summary)).where(
    access.visible_publications_bound(Aid),
    Aid.closes_on >= bindparam("calendar_from"), Aid.closes_on < bindparam("calendar_to"),
    Aid.id.in_(select(AidTag.aid_id).where(
        AidTag.facet == "beneficiary",
        AidTag.value.in_(bindparam("echeances_beneficiaries", expanding=True)))))


def closing_date_entries(user, rows) -> list:
    entries = []
    for row in rows:
        entries.append(hooks.whole_day(
            row.day, title=f"Clôture de l'aide « {row.title} »",
            url=path_for("aids.show", aid_id=row.id), uid=f"aide-{row.id}-cloture@territoires",
            note=row.text))
    return entries


hooks.register_calendar_source("echeances", "Échéances (aides)", closing_dates,
                               closing_date_entries, deadline=True)
