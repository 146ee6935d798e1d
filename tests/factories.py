"""Small builders for test data (each commits, so requests see it)."""
from __future__ import annotations

import itertools

from intranet.accounts import organisations, passwords
from intranet.accounts.models import Membership, Organisation, OrgKind, User
from intranet.core.types import Role, Visibility
from intranet.extensions import db
from intranet.spaces import services as spaces
from intranet.spaces.models import JoinPolicy, Space

PASSWORD = "mot-de-passe-de-test"
_counter = itertools.count(1)


def make_org(name: str | None = None, kind: OrgKind = OrgKind.COMMUNE, **fields) -> Organisation:
    n = next(_counter)
    return organisations.create_organisation(name=name or f"Commune {n}", kind=kind, **fields)


def make_user(org: Organisation | None = None, role: Role = Role.MEMBER, *, email: str | None = None,
              platform_admin: bool = False, password: str | None = PASSWORD, active: bool = True,
              first_name: str = "Prénom", last_name: str | None = None) -> User:
    n = next(_counter)
    user = User(email=email or f"personne{n}@exemple.fr", first_name=first_name,
                last_name=last_name or f"Nom{n}", is_platform_admin=platform_admin, active=active,
                password_hash=passwords.hash_password(password) if password else None)
    db.session.add(user)
    if org is not None:
        db.session.add(Membership(user=user, organisation=org, role=role))
    db.session.commit()
    return user


def add_membership(user: User, org: Organisation, role: Role = Role.MEMBER) -> Membership:
    membership = Membership(user=user, organisation=org, role=role)
    db.session.add(membership)
    db.session.commit()
    return membership


def org_space(org: Organisation) -> Space:
    return spaces.ensure_organisation_space(org)


def make_group(by: User, name: str | None = None, visibility: Visibility = Visibility.MEMBERS,
               join_policy: JoinPolicy = JoinPolicy.REQUEST, **kwargs) -> Space:
    return spaces.create_group(name=name or f"Groupe {next(_counter)}", description="",
                               visibility=visibility, join_policy=join_policy, by=by, **kwargs)


def activity(space: Space, summary: str, visibility: Visibility | None = None):
    item = spaces.record_activity(space, "test", summary, visibility=visibility)
    db.session.commit()
    return item
