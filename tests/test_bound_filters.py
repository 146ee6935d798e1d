"""The filters of ``access/bound.py``, which statements built once use with the viewer as bound
parameters (``access.content_viewer``), keep the rows their twins keep, for every kind of
viewer and every kind of row: spaces of each visibility, content narrowed or not, drafts,
pending and binned pages, files waiting for approval."""
from __future__ import annotations

from flask_login import AnonymousUserMixin
from sqlalchemy import select

from intranet import access
from intranet.core.timeutil import utcnow
from intranet.core.types import Role, Visibility
from intranet.documents.models import Document, Page, PageStatus
from intranet.extensions import db

from . import factories

NARROWINGS = (None, Visibility.PUBLIC, Visibility.NETWORK, Visibility.MEMBERS)


def _world():
    """Spaces of every visibility, each holding every kind of page and file, and the viewers
    who see them differently."""
    town = factories.make_org("Commune de la règle")
    other = factories.make_org("Commune voisine")
    editor = factories.make_user(town, Role.EDITOR)
    member = factories.make_user(town)
    outsider = factories.make_user(other)
    spaces = [factories.org_space(town)] + [
        factories.make_group(editor, visibility=visibility) for visibility in Visibility]
    for space in spaces:
        for narrowing in NARROWINGS:
            for author in (editor, member, outsider):
                for pending in (False, True):
                    db.session.add(Document(space=space, name="Fichier", visibility=narrowing,
                                            created_by_id=author.id, pending_approval=pending))
                for status in PageStatus:
                    for binned in (None, utcnow()):
                        db.session.add(Page(space=space, title="Page", status=status,
                                            visibility=narrowing, author_id=author.id,
                                            deleted_at=binned))
    db.session.commit()
    viewers = {"visitor": AnonymousUserMixin(), "editor": editor, "member": member,
               "outsider": outsider, "nobody's": factories.make_user(),
               "platform admin": factories.make_user(platform_admin=True)}
    return viewers


def _ids(statement, params=None) -> set[int]:
    return set(db.session.scalars(statement, params or {}))


def test_the_bound_filters_keep_what_their_twins_keep():
    viewers = _world()
    bound_documents = select(Document.id).where(access.visible_content_bound(Document),
                                                access.visible_document_drafts_bound())
    bound_pages = select(Page.id).where(access.visible_content_bound(Page),
                                        access.visible_drafts_bound(Page))
    seen = {}
    for name, viewer in viewers.items():
        params = access.content_viewer(viewer)
        documents = _ids(select(Document.id).where(access.visible_content(viewer, Document),
                                                   access.visible_document_drafts(viewer)))
        pages = _ids(select(Page.id).where(access.visible_content(viewer, Page),
                                           access.visible_drafts(viewer, Page)))
        assert _ids(bound_documents, params) == documents, name
        assert _ids(bound_pages, params) == pages, name
        seen[name] = (len(documents), len(pages))
    # the world tells the viewers apart: a test of filters that keep everything or nothing
    # would pass the comparison above
    assert len(set(seen.values())) >= 4, seen
    assert seen["visitor"][0] > 0 and seen["editor"][0] > seen["outsider"][0]
