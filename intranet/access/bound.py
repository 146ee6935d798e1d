"""The visibility filters of ``access`` for statements built once per process and run for
anyone: the viewer comes in bound parameters, so the statement's expression tree and its cache
key are made once, not at every request. Part of ``intranet.access``, which re-exports every
name (callers import ``access``).

Each filter here is the twin of the one named in its docstring, and says the same thing: the
tests (``tests/test_bound_filters.py``, ``tests/publications/test_bound_visibility.py``) check
that both keep the same rows, for every kind of viewer. The parameters come from
``content_viewer(user)`` (content of spaces) and ``publication_viewer(user)`` (publications);
pass them all, a statement ignores those it does not use.
"""
from __future__ import annotations

from sqlalchemy import Boolean, and_, bindparam, or_

from ..core.types import Role, Visibility
from ..publications.lifecycle import PublicationStatus

_VISIBILITIES = frozenset(v.value for v in Visibility)


def visible_content_bound(model):
    """``visible_content``: in a space the viewer sees, and either their own space's content
    or narrowed no further than they may read (``viewer_spaces``, ``viewer_narrowings``,
    ``viewer_member_spaces``)."""
    return and_(model.space_id.in_(bindparam("viewer_spaces", expanding=True)),
                or_(model.visibility.is_(None),
                    model.visibility.in_(bindparam("viewer_narrowings", expanding=True)),
                    model.space_id.in_(bindparam("viewer_member_spaces", expanding=True))))


def visible_drafts_bound(model):
    """``visible_drafts``: published and not binned, or the viewer's own and not binned, or in
    a space they edit (``viewer_id``, ``viewer_editor_spaces``)."""
    return or_(and_(model.status == "published", model.deleted_at.is_(None)),
               and_(model.author_id == bindparam("viewer_id"), model.deleted_at.is_(None)),
               model.space_id.in_(bindparam("viewer_editor_spaces", expanding=True)))


def visible_document_drafts_bound():
    """``visible_document_drafts``: approved, or the viewer's own, or in a space they edit
    (``viewer_id``, ``viewer_editor_spaces``)."""
    from ..documents.models import Document
    return or_(Document.pending_approval.is_(False),
               Document.created_by_id == bindparam("viewer_id"),
               Document.space_id.in_(bindparam("viewer_editor_spaces", expanding=True)))


def visible_publications_bound(model):
    """``visible_publications`` for a statement built once and run for anyone, whose cache key
    is then computed once: the viewer comes in the bound parameters that
    ``publication_viewer(user)`` gives (``viewer_signed_in``, ``viewer_organisations``)."""
    return ((model.status == PublicationStatus.PUBLISHED)
            & ((model.visibility == Visibility.PUBLIC)
               | bindparam("viewer_signed_in", type_=Boolean))
            | model.organisation_id.in_(bindparam("viewer_organisations", expanding=True)))


def publication_viewer(user) -> dict:
    """The bound parameters of ``visible_publications_bound`` for ``user``: a visitor reads
    published public items; a signed-in person every published item, and whatever their
    organisations publish (their memberships, as ``can_view_publication`` reads them)."""
    from . import _signed_in
    if not _signed_in(user):
        return {"viewer_signed_in": False, "viewer_organisations": []}
    return {"viewer_signed_in": True,
            "viewer_organisations": sorted({m.organisation_id for m in user.memberships})}


def content_viewer(user) -> dict:
    """The bound parameters of this module's filters for ``user`` (a visitor: the public
    spaces, no id, no space edited). Never an empty list: ``[-1]`` names no row."""
    from . import read_scope, space_ids_with_role, _signed_in
    scope = read_scope(user)
    signed_in = _signed_in(user)
    return {
        "viewer_spaces": sorted(scope.visible_space_ids) or [-1],
        "viewer_narrowings": [n for n in scope.narrowings if n in _VISIBILITIES],
        "viewer_member_spaces": sorted(scope.member_space_ids) or [-1],
        "viewer_id": user.id if signed_in else -1,
        "viewer_editor_spaces": space_ids_with_role(user, Role.EDITOR) if signed_in else [-1],
    }
