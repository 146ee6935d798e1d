"""« Who may see this row » is described once (``core/readscope.py``) and translated three
times: into SQL by ``access.visible_content`` (lists, feeds, exports), into the PostgreSQL
search statement, into the Whoosh engine's sets of documents. The same table of rows — every
kind of space × every narrowing, and documents with readers — is run through the description
and its three translations, for every kind of person; all four must agree."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from intranet import access
from intranet.core.types import Role, Visibility
from intranet.extensions import db
from intranet.search import services as search
from intranet.search.backends import SearchRequest
from intranet.search.documents import SearchDocument
from intranet.spaces import services as spaces
from intranet.spaces.models import Activity, JoinPolicy

from .. import factories

NARROWINGS = [None, Visibility.PUBLIC, Visibility.NETWORK, Visibility.MEMBERS]
WORD = "lanterne"


@pytest.fixture
def table():
    home = factories.make_org("Commune de Sos")
    other = factories.make_org("Commune de Mézin")
    member = factories.make_user(home, Role.MEMBER)
    outsider = factories.make_user(other, Role.EDITOR)
    builder = factories.make_user(other, Role.ADMIN)
    groups = {visibility: factories.make_group(builder, name=f"Groupe {visibility.value}",
                                               visibility=visibility,
                                               join_policy=JoinPolicy.CLOSED)
              for visibility in Visibility}
    for group in (groups[Visibility.MEMBERS], groups[Visibility.NETWORK]):
        spaces.add_member(group, member, by=builder)
    all_spaces = [spaces.ensure_open_space(), factories.org_space(home), factories.org_space(other),
                  *groups.values()]
    rows = []
    for space in all_spaces:
        for narrow in NARROWINGS:
            if narrow is not None and narrow.rank < space.visibility.rank:
                continue   # content only narrows its space's visibility
            row = spaces.record_activity(space, "test", f"{WORD} {space.name} {narrow}",
                                         visibility=narrow)
            rows.append(row)
    db.session.commit()
    people = {"anonymous": None, "member": member, "outsider": outsider, "builder": builder}
    return rows, people


def _documents(rows, people):
    documents = [SearchDocument(key=f"activity:{row.id}", type="page", title=row.summary,
                                body=row.summary, url=f"/a/{row.id}", date=datetime(2026, 5, 1),
                                space_id=row.space_id,
                                narrow=row.visibility.value if row.visibility else "")
                 for row in rows]
    documents.append(SearchDocument(key="message:1", type="message", title=f"{WORD} privé",
                                    body=WORD, url="/m/1", date=datetime(2026, 5, 1),
                                    space_id=-1, readers=[people["member"].id]))
    return documents


def test_the_description_and_its_three_translations_agree(table, search_backend):
    rows, people = table
    documents = _documents(rows, people)
    search.backend().write(documents, [])
    search.backend().refresh()
    for who, person in people.items():
        scope = access.read_scope(person)
        described = {d.key for d in documents
                     if scope.admits(d.space_id, d.narrow, d.readers)}
        in_sql = {f"activity:{i}" for i in db.session.scalars(
            select(Activity.id).where(access.visible_content(person, Activity),
                                      Activity.id.in_([row.id for row in rows])))}
        found = search.query(person, SearchRequest(text=WORD, per_page=100))
        in_search = {hit.key for hit in found.hits}
        assert in_sql == {k for k in described if k.startswith("activity:")}, who
        assert in_search == described, (search_backend, who)
        assert found.total == len(described)
    # The table is not trivial: each person sees some rows and not others.
    seen = {who: {d.key for d in documents if access.read_scope(p).admits(
        d.space_id, d.narrow, d.readers)} for who, p in people.items()}
    assert seen["anonymous"] < seen["outsider"] < seen["member"] | seen["outsider"]
    assert "message:1" in seen["member"] and "message:1" not in seen["builder"]
    assert seen["member"] - seen["outsider"] and seen["outsider"] - seen["member"]
