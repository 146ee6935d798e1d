"""Org charts: loading a whole chart in a constant number of queries, and every change to it
(each public function is one unit of work: it checks, changes, records and commits)."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

from flask import request
from markupsafe import Markup
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from ...accounts.models import ORGANISATIONS, Membership, Organisation, User
from ...core import audit, fragments, generations, outline
from ...extensions import db
from ...core.types import Visibility
from .models import CHART_VISIBILITY_LABELS, OrgChartSetting, OrgPosition, OrgUnit, UnitKind


class OrgChartError(ValueError):
    """A refused change, with a French message; nothing was changed."""


# --- reading -------------------------------------------------------------------------------------


@dataclass
class UnitNode:
    unit: OrgUnit
    depth: int = 0
    children: list[UnitNode] = field(default_factory=list)
    positions: list[OrgPosition] = field(default_factory=list)

    @property
    def head(self) -> OrgPosition | None:
        return next((p for p in self.positions if p.is_head), None)

    @property
    def staff(self) -> list[OrgPosition]:
        """The positions other than the head's."""
        return [p for p in self.positions if not p.is_head]


@dataclass
class Chart:
    organisation: Organisation
    visibility: Visibility
    roots: list[UnitNode]
    nodes: dict[int, UnitNode]

    @property
    def is_empty(self) -> bool:
        return not self.nodes

    @property
    def position_count(self) -> int:
        return sum(len(n.positions) for n in self.nodes.values())

    def walk(self) -> list[UnitNode]:
        """Every unit in tree order (parents before children, siblings in their order)."""
        ordered: list[UnitNode] = []
        stack = list(reversed(self.roots))
        while stack:
            node = stack.pop()
            ordered.append(node)
            stack.extend(reversed(node.children))
        return ordered

def chart_visibility(org: Organisation) -> Visibility:
    setting = db.session.get(OrgChartSetting, org.id)
    return setting.visibility if setting is not None else Visibility.NETWORK


def load_chart(org: Organisation) -> Chart:
    """The whole chart in three queries (setting, units, positions with their people)."""
    visibility = chart_visibility(org)
    units = db.session.scalars(
        select(OrgUnit).where(OrgUnit.organisation_id == org.id)
        .order_by(OrgUnit.sort_order, OrgUnit.id)).all()
    positions = db.session.scalars(
        select(OrgPosition).join(OrgUnit, OrgUnit.id == OrgPosition.unit_id)
        .where(OrgUnit.organisation_id == org.id)
        .options(joinedload(OrgPosition.user))
        .order_by(OrgPosition.is_head.desc(), OrgPosition.sort_order, OrgPosition.id)).all()
    nodes = {unit.id: UnitNode(unit) for unit in units}
    roots: list[UnitNode] = []
    for unit in units:
        parent = nodes.get(unit.parent_id) if unit.parent_id is not None else None
        (parent.children if parent is not None else roots).append(nodes[unit.id])
    for position in positions:
        nodes[position.unit_id].positions.append(position)
    # Depths from the top; a unit caught in a (corrupt) cycle is never reached nor shown.
    stack = [(root, 0) for root in roots]
    while stack:
        node, depth = stack.pop()
        node.depth = depth
        stack.extend((child, depth + 1) for child in node.children)
    return Chart(organisation=org, visibility=visibility, roots=roots, nodes=nodes)


# The organisation page's summary of a chart, the forms' choices of units and the chart drawn
# are kept by each process while no chart's setting or unit changes (core/generations.py); its
# positions and the people who hold them are the directory's.
CHARTS = "orgcharts"
generations.watch(CHARTS, OrgChartSetting)
generations.watch(CHARTS, OrgUnit)


@dataclass(frozen=True)
class DrawnChart:
    units: int
    positions: int
    html: Markup


def drawn_chart(org: Organisation, signed_in: bool) -> DrawnChart:
    """The chart as its page shows it to a reader signed in or not (only then do holders link
    to their profiles), drawn once and kept until the chart, its people or an organisation
    changes."""
    from ...contacts.services import DIRECTORY

    def draw():
        chart = load_chart(org)
        return DrawnChart(len(chart.nodes), chart.position_count, fragments.drawn(
            "publications/orgcharts/_drawn.html", chart=chart, signed_in=signed_in))
    return generations.kept((CHARTS, DIRECTORY, ORGANISATIONS),
                            ("drawn", org.id, signed_in, request.script_root), draw)


def unit_choices(org: Organisation, exclude: int | None = None) -> dict[str, str]:
    """Select choices of the chart's units in tree order, indented, without ``exclude`` and
    its sub-units (where a unit may not go). The outline is kept until a chart changes."""
    units = generations.kept(CHARTS, ("outline", org.id), lambda: tuple(
        (node.unit.id, node.depth, node.unit.name) for node in load_chart(org).walk()))
    return outline.choices(units, lambda depth, name: "\u00a0\u00a0" * depth
                           + ("— " if depth else "") + name, exclude)


def chart_summary(org: Organisation) -> tuple[Visibility, int]:
    """The chart's visibility and its number of units, in one statement (the organisation
    page shows both), kept until a chart changes."""
    visibility, units = generations.kept(CHARTS, ("summary", org.id), lambda: tuple(
        db.session.execute(_chart_summary_statement(), {"organisation_id": org.id}).one()))
    return visibility or Visibility.NETWORK, units


@functools.cache
def _chart_summary_statement():
    """Built once (its cache key too): the organisation is the bound ``organisation_id``."""
    org_id = bindparam("organisation_id")
    return select(
        select(OrgChartSetting.visibility).where(OrgChartSetting.organisation_id == org_id)
        .scalar_subquery(),
        select(func.count()).select_from(OrgUnit).where(OrgUnit.organisation_id == org_id)
        .scalar_subquery())


def member_choices(org: Organisation) -> dict[str, str]:
    """The organisation's active people, for linking a position to an account; kept until
    someone's name or membership changes (the directory's generation)."""
    from ...contacts.services import DIRECTORY
    return dict(generations.kept(DIRECTORY, ("organisation's people", org.id), lambda: tuple(
        (str(person.id), person.full_name) for person in db.session.scalars(
            select(User).join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == org.id, User.active.is_(True))
            .order_by(User.name_key, User.id)))))


# --- settings ------------------------------------------------------------------------------------


def set_visibility(org: Organisation, visibility: Visibility, *, by: User) -> None:
    if visibility not in CHART_VISIBILITY_LABELS:
        raise OrgChartError("Visibilité inconnue : choisissez « Réseau » ou « Public ».")
    setting = db.session.get(OrgChartSetting, org.id)
    if setting is None:
        setting = OrgChartSetting(organisation_id=org.id)
        db.session.add(setting)
    setting.visibility = visibility
    audit.record("orgchart.visibility_changed", actor=by, organisation=org,
                 target=f"Organigramme de {org.name}",
                 detail=CHART_VISIBILITY_LABELS[visibility])
    db.session.commit()


# --- units ---------------------------------------------------------------------------------------


def _clean(value: str | None, limit: int) -> str:
    return (value or "").strip()[:limit]


def _siblings(org_id: int, parent_id: int | None) -> list[OrgUnit]:
    parent = OrgUnit.parent_id.is_(None) if parent_id is None else OrgUnit.parent_id == parent_id
    return list(db.session.scalars(select(OrgUnit).where(OrgUnit.organisation_id == org_id, parent)
                                   .order_by(OrgUnit.sort_order, OrgUnit.id)))


def _next_order(org_id: int, parent_id: int | None) -> int:
    siblings = _siblings(org_id, parent_id)
    return max((s.sort_order for s in siblings), default=-1) + 1


def _unit_of(org: Organisation, unit_id: int | None, what: str) -> OrgUnit | None:
    if unit_id is None:
        return None
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None or unit.organisation_id != org.id:
        raise OrgChartError(f"{what} n'existe pas dans l'organigramme de « {org.name} ».")
    return unit


def _ancestry_ids(unit: OrgUnit) -> set[int]:
    """``unit`` and all its ancestors' ids (one query: the organisation's parent links)."""
    parents = dict(db.session.execute(
        select(OrgUnit.id, OrgUnit.parent_id).where(
            OrgUnit.organisation_id == unit.organisation_id)).all())
    seen: set[int] = set()
    current: int | None = unit.id
    while current is not None and current not in seen:
        seen.add(current)
        current = parents.get(current)
    return seen


def _check_unit_fields(name: str, kind: UnitKind | str) -> tuple[str, UnitKind]:
    name = _clean(name, 200)
    if not name:
        raise OrgChartError("Le nom de l'unité est obligatoire.")
    try:
        kind = UnitKind(kind)
    except ValueError:
        raise OrgChartError("Type d'unité inconnu : direction, service, bureau ou autre.") from None
    return name, kind


def create_unit(org: Organisation, *, name: str, kind: UnitKind | str = UnitKind.SERVICE,
                parent_id: int | None = None, phone: str = "", email: str = "",
                address: str = "", by: User) -> OrgUnit:
    name, kind = _check_unit_fields(name, kind)
    parent = _unit_of(org, parent_id, "L'unité de rattachement")
    unit = OrgUnit(organisation_id=org.id, parent_id=parent.id if parent else None, kind=kind,
                   name=name, phone=_clean(phone, 30), email=_clean(email, 254),
                   address=_clean(address, 300),
                   sort_order=_next_order(org.id, parent.id if parent else None))
    db.session.add(unit)
    audit.record("orgchart.unit_created", actor=by, organisation=org, target=name,
                 detail=f"sous « {parent.name} »" if parent else "au premier niveau")
    db.session.commit()
    return unit


def _move(unit: OrgUnit, parent: OrgUnit | None) -> None:
    """Attach ``unit`` under ``parent`` (None: the top), last among its new siblings."""
    if parent is not None:
        if parent.id == unit.id:
            raise OrgChartError(f"Impossible de rattacher « {unit.name} » à elle-même.")
        if unit.id in _ancestry_ids(parent):
            raise OrgChartError(f"Impossible de rattacher « {unit.name} » à « {parent.name} » : "
                                f"c'est l'une de ses propres sous-unités. Déplacez d'abord "
                                f"« {parent.name} » ailleurs.")
    new_parent_id = parent.id if parent is not None else None
    if new_parent_id != unit.parent_id:
        unit.sort_order = _next_order(unit.organisation_id, new_parent_id)
        unit.parent_id = new_parent_id


def update_unit(unit: OrgUnit, *, name: str, kind: UnitKind | str, parent_id: int | None,
                phone: str = "", email: str = "", address: str = "", by: User) -> None:
    """Rename, retype, change the contacts and (``parent_id``) move a unit, all or nothing."""
    org = unit.organisation
    name, kind = _check_unit_fields(name, kind)
    parent = _unit_of(org, parent_id, "L'unité de rattachement")
    moved = (parent.id if parent else None) != unit.parent_id
    _move(unit, parent)
    changes = []
    if name != unit.name:
        changes.append(f"renommée (ancien nom : « {unit.name} »)")
    if moved:
        changes.append(f"rattachée à « {parent.name} »" if parent else "placée au premier niveau")
    unit.name, unit.kind = name, kind
    unit.phone, unit.email, unit.address = _clean(phone, 30), _clean(email, 254), \
        _clean(address, 300)
    audit.record("orgchart.unit_updated", actor=by, organisation=org, target=name,
                 detail=", ".join(changes) or "coordonnées modifiées")
    db.session.commit()


def move_unit(unit: OrgUnit, parent_id: int | None, *, by: User) -> None:
    """Change a unit's parent (None: the top level). Refused under itself or a sub-unit."""
    org = unit.organisation
    parent = _unit_of(org, parent_id, "L'unité de rattachement")
    _move(unit, parent)
    audit.record("orgchart.unit_updated", actor=by, organisation=org, target=unit.name,
                 detail=f"rattachée à « {parent.name} »" if parent else "placée au premier niveau")
    db.session.commit()


def reorder_unit(unit: OrgUnit, offset: int, *, by: User) -> None:
    """Move a unit one place up (``offset`` -1) or down (+1) among its siblings."""
    siblings = _siblings(unit.organisation_id, unit.parent_id)
    index = next(i for i, s in enumerate(siblings) if s.id == unit.id)
    target = index + offset
    if offset not in (-1, 1) or not 0 <= target < len(siblings):
        where = "première" if offset < 0 else "dernière"
        raise OrgChartError(f"« {unit.name} » est déjà en {where} position.")
    siblings[index], siblings[target] = siblings[target], siblings[index]
    for order, sibling in enumerate(siblings):
        sibling.sort_order = order
    db.session.commit()


@dataclass
class UnitContents:
    sub_units: list[OrgUnit]
    positions: list[OrgPosition]

    @property
    def is_empty(self) -> bool:
        return not self.sub_units and not self.positions

    def describe(self) -> str:
        parts = []
        if self.sub_units:
            n = len(self.sub_units)
            parts.append(f"{n} sous-unité{'s' if n > 1 else ''}")
        if self.positions:
            n = len(self.positions)
            parts.append(f"{n} poste{'s' if n > 1 else ''}")
        return " et ".join(parts)


def unit_contents(unit: OrgUnit) -> UnitContents:
    return UnitContents(
        sub_units=list(db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id == unit.id)
                                          .order_by(OrgUnit.sort_order, OrgUnit.id))),
        positions=list(db.session.scalars(select(OrgPosition).where(OrgPosition.unit_id == unit.id)
                                          .order_by(OrgPosition.sort_order, OrgPosition.id))))


def delete_unit(unit: OrgUnit, *, by: User, move_to_id: int | None = None) -> None:
    """Delete an empty unit; a unit that still has sub-units or positions is refused unless
    ``move_to_id`` names a unit (not this one nor one of its sub-units) that receives them."""
    org = unit.organisation
    contents = unit_contents(unit)
    detail = ""
    if not contents.is_empty:
        if move_to_id is None:
            raise OrgChartError(
                f"Impossible de supprimer « {unit.name} » : elle contient encore "
                f"{contents.describe()}. Choisissez l'unité qui les recevra, ou déplacez-les "
                f"ou supprimez-les d'abord.")
        target = _unit_of(org, move_to_id, "L'unité qui doit recevoir le contenu")
        if unit.id in _ancestry_ids(target):
            raise OrgChartError(f"« {target.name} » ne peut pas recevoir le contenu de "
                                f"« {unit.name} » : elle est supprimée avec elle ou en fait "
                                f"partie. Choisissez une autre unité.")
        order = _next_order(org.id, target.id)
        for offset, child in enumerate(contents.sub_units):
            child.parent_id, child.sort_order = target.id, order + offset
        target_has_head = db.session.scalar(select(func.count()).select_from(OrgPosition).where(
            OrgPosition.unit_id == target.id, OrgPosition.is_head.is_(True))) > 0
        for position in contents.positions:
            position.unit_id = target.id
            if target_has_head:
                position.is_head = False
        detail = f"{contents.describe()} déplacé(s) vers « {target.name} »"
    db.session.flush()
    db.session.delete(unit)
    audit.record("orgchart.unit_deleted", actor=by, organisation=org, target=unit.name,
                 detail=detail)
    db.session.commit()


# --- positions -----------------------------------------------------------------------------------


def _position_fields(org: Organisation, *, title: str, user_id: int | None, person_name: str,
                     vacant: bool) -> tuple[str, User | None, str]:
    title = _clean(title, 200)
    person_name = _clean(person_name, 200)
    if not title:
        raise OrgChartError("L'intitulé du poste est obligatoire.")
    user = None
    if user_id is not None:
        user = db.session.scalar(
            select(User).join(Membership, Membership.user_id == User.id)
            .where(User.id == user_id, Membership.organisation_id == org.id))
        if user is None:
            raise OrgChartError(f"Cette personne ne fait pas partie de « {org.name} » : "
                                f"choisissez un compte de l'organisation ou saisissez un nom.")
    if user is not None and person_name:
        raise OrgChartError("Choisissez un compte de l'organisation ou saisissez le nom d'une "
                            "personne sans compte, pas les deux.")
    if vacant and (user is not None or person_name):
        raise OrgChartError("Un poste vacant n'a pas de titulaire : décochez « Poste vacant » "
                            "ou retirez la personne.")
    return title, user, person_name


def _make_head(position: OrgPosition) -> None:
    """``position`` becomes its unit's only head."""
    for other in db.session.scalars(select(OrgPosition).where(
            OrgPosition.unit_id == position.unit_id, OrgPosition.is_head.is_(True))):
        if other is not position:
            other.is_head = False
    position.is_head = True


def create_position(unit: OrgUnit, *, title: str, user_id: int | None = None,
                    person_name: str = "", phone: str = "", email: str = "",
                    vacant: bool = False, is_head: bool = False, by: User) -> OrgPosition:
    org = unit.organisation
    title, user, person_name = _position_fields(org, title=title, user_id=user_id,
                                                person_name=person_name, vacant=vacant)
    order = db.session.scalar(select(func.coalesce(func.max(OrgPosition.sort_order), -1))
                              .where(OrgPosition.unit_id == unit.id)) + 1
    position = OrgPosition(unit_id=unit.id, title=title, user=user, person_name=person_name,
                           phone=_clean(phone, 30), email=_clean(email, 254), vacant=vacant,
                           is_head=False, sort_order=order)
    db.session.add(position)
    db.session.flush()
    if is_head:
        _make_head(position)
    audit.record("orgchart.position_changed", actor=by, organisation=org, target=title,
                 detail=f"poste ajouté dans « {unit.name} »")
    db.session.commit()
    return position


def update_position(position: OrgPosition, *, unit_id: int, title: str,
                    user_id: int | None = None, person_name: str = "", phone: str = "",
                    email: str = "", vacant: bool = False, is_head: bool = False,
                    by: User) -> None:
    org = position.unit.organisation
    title, user, person_name = _position_fields(org, title=title, user_id=user_id,
                                                person_name=person_name, vacant=vacant)
    unit = _unit_of(org, unit_id, "L'unité du poste")
    if unit is None:
        raise OrgChartError("Choisissez l'unité du poste.")
    position.unit_id = unit.id
    position.title, position.user, position.person_name = title, user, person_name
    position.phone, position.email = _clean(phone, 30), _clean(email, 254)
    position.vacant = vacant
    db.session.flush()
    if is_head:
        _make_head(position)
    else:
        position.is_head = False
    audit.record("orgchart.position_changed", actor=by, organisation=org, target=title,
                 detail=f"poste modifié (unité « {unit.name} »)")
    db.session.commit()


def delete_position(position: OrgPosition, *, by: User) -> None:
    unit = position.unit
    audit.record("orgchart.position_changed", actor=by, organisation=unit.organisation,
                 target=position.title, detail=f"poste supprimé de « {unit.name} »")
    db.session.delete(position)
    db.session.commit()
