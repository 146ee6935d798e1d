"""``access.visible_publications_bound``, the clause of the statements built once (the
organisation page's sections, a code's notices), selects what ``visible_publications`` selects,
for each publication type, status and visibility, and for each kind of viewer."""
from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from intranet import access
from intranet.core.types import Role, Visibility
from intranet.extensions import db
from intranet.publications.lifecycle import PublicationStatus

from .. import factories
from .test_lifecycle import KINDS


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_the_bound_clause_selects_what_visible_publications_selects(kind):
    publisher = factories.make_org("Commune qui publie")
    other = factories.make_org("Autre commune")
    editor = factories.make_user(publisher, Role.EDITOR)
    item = kind.make(publisher, editor)
    model = type(item)
    both = factories.make_user(other)
    factories.add_membership(both, publisher)
    viewers = {"visitor": AnonymousUserMixin(), "member": factories.make_user(publisher),
               "outsider": factories.make_user(other), "both": both,
               "nobody's": factories.make_user(), "editor": editor}
    bound = select(model.id).where(access.visible_publications_bound(model))
    for status in PublicationStatus:
        for visibility in (Visibility.PUBLIC, Visibility.NETWORK):
            item.status, item.visibility = status, visibility
            db.session.commit()
            for name, viewer in viewers.items():
                expected = set(db.session.scalars(
                    select(model.id).where(access.visible_publications(viewer, model))))
                found = set(db.session.scalars(bound, access.publication_viewer(viewer)))
                assert found == expected, (status, visibility, name)
                assert found == ({item.id} if access.can_view_publication(viewer, item)
                                 else set()), (status, visibility, name)


def _job_offer(publisher, editor):
    from intranet.jobs import services as jobs

    from ..jobs.builders import offer_data
    return jobs.create_offer(publisher, offer_data({"town": publisher}), by=editor)


@pytest.mark.parametrize("make", [kind.make for kind in KINDS] + [_job_offer],
                         ids=[kind.name for kind in KINDS] + ["job offer"])
def test_the_audiences_clause_selects_the_published_items_each_person_reads(make):
    """What lists keep for everyone of an audience (their filters' publishers and years,
    ``access.published_to``) is, for each person, the published part of what they see."""
    publisher = factories.make_org("Commune qui publie")
    editor = factories.make_user(publisher, Role.EDITOR)
    item = make(publisher, editor)
    model = type(item)
    viewers = {"visitor": AnonymousUserMixin(), "member": factories.make_user(publisher),
               "outsider": factories.make_user(factories.make_org("Autre commune")),
               "nobody's": factories.make_user(), "editor": editor}
    for status in PublicationStatus:
        for visibility in (Visibility.PUBLIC, Visibility.NETWORK):
            item.status, item.visibility = status, visibility
            db.session.commit()
            for name, viewer in viewers.items():
                expected = set(db.session.scalars(select(model.id).where(
                    model.status == PublicationStatus.PUBLISHED,
                    access.visible_publications(viewer, model))))
                audience = access.publication_audience(viewer)
                found = set(db.session.scalars(select(model.id).where(
                    access.published_to(audience, model))))
                assert found == expected, (status, visibility, name)
