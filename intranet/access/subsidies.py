"""Subsidy dossiers: who sees them and who writes them. Part of ``intranet.access``, which
re-exports every name.

In words:
- the applicant organisation's members see its dossiers; its editors and admins write them
  (fill them in, join the documents, submit them);
- the council's instructors — one ``SubsidyInstructor`` row per person and programme — see and
  instruct every dossier of an aid of their programmes;
- nobody else sees any, not even the platform admin (who assigns the instructors);
- an aid's required documents are edited by the aid's publisher editors.
"""
from __future__ import annotations

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import Integer, and_, bindparam, exists, or_, select

from ..accounts.models import Membership, User
from ..core import generations
from ..core.types import Role
from ..extensions import db
from ..publications.aids.models import Aid
from ..publications.lifecycle import PublicationStatus
from ..subsidies.models import SubsidyDossier, SubsidyInstructor
from . import (TEMPLATE_GLOBALS, _signed_in, can_edit_publication, is_platform_admin, org_role,
               register_own_decisions)


# Who instructs which programme, kept by each process while no instructor is added or removed
# (core/generations.py), as a person's reach is.
INSTRUCTORS = "instructors"
generations.watch(INSTRUCTORS, SubsidyInstructor)


def instructed_programmes(user) -> list[str]:
    """The programmes ``user`` instructs (read once per request, and kept across requests)."""
    if not _signed_in(user):
        return []
    cache = g.setdefault("_instructed_programmes", {}) if has_request_context() else {}
    if user.id not in cache:
        cache[user.id] = generations.kept(INSTRUCTORS, ("programmes", user.id), lambda: tuple(
            db.session.scalars(select(SubsidyInstructor.programme).where(
                SubsidyInstructor.user_id == user.id).order_by(SubsidyInstructor.programme))))
    return list(cache[user.id])


def is_instructor(user) -> bool:
    return bool(instructed_programmes(user))


def can_instruct(user, dossier: SubsidyDossier) -> bool:
    programme = dossier.aid.programme
    return bool(programme) and programme in instructed_programmes(user)


def can_see_programme_figures(user, programme: str) -> bool:
    """A programme's dashboard: its instructors."""
    return bool(programme) and programme in instructed_programmes(user)


def can_see_beneficiary(user, organisation) -> bool:
    """The page of an applicant's dossiers across programmes: the instructors (who see there
    their programmes' dossiers) and the organisation's members (who see all of theirs)."""
    return is_instructor(user) or org_role(user, organisation) is not None


def can_view_dossier(user, dossier: SubsidyDossier) -> bool:
    return org_role(user, dossier.organisation) is not None or can_instruct(user, dossier)


def can_write_dossier(user, dossier: SubsidyDossier) -> bool:
    role = org_role(user, dossier.organisation)
    return role is not None and role.rank >= Role.EDITOR.rank


def applying_organisations(user) -> list:
    """The organisations for which ``user`` may apply (editor or admin)."""
    if not _signed_in(user):
        return []
    return sorted((m.organisation for m in user.memberships
                   if m.role.rank >= Role.EDITOR.rank and m.organisation.is_active),
                  key=lambda org: org.name)


def can_apply_for_aid(user, aid: Aid) -> bool:
    return aid.status == PublicationStatus.PUBLISHED and bool(applying_organisations(user))


def can_edit_requirements(user, aid: Aid) -> bool:
    return can_edit_publication(user, aid)


def can_assign_instructors(user) -> bool:
    return is_platform_admin(user)


def visible_dossiers(user):
    """The WHERE clause of the dossiers ``user`` sees: twin of ``can_view_dossier``."""
    if not _signed_in(user):
        return SubsidyDossier.id.is_(None)
    own = select(Membership.organisation_id).where(Membership.user_id == user.id)
    instructed = exists().where(SubsidyInstructor.user_id == user.id,
                                SubsidyInstructor.programme == Aid.programme,
                                Aid.id == SubsidyDossier.aid_id, Aid.programme != "")
    return or_(SubsidyDossier.organisation_id.in_(own), instructed)


def visible_dossiers_bound():
    """``visible_dossiers`` for a statement built once and run for any signed-in person, who
    comes in the bound parameter ``viewer_id`` (``content_viewer``'s): their organisations'
    dossiers and those of the programmes they instruct."""
    viewer = bindparam("viewer_id", type_=Integer)
    own = select(Membership.organisation_id).where(Membership.user_id == viewer)
    instructed = exists().where(SubsidyInstructor.user_id == viewer,
                                SubsidyInstructor.programme == Aid.programme,
                                Aid.id == SubsidyDossier.aid_id, Aid.programme != "")
    return or_(SubsidyDossier.organisation_id.in_(own), instructed)


def instructed_dossiers(user, programme: str | None = None):
    """The WHERE clause of the dossiers ``user`` instructs (of ``programme`` only, if named):
    twin of ``can_instruct``, and a part of ``visible_dossiers`` that the instructors' list and
    dashboards read without the rest (an instructor sees every dossier of their programmes)."""
    programmes = [p for p in instructed_programmes(user) if programme in (None, p)]
    return SubsidyDossier.aid_id.in_(select(Aid.id).where(Aid.programme.in_(programmes),
                                                          Aid.programme != ""))


def dossier_instructors(dossier: SubsidyDossier):
    """SELECT of the ids of the active instructors of ``dossier``."""
    return select(User.id).join(SubsidyInstructor, SubsidyInstructor.user_id == User.id).where(
        User.active.is_(True), SubsidyInstructor.programme == dossier.aid.programme,
        SubsidyInstructor.programme != "")


def dossier_writers(dossier: SubsidyDossier):
    """SELECT of the ids of the active editors and admins of the applicant: twin of
    ``can_write_dossier``, the people mailed at each step."""
    return select(User.id).join(Membership, Membership.user_id == User.id).where(
        and_(User.active.is_(True), Membership.organisation_id == dossier.organisation_id,
             Membership.role.in_([Role.EDITOR, Role.ADMIN])))


register_own_decisions(SubsidyDossier, view=can_view_dossier, edit=can_write_dossier)
TEMPLATE_GLOBALS.update({
    "can_apply_for_aid": lambda aid: can_apply_for_aid(current_user._get_current_object(), aid),
    "can_edit_requirements": lambda aid: can_edit_requirements(current_user._get_current_object(), aid),
    "is_subsidy_instructor": lambda: is_instructor(current_user._get_current_object()),
})
