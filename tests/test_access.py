"""The access model as a table: who × where × what, checked both ways — the Python decision
(`can_view`, `can_edit`, …) and the SQL filters used by lists, search and feeds."""
import pytest
from flask import g
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from intranet import access
from intranet.accounts.models import OrgKind
from intranet.core.types import Role, Visibility
from intranet.extensions import db
from intranet.spaces import services as spaces
from intranet.spaces.models import Activity, JoinPolicy

from . import factories

ANON = AnonymousUserMixin()


@pytest.fixture
def world():
    org_a = factories.make_org("Commune A")
    org_b = factories.make_org("Commune B")
    w = {
        "anonymous": ANON,
        "outsider": factories.make_user(org_b, Role.ADMIN),
        "org_member": factories.make_user(org_a, Role.MEMBER),
        "org_editor": factories.make_user(org_a, Role.EDITOR),
        "org_admin": factories.make_user(org_a, Role.ADMIN),
        "platform_admin": factories.make_user(platform_admin=True),
        # A plain member of A who is an editor of B: A's role, not B's, counts in A's space.
        "two_orgs": factories.make_user(org_a, Role.MEMBER),
    }
    factories.add_membership(w["two_orgs"], org_b, Role.EDITOR)
    w["org_space"] = factories.org_space(org_a)
    w["groups"] = {}
    for visibility in Visibility:
        group = factories.make_group(w["org_admin"], visibility=visibility)
        spaces.add_member(group, w["org_member"], role=Role.MEMBER, by=w["org_admin"])
        w["groups"][visibility] = group
    db.session.commit()
    w["org_a"] = org_a
    return w


def _fresh():
    g.pop("_space_roles", None)


# (who, visibility of the group) → (view, edit, moderate, admin)
GROUP_TABLE = {
    ("anonymous", Visibility.PUBLIC): (True, False, False, False),
    ("anonymous", Visibility.NETWORK): (False, False, False, False),
    ("anonymous", Visibility.MEMBERS): (False, False, False, False),
    ("outsider", Visibility.PUBLIC): (True, False, False, False),
    ("outsider", Visibility.NETWORK): (True, False, False, False),
    ("outsider", Visibility.MEMBERS): (False, False, False, False),
    ("org_member", Visibility.PUBLIC): (True, False, False, False),
    ("org_member", Visibility.NETWORK): (True, False, False, False),
    ("org_member", Visibility.MEMBERS): (True, False, False, False),
    ("org_admin", Visibility.PUBLIC): (True, True, True, True),   # the group's creator
    ("org_admin", Visibility.NETWORK): (True, True, True, True),
    ("org_admin", Visibility.MEMBERS): (True, True, True, True),
    ("org_editor", Visibility.MEMBERS): (False, False, False, False),  # org role ≠ group role
    ("platform_admin", Visibility.PUBLIC): (True, False, True, True),
    ("platform_admin", Visibility.NETWORK): (True, False, True, True),
    # administers the structure, does not read a members-only group's content
    ("platform_admin", Visibility.MEMBERS): (False, False, False, True),
}


@pytest.mark.parametrize(("who", "visibility"), list(GROUP_TABLE))
def test_group_space_decisions(world, who, visibility):
    user, space = world[who], world["groups"][visibility]
    expected = GROUP_TABLE[(who, visibility)]
    _fresh()
    got = (access.can_view(user, space), access.can_edit(user, space),
           access.can_moderate(user, space), access.can_admin_space(user, space))
    assert got == expected
    visible = db.session.scalars(access.visible_spaces(user)).all()
    assert (space.id in visible) == expected[0], "SQL filter disagrees with can_view"


# who → (view, edit, moderate, admin settings) on organisation A's private space
ORG_SPACE_TABLE = {
    "anonymous": (False, False, False, False),
    "outsider": (False, False, False, False),
    "org_member": (True, False, False, False),
    "org_editor": (True, True, False, False),
    "org_admin": (True, True, True, False),     # members are managed on the organisation page
    "platform_admin": (False, False, False, True),
    "two_orgs": (True, False, False, False),
}


@pytest.mark.parametrize("who", list(ORG_SPACE_TABLE))
def test_organisation_space_decisions(world, who):
    user, space = world[who], world["org_space"]
    _fresh()
    got = (access.can_view(user, space), access.can_edit(user, space),
           access.can_moderate(user, space), access.can_admin_space(user, space))
    assert got == ORG_SPACE_TABLE[who]
    assert (space.id in db.session.scalars(access.visible_spaces(user)).all()) == got[0]
    editing = db.session.scalars(access.spaces_with_role(user, Role.EDITOR)).all()
    assert (space.id in editing) == got[1]


@pytest.mark.parametrize(("who", "narrowed", "expected"), [
    ("anonymous", None, True),
    ("anonymous", Visibility.NETWORK, False),
    ("outsider", Visibility.NETWORK, True),
    ("outsider", Visibility.MEMBERS, False),
    ("org_member", Visibility.MEMBERS, True),
    ("platform_admin", Visibility.MEMBERS, False),
])
def test_content_may_narrow_a_public_space(world, who, narrowed, expected):
    space = world["groups"][Visibility.PUBLIC]
    item = factories.activity(space, "Compte rendu", visibility=narrowed)
    user = world[who]
    _fresh()
    assert access.can_view(user, item) is expected
    listed = db.session.scalars(select(Activity.id).where(access.visible_content(user, Activity)))
    assert (item.id in listed.all()) is expected


def test_content_can_never_widen_its_space(world):
    space = world["groups"][Visibility.MEMBERS]
    item = factories.activity(space, "Note interne", visibility=Visibility.PUBLIC)
    _fresh()
    assert not access.can_view(ANON, item)
    assert not access.can_view(world["outsider"], item)
    listed = db.session.scalars(select(Activity.id).where(access.visible_content(ANON, Activity)))
    assert item.id not in listed.all()


def test_everyone_signed_in_is_in_the_open_space_and_editors_may_write(world):
    open_space = spaces.ensure_open_space()
    db.session.commit()
    _fresh()
    assert access.can_view(ANON, open_space)
    assert access.is_space_member(world["org_member"], open_space)
    assert not access.can_edit(world["org_member"], open_space)
    assert access.can_edit(world["org_editor"], open_space)
    assert not access.can_edit(ANON, open_space)


def test_deactivated_user_sees_only_public(world):
    user = world["org_member"]
    user.active = False
    db.session.commit()
    _fresh()
    assert not access.can_view(user, world["org_space"])
    assert world["org_space"].id not in db.session.scalars(access.visible_spaces(user)).all()


def test_archived_space_is_read_only(world):
    group = world["groups"][Visibility.MEMBERS]
    group.archived = True
    db.session.commit()
    _fresh()
    assert access.can_view(world["org_admin"], group)
    assert not access.can_edit(world["org_admin"], group)


def test_rule_membership_sql_and_python_agree(world):
    epci = factories.make_org("CC Test", kind=OrgKind.EPCI)
    inside = factories.make_org("Commune dedans", epci=epci)
    outside = factories.make_org("Commune dehors")
    group = factories.make_group(world["platform_admin"], join_policy=JoinPolicy.CLOSED)
    spaces.add_rule(group, by=world["platform_admin"], epci=epci)
    people = {"inside": factories.make_user(inside), "outside": factories.make_user(outside),
              "epci_staff": factories.make_user(epci)}
    for name, person in people.items():
        _fresh()
        in_sql = group.id in db.session.scalars(access.member_spaces(person)).all()
        assert in_sql == access.is_space_member(person, group) == (name == "inside")


def test_only_what_declares_itself_content_is_judged_as_content(world):
    """access reads what a model declares (SpaceContent, PublicationMixin), never the
    attributes an object happens to have: an object with a ``space`` is not content."""
    public = world["groups"][Visibility.PUBLIC]

    class Lookalike:
        space = public
        visibility = None
        is_published = True
    _fresh()
    assert access.can_view(ANON, public)
    assert not access.can_view(ANON, Lookalike())
    assert not access.can_edit(world["org_member"], Lookalike())
