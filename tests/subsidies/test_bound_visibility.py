"""``access.visible_dossiers_bound`` (the agenda's works deadlines, a statement built once with
the viewer in ``viewer_id``) keeps the dossiers its twin ``visible_dossiers`` keeps, and
``can_view_dossier`` agrees, for every kind of person: the applicant's people, the programme's
instructor, another commune's admin, the platform admin, someone of no organisation."""
from __future__ import annotations

from sqlalchemy import select

from intranet import access
from intranet.core.types import Role
from intranet.extensions import db
from intranet.subsidies import services
from intranet.subsidies.models import SubsidyDossier

from .. import factories
from ..publications.aids import make_aid
from .builders import council_and_communes, dossier_data, draft, submitted


def test_the_bound_filter_keeps_what_its_twin_keeps_for_everyone():
    world = council_and_communes()
    dossiers = [draft(world), submitted(world)]
    # a dossier of an aid outside any programme: no instructor sees it
    plain = make_aid(world["council"], world["council_editor"], "Aide sans programme")
    dossiers.append(services.create_dossier(plain, world["other"], dossier_data(),
                                            by=world["other_admin"]))
    people = [world[name] for name in ("admin", "editor", "member", "instructor",
                                       "council_editor", "other_admin")]
    people += [factories.make_user(factories.make_org("Commune d'Agen"), Role.ADMIN),
               factories.make_user(None, platform_admin=True), factories.make_user(None)]
    bound = select(SubsidyDossier.id).where(access.visible_dossiers_bound())
    for person in people:
        twin = set(db.session.scalars(select(SubsidyDossier.id)
                                      .where(access.visible_dossiers(person))))
        found = set(db.session.scalars(bound, {"viewer_id": person.id}))
        decided = {d.id for d in dossiers if access.can_view_dossier(person, d)}
        assert found == twin == decided, person.email
    # the cases are not all alike: someone sees each dossier, someone sees none
    assert {d.id for d in dossiers} == set().union(*(
        set(db.session.scalars(bound, {"viewer_id": p.id})) for p in people))
    assert not set(db.session.scalars(bound, {"viewer_id": world["other_admin"].id})) & {
        d.id for d in dossiers[:2]}
