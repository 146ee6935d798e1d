"""Walk every registered route as every kind of person and check that nobody outside
organisation A ever sees A's private content, or changes A's private state.

The walk is built from ``app.url_map``: a new route is covered the moment it is registered. A
route with a URL parameter nobody gave a sample for makes the test fail — on purpose, so nobody
adds a route the matrix silently skips.

Each domain adds its own private objects in a ``matrix.py`` of its test folder: a function
``build(world) -> dict[(blueprint, argument), list[value]]`` that creates A's objects (with
``world["CONTENT"]`` in whatever must stay private) and returns samples for its routes; it may
append to ``world["insider_urls"]`` pages where A's members must see ``CONTENT``.
"""
from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from sqlalchemy import select

from intranet.accounts.models import Membership, Role
from intranet.extensions import db
from intranet.spaces import services as spaces
from intranet.spaces.models import JoinPolicy, Space, SpaceMember, SpaceRule, Visibility

from . import factories

CONTENT = "contenu-prive-de-a-7f3c"     # A's private content: nobody outside A may read it
STRUCTURE = "groupe-prive-de-a-91b2"    # a closed group's name: the platform admin may see it


@pytest.fixture
def world():
    org_a = factories.make_org("Commune A")
    org_b = factories.make_org("Commune B")
    a_member = factories.make_user(org_a, Role.MEMBER)
    a_admin = factories.make_user(org_a, Role.ADMIN)
    people = {
        "anonymous": None,
        "b_member": factories.make_user(org_b, Role.MEMBER),
        "b_editor": factories.make_user(org_b, Role.EDITOR),
        "b_admin": factories.make_user(org_b, Role.ADMIN),
        "platform_admin": factories.make_user(platform_admin=True),
    }
    a_space = factories.org_space(org_a)
    group = factories.make_group(a_admin, name=f"Groupe {STRUCTURE}", visibility=Visibility.MEMBERS,
                                 join_policy=JoinPolicy.REQUEST)
    spaces.add_member(group, a_member, by=a_admin)
    rule = spaces.add_rule(group, by=a_admin, organisation=org_a)
    network_group = factories.make_group(a_admin, name="Groupe ouvert au réseau",
                                         visibility=Visibility.NETWORK)
    spaces.add_member(network_group, a_member, by=a_admin)
    spaces.ensure_open_space()
    factories.activity(a_space, f"Budget {CONTENT}")
    factories.activity(group, f"Réunion {CONTENT}")
    factories.activity(network_group, f"Note réservée {CONTENT}", visibility=Visibility.MEMBERS)
    db.session.commit()
    membership = db.session.scalar(select(Membership).where(Membership.user_id == a_member.id))
    world = {
        "people": people, "a_member": a_member, "a_admin": a_admin, "org_a": org_a,
        "org_b": org_b, "a_space": a_space, "a_group": group, "CONTENT": CONTENT,
        "insider_urls": ["/"],
        "samples": {
            ("spaces", "slug"): [a_space.slug, group.slug, network_group.slug],
            ("accounts", "slug"): [org_a.slug],
            ("admin", "slug"): [org_a.slug],
            ("*", "user_id"): [a_member.id],
            ("admin", "membership_id"): [membership.id],
            ("spaces", "rule_id"): [rule.id],
            ("accounts", "token"): ["jeton-invalide"],
        },
    }
    for module in _domain_modules():
        world["samples"].update(module.build(world))
    return world


def _domain_modules():
    root = Path(__file__).parent
    for path in sorted(root.rglob("matrix.py")):
        parts = path.relative_to(root).with_suffix("").parts
        yield importlib.import_module(".".join(("tests", *parts)))


def _a_private_state():
    """Everything of A's that an outsider's request must not change."""
    return {
        "memberships": sorted(db.session.execute(
            select(Membership.user_id, Membership.organisation_id, Membership.role)).all()),
        "group_members": sorted(db.session.execute(
            select(SpaceMember.space_id, SpaceMember.user_id, SpaceMember.role,
                   SpaceMember.status)).all()),
        "rules": sorted(db.session.execute(select(SpaceRule.id, SpaceRule.space_id)).all()),
        "spaces": sorted(db.session.execute(
            select(Space.id, Space.name, Space.visibility, Space.archived)).all()),
    }


def _urls(app, samples):
    """(method, url, endpoint) for every route, with A's objects as parameters."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        blueprint = rule.endpoint.split(".")[0]
        combos = [{}]
        for arg in sorted(rule.arguments):
            values = samples.get((blueprint, arg)) or samples.get(("*", arg))
            assert values, (f"Route {rule.rule} ({rule.endpoint}) takes <{arg}>: add a sample of "
                            f"organisation A's objects for it in the matrix.py of its test folder")
            combos = [dict(c, **{arg: v}) for c in combos for v in values]
        for values in combos:
            url = rule.build(values)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, url, rule.endpoint


OUTSIDERS = ["anonymous", "b_member", "b_editor", "b_admin", "platform_admin"]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_no_route_shows_or_changes_a_private_objects(app, client, login, world, who):
    person = world["people"][who]
    if person is not None:
        login(person)
    before = _a_private_state()
    checked = 0
    for method, url, endpoint in _urls(app, world["samples"]):
        if endpoint == "accounts.logout":
            continue  # would end this walk's session; it changes nothing of A's anyway
        response = client.open(url, method=method)
        # A redirect (to the login page) only echoes the URL the visitor typed.
        body = "" if response.status_code in (301, 302, 303) else response.get_data(as_text=True)
        assert response.status_code < 500, f"{method} {url} → {response.status_code}"
        assert CONTENT not in body, f"{who}: {method} {url} shows A's private content"
        if who != "platform_admin":
            assert STRUCTURE not in body, f"{who}: {method} {url} shows A's closed group"
        checked += 1
    assert checked > 40
    if who != "platform_admin":  # administering memberships and rules is the platform admin's job
        assert _a_private_state() == before, f"{who} changed A's private state"


def test_insiders_do_see_a_private_content(client, login, world):
    """The walk above could pass by showing nothing to anybody: A's member does see."""
    login(world["a_member"])
    dashboard = client.get("/").get_data(as_text=True)
    assert dashboard.count(CONTENT) >= 3
    for url in world["insider_urls"]:
        assert CONTENT in client.get(url).get_data(as_text=True), f"A's member cannot read {url}"
    group_slug = world["samples"][("spaces", "slug")][1]
    assert STRUCTURE in client.get(f"/espaces/{group_slug}").get_data(as_text=True)
