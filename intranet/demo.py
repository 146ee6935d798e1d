"""Demo data: the founding bodies, the communes and EPCIs of Lot-et-Garonne, a few people per
role and some working groups, so that every feature has something real to show."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from . import access
from .accounts import organisations, passwords
from .accounts.mfa.models import TotpDevice
from .accounts.models import Membership, Organisation, OrgKind, User
from .core.text import of
from .core.timeutil import utcnow
from .core.types import Role, Visibility
from .core.uow import transaction
from .extensions import db
from .spaces import services as spaces
from .spaces.models import JoinPolicy

DEMO_PASSWORD = "territoires47-demo"
# The demo's admins must confirm each sign-in with a second factor (access.needs_second_factor):
# they share this authenticator-app secret, printed by `flask demo-welcome` and `seed-demo`
# (`flask accounts totp-code ADRESSE` prints the current code). A demonstration only: a real
# account's secret is drawn at random when its owner enrols.
DEMO_TOTP_SECRET = "TERRITOIRES47DEMOSECONDFACTEURAB"

# name, kind, key, SIREN (real-looking: the public-sector prefix of each kind of body, a
# correct Luhn key; tests/test_demo.py checks them)
FOUNDERS = [
    ("Conseil départemental de Lot-et-Garonne", OrgKind.DEPARTEMENT, "departement", "224700013"),
    ("Conseil régional de Nouvelle-Aquitaine", OrgKind.REGION, "region", "200053759"),
    ("Préfecture de Lot-et-Garonne", OrgKind.PREFECTURE, "prefecture", "174700005"),
    ("Association des maires de Lot-et-Garonne", OrgKind.ASSOCIATION_MAIRES, "amf47",
     "778812347"),
    ("Centre de gestion de la fonction publique territoriale de Lot-et-Garonne",
     OrgKind.CENTRE_GESTION, "cdg47", "284700010"),
]

# email, first name, last name, function, [(organisation key, role)], platform admin
PEOPLE = [
    ("admin@territoires47.fr", "Claire", "Fabre", "Administratrice de la plateforme",
     [("departement", Role.ADMIN)], True),
    ("agent@cd47.fr", "Julien", "Marty", "Chargé de mission aménagement",
     [("departement", Role.MEMBER)], False),
    ("redacteur@cd47.fr", "Sophie", "Lagarde", "Rédactrice, direction de la communication",
     [("departement", Role.EDITOR)], False),
    ("agent@region-na.fr", "Marc", "Delpech", "Chargé de mission territoires",
     [("region", Role.MEMBER)], False),
    ("agent@prefecture47.fr", "Nadia", "Benali", "Bureau du contrôle de légalité",
     [("prefecture", Role.EDITOR)], False),
    ("contact@amf47.fr", "Pierre", "Castaing", "Délégué de l'association",
     [("amf47", Role.ADMIN)], False),
    ("rh@cdg47.fr", "Isabelle", "Roques", "Conseillère emploi", [("cdg47", Role.EDITOR)], False),
    ("admin@cdg47.fr", "Thierry", "Gaillard", "Directeur", [("cdg47", Role.ADMIN)], False),
    ("mairie@agen.fr", "Camille", "Dupuy", "Directrice générale des services",
     [("47001", Role.ADMIN)], False),
    ("agent@agen.fr", "Lucas", "Bernard", "Agent d'accueil", [("47001", Role.MEMBER)], False),
    ("secretaire@agme-agnac.fr", "Martine", "Lafon", "Secrétaire de mairie",
     [("47002", Role.ADMIN), ("47003", Role.ADMIN), ("47004", Role.EDITOR)], False),
    ("dgs@agglo-agen.fr", "Olivier", "Mercier", "Directeur général des services",
     [("200096956", Role.ADMIN)], False),
]


def accounts() -> list[tuple[str, str]]:
    """The demo accounts present in the database, with what each may do."""
    rows = []
    for email, *_ in PEOPLE:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            continue
        roles = ", ".join(f"{m.role.label.lower()} {of(m.organisation.name)}"
                          for m in user.memberships)
        rows.append((email, ("administrateur de la plateforme ; " if user.is_platform_admin
                             else "") + roles))
    return rows


def seed(communes_csv: Path, force: bool = False) -> bool:
    """Load the demo once. Returns False if it was already there."""
    if not force and db.session.scalar(select(func.count()).select_from(Organisation)) > 0:
        return False
    from . import demo_content
    with transaction():
        people, by_key, open_space, groups = _structure(communes_csv)
    with transaction():
        demo_content.load(demo_content.Demo(people, by_key, open_space, groups))
    return True


def _structure(communes_csv: Path):
    """The organisations of the 47, the demo's people and their working groups."""
    open_space = spaces.ensure_open_space()
    db.session.flush()
    organisations.import_csv(communes_csv.read_bytes())
    by_key: dict[str, Organisation] = {}
    for name, kind, key, siren in FOUNDERS:
        org = db.session.scalar(select(Organisation).where(Organisation.name == name)) or \
            organisations.create_organisation(name=name, kind=kind, siren=siren)
        by_key[key] = org
    for org in db.session.scalars(select(Organisation)):
        if org.insee_code:
            by_key[org.insee_code] = org
        if org.siren:
            by_key[org.siren] = org

    password_hash = passwords.hash_password(DEMO_PASSWORD)
    people: dict[str, User] = {}
    # The demo's people joined months ago: a new account's first forum post in a public space
    # would wait for a moderator (access.must_hold_forum_post).
    joined = utcnow() - timedelta(days=180)
    for email, first, last, function, memberships, platform_admin in PEOPLE:
        user = User(email=email, first_name=first, last_name=last, function=function,
                    password_hash=password_hash, is_platform_admin=platform_admin,
                    created_at=joined)
        db.session.add(user)
        for key, role in memberships:
            db.session.add(Membership(user=user, organisation=by_key[key], role=role))
        people[email] = user
    db.session.flush()
    for user in people.values():
        if access.is_privileged(user):
            db.session.add(TotpDevice(user_id=user.id, secret=DEMO_TOTP_SECRET,
                                      confirmed_at=utcnow()))

    admin = people["admin@territoires47.fr"]
    agen_agglo = by_key["200096956"]
    secretaries = spaces.create_group(
        name=f"Secrétaires de mairie — {agen_agglo.name}", by=people["dgs@agglo-agen.fr"],
        description="Entraide entre les secrétaires de mairie des communes de l'agglomération : "
                    "questions d'état civil, d'urbanisme, de paie.",
        visibility=Visibility.MEMBERS, join_policy=JoinPolicy.REQUEST,
        organisation=agen_agglo)
    spaces.add_rule(secretaries, by=admin, epci=agen_agglo, org_kind=OrgKind.COMMUNE)
    mayors = spaces.create_group(
        name="Réseau des administrateurs communaux", by=people["contact@amf47.fr"],
        description="Informations de l'Association des maires pour les administrateurs de "
                    "chaque commune.", visibility=Visibility.NETWORK,
        join_policy=JoinPolicy.CLOSED, organisation=by_key["amf47"])
    spaces.add_rule(mayors, by=admin, org_kind=OrgKind.COMMUNE, min_role=Role.ADMIN)
    hr = spaces.create_group(
        name="Ressources humaines et carrières", by=people["admin@cdg47.fr"],
        description="Le Centre de gestion et les gestionnaires RH des collectivités : statut, "
                    "concours, remplacements.", visibility=Visibility.NETWORK,
        join_policy=JoinPolicy.REQUEST, organisation=by_key["cdg47"])
    spaces.add_rule(hr, by=admin, organisation=by_key["cdg47"])
    digital = spaces.create_group(
        name="Numérique et territoires", by=people["redacteur@cd47.fr"],
        description="Le programme « Lot-et-Garonne département numérique » : haut débit, "
                    "outils en ligne, formation des élus et des agents.",
        visibility=Visibility.PUBLIC, join_policy=JoinPolicy.OPEN,
        organisation=by_key["departement"])
    spaces.add_member(digital, people["secretaire@agme-agnac.fr"], by=people["redacteur@cd47.fr"])
    spaces.record_activity(open_space, "welcome", "Bienvenue sur l'intranet des collectivités "
                           "de Lot-et-Garonne", actor=people["redacteur@cd47.fr"])
    return people, by_key, open_space, {"secretaries": secretaries, "mayors": mayors, "hr": hr,
                                        "digital": digital}

