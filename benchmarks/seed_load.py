"""The département-scale dataset of ``benchmarks/load.py``, on top of the demo: 450
organisations, 5,000 people, 100,000 pages, 100,000 forum posts (one topic of 5,000),
20,000 deliberations, 50,000 messages, 10,000 agenda events, 2,000 job offers, 5,000
classified ads and 3,000 subsidy dossiers (``SIZES``; ``scale`` multiplies them).

The database must hold the demo already (``flask db upgrade`` and ``flask seed-demo``): its
accounts, organisations and spaces. Everything is written with bulk inserts (SQLAlchemy Core
``insert()`` with lists of dicts, a few thousand rows a statement), the search queue and the
notifications bypassed:

- organisations, people, working groups and pages: ``seed_scale.seed`` (French text with the
  word statistics of the language);
- forum posts: the layout of ``forums.seed`` (one topic of 5,000 posts, one of a single post,
  the rest in topics of 20, in five forums), its forums in spaces the demo accounts read:
  the big topic's in « Numérique et territoires » (a public group the secretary belongs
  to), the others in the spaces of the demo accounts' organisations;
- deliberations, agenda events, job offers, classified ads, conversations: each a copy of a
  row the demo wrote through the services (so every column the services fill has a valid
  value), with the fields that make rows different (title, text, organisation, space, dates,
  numbers) drawn for each; a share of each goes to the demo accounts' own organisations,
  spaces and inboxes, so that their lists are département-sized;
- subsidy dossiers: ``subsidies.seed_dossiers``, over the demo's aids (programme
  « Solidarité territoriale », instructed by agent@cd47.fr);
- the search index: every new row's ``search_document()`` (the models' own builders, as
  ``flask search reindex`` calls them) for the few thousand rows of the small types; for
  pages, forum posts, deliberations and messages — 95 % of the documents — the same
  documents built from one joined SELECT per batch (``FAST``: no ORM objects),
  and both written with the backend's own bulk writer (``backend().bulk()``; with
  PostgreSQL the vectors are computed by the database). ``tests/test_benchmark_load.py``
  checks that the fast documents equal the models' own.

    python -m benchmarks.seed_load --database-url postgresql://postgres@127.0.0.1:5432/load_x
    python -m benchmarks.seed_load --scale 0.01 ...
"""
from __future__ import annotations

import html
import random
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select, update

SIZES = {"organisations": 450, "people": 5_000, "pages": 100_000, "forum_posts": 100_000,
         "big_topic": 5_000, "deliberations": 20_000, "messages": 50_000, "events": 10_000,
         "jobs": 2_000, "ads": 5_000, "dossiers": 3_000}
BATCH = 5_000
# the demo accounts the load benchmark signs in as (intranet/demo.py)
SECRETARY = "secretaire@agme-agnac.fr"        # admin of Agmé and Agnac, editor of Aiguillon
COUNCIL_AGENT = "agent@cd47.fr"               # member of the Département, subsidy instructor
EPCI_ADMIN = "dgs@agglo-agen.fr"              # admin of the Agglomération d'Agen
DEMO_SHARE = 0.25     # of the rows of a kind, those that go to the demo accounts' own places
BIG_TOPIC_TITLE = "Le grand fil de l'entraide"
JOB_TITLES = ["Secrétaire de mairie", "Agent technique polyvalent", "Gestionnaire paie",
              "Responsable des services techniques", "Agent d'accueil", "Chargé d'urbanisme",
              "Animateur périscolaire", "Agent d'entretien des espaces verts",
              "Directeur général des services", "Comptable", "Assistant RH", "Policier municipal"]
AD_TITLES = ["Tables pliantes", "Tracteur tondeuse", "Barnum 6 x 3 m", "Photocopieur",
             "Chaises de salle des fêtes", "Sono portable", "Véhicule utilitaire", "Bureaux",
             "Grilles d'exposition", "Podium", "Vaisselle pour 200 couverts", "Débroussailleuse"]
PLACES = ["salle des fêtes", "mairie", "salle du conseil", "école", "gymnase", "médiathèque"]


def sizes(scale: float = 1.0) -> dict[str, int]:
    """The row counts at ``scale`` (1: the département). seed_scale draws 3,000 people into
    its working groups, hence its floor; the big topic keeps at least 100 posts (five
    pages), and room is left for the other topics."""
    got = {key: max(1, round(value * scale)) for key, value in SIZES.items()}
    got["people"] = max(got["people"], 3_000)
    got["big_topic"] = max(got["big_topic"], 100)
    got["forum_posts"] = max(got["forum_posts"], got["big_topic"] + 41)
    got["messages"] = max(got["messages"], 40)
    return got


def seed(scale: float = 1.0, *, progress=print, index: bool = True) -> dict:
    """Add the scale data to a database holding the demo (in an app context). Returns facts:
    the seconds taken per step, the ids the benchmark's pages need, the row counts.
    ``index=False`` leaves the search index as it was (``index_new_rows`` fills it)."""
    from intranet.accounts.models import User
    from intranet.extensions import db

    from . import seed_scale

    n = sizes(scale)
    rng = random.Random(47)
    timings: dict[str, float] = {}
    before = _max_ids()

    @contextmanager
    def step(name):
        started = time.perf_counter()
        yield
        db.session.commit()
        timings[name] = round(time.perf_counter() - started, 1)
        progress(f"  {name}: {timings[name]} s")

    demo_ids = dict(db.session.execute(select(User.email, User.id)).all())
    with step("organisations, people, groups, pages (seed_scale)"):
        seed_scale.seed(n_orgs=n["organisations"], n_users=n["people"], n_docs=n["pages"])
    world = _world(demo_ids)
    with step("forum posts"):
        _seed_forums(world, n, rng)
    with step("deliberations"):
        _seed_deliberations(world, n["deliberations"], rng)
    with step("messages"):
        _seed_messages(world, n["messages"], rng)
    with step("agenda events"):
        _seed_events(world, n["events"], rng)
    with step("job offers"):
        _seed_jobs(world, n["jobs"], rng)
    with step("classified ads"):
        _seed_ads(world, n["ads"], rng)
    with step("subsidy dossiers (subsidies.seed_dossiers)"):
        _seed_dossiers(world, n["dossiers"], rng)
    indexed = 0
    if index:
        with step("search index"):
            indexed = index_new_rows(before)
    if db.engine.dialect.name == "postgresql":
        with step("VACUUM ANALYZE"):
            db.session.commit()
            with db.engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM ANALYZE")
    return {"timings": timings, "indexed": indexed, "sizes": n, **facts()}


# --- what the demo gives ---------------------------------------------------------------------


def _world(demo_ids: dict[str, int]) -> dict:
    """Ids the seeding draws from: organisations by kind, spaces, people, and the demo
    accounts' own organisations and spaces."""
    from intranet.accounts.models import Membership, Organisation, OrgKind, User
    from intranet.extensions import db
    from intranet.spaces.models import Space, SpaceKind, SpaceMember

    orgs = db.session.execute(select(Organisation.id, Organisation.kind)).all()
    org_space = dict(db.session.execute(select(Space.organisation_id, Space.id).where(
        Space.kind == SpaceKind.ORGANISATION)).all())
    demo_users = [demo_ids[email] for email in (SECRETARY, COUNCIL_AGENT, EPCI_ADMIN)]
    demo_orgs = sorted(set(db.session.scalars(select(Membership.organisation_id).where(
        Membership.user_id.in_(demo_users)))))
    demo_spaces = sorted({org_space[o] for o in demo_orgs if o in org_space} | set(
        db.session.scalars(select(SpaceMember.space_id).where(
            SpaceMember.user_id.in_(demo_users), SpaceMember.status == "active"))))
    return {
        "demo_ids": demo_ids, "demo_users": demo_users, "demo_orgs": demo_orgs,
        "demo_spaces": demo_spaces, "org_space": org_space,
        "communes": [i for i, kind in orgs if kind == OrgKind.COMMUNE],
        "epcis": [i for i, kind in orgs if kind == OrgKind.EPCI],
        "publishers": [i for i, _ in orgs],
        "spaces": list(db.session.scalars(select(Space.id))),
        "people": list(db.session.scalars(select(User.id).where(User.active.is_(True)))),
        "digital": db.session.scalar(select(Space.id).where(
            Space.name == "Numérique et territoires")),
    }


def _pick(rng: random.Random, demo: list[int], everyone: list[int]) -> int:
    """A demo account's place DEMO_SHARE of the time, anyone's otherwise."""
    return rng.choice(demo if demo and rng.random() < DEMO_SHARE else everyone)


def _template(model, *where) -> dict:
    """A row the demo wrote through the services, as a dict without its id."""
    from intranet.extensions import db
    table = model.__table__
    row = db.session.execute(select(table).where(*where).order_by(table.c.id).limit(1)).one()
    values = dict(row._mapping)
    values.pop("id")
    return values


def _insert(model, rows: list[dict]) -> None:
    from intranet.extensions import db
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(model), rows[start:start + BATCH])


def _text(rng: random.Random, sentences: tuple[int, int] = (1, 4)) -> str:
    from .seed_scale import sentence
    return " ".join(sentence(rng, ["Agen", "Nérac", "Marmande", "Villeneuve-sur-Lot", "Agmé",
                                   "Agnac", "Aiguillon", "Tonneins"])
                    for _ in range(rng.randint(*sentences)))


def _paragraph(text: str) -> str:
    return f"<p>{html.escape(text, quote=False)}</p>"


# --- forums ------------------------------------------------------------------------------------


def _seed_forums(world: dict, n: dict, rng: random.Random) -> None:
    """Five forums in spaces the demo accounts read; one topic of n["big_topic"] posts (in
    « Numérique et territoires », a public group the secretary belongs to), one of a single
    post, the rest in topics of 20; counters set as the services keep them. (The layout of
    ``forums.seed``, whose function cannot be called here: it numbers the posts of every
    topic of the database, and the demo's have posts already.)"""
    from intranet.extensions import db
    from intranet.forums.models import Forum, ForumPost, ForumTopic

    from . import forums as forum_benchmark

    org_space = world["org_space"]
    targets = [world["digital"]] + [org_space[o] for o in world["demo_orgs"] if o in org_space]
    names = ["Entraide entre secrétaires", "Vie de la mairie", "Finances et budget",
             "Urbanisme et voirie", "Écoles et jeunesse"]
    forums = []
    for index, name in enumerate(names):
        forum = Forum(space_id=targets[index % len(targets)], name=name,
                      description=_text(rng, (1, 1)), position=100 + index)
        db.session.add(forum)
        forums.append(forum)
    db.session.flush()
    rest = n["forum_posts"] - n["big_topic"] - 1
    sizes = [n["big_topic"], 1] + [20] * (rest // 20) + ([rest % 20] if rest % 20 else [])
    now = datetime.now().replace(microsecond=0)
    people = world["people"]
    topics = []
    for index, size in enumerate(sizes):
        forum = forums[0] if index < 2 else forums[index % len(forums)]
        last = now - timedelta(minutes=len(sizes) - index)
        topics.append({"forum_id": forum.id, "space_id": forum.space_id,
                       "author_id": rng.choice(people),
                       "title": (BIG_TOPIC_TITLE if index == 0 else "Une seule question"
                                 if index == 1 else _text(rng, (1, 1))[:120]),
                       "created_at": last - timedelta(days=1), "pinned": index == 0,
                       "locked": False, "held": False, "post_count": size,
                       "last_position": size, "last_post_at": last,
                       "last_post_author_id": rng.choice(people),
                       "view_count": rng.randrange(500)})
    first_new = (db.session.scalar(select(func.max(ForumTopic.id))) or 0)
    _insert(ForumTopic, topics)
    ids = list(db.session.scalars(select(ForumTopic.id).where(ForumTopic.id > first_new)
                                  .order_by(ForumTopic.id)))
    rows = []
    for topic_id, topic in zip(ids, topics):
        for position in range(1, topic["post_count"] + 1):
            text = _text(rng)
            rows.append({"topic_id": topic_id, "position": position,
                         "author_id": rng.choice(people), "body_html": _paragraph(text),
                         "body_source": text, "body_format": "text",
                         "created_at": topic["created_at"] + timedelta(seconds=position),
                         "edit_count": 0, "held": False})
        if len(rows) >= BATCH:
            _insert(ForumPost, rows)
            rows = []
    _insert(ForumPost, rows)
    # one pass over the posts (a correlated subquery per topic reads them all per topic
    # before the planner has statistics)
    ends = (select(ForumPost.topic_id, func.min(ForumPost.id).label("first"),
                   func.max(ForumPost.id).label("last"))
            .where(ForumPost.topic_id > first_new).group_by(ForumPost.topic_id).subquery())
    db.session.execute(update(ForumTopic).where(ForumTopic.id == ends.c.topic_id).values(
        first_post_id=ends.c.first, last_post_id=ends.c.last))
    forum_benchmark.refresh_counters(forums)


# --- publications --------------------------------------------------------------------------------


def _seed_deliberations(world: dict, count: int, rng: random.Random) -> None:
    """Acts of every publisher, in monthly sittings, published a few days after them."""
    from intranet.cli import DATA_DIR
    from intranet.accounts.models import Organisation, OrgKind
    from intranet.extensions import db
    from intranet.publications.deliberations.models import (Assembly, Deliberation, Sitting)
    from intranet.publications.lifecycle import PublicationStatus

    template = _template(Deliberation, Deliberation.status == PublicationStatus.PUBLISHED)
    template.update(act_file_id=None, transmitted_on=None, acknowledgement_id=None)
    codes = [row.split(",")[0] for row in
             (DATA_DIR / "actes-matieres.csv").read_text().splitlines()[1:]
             if row.split(",")[1] == "2"]
    kinds = dict(db.session.execute(select(Organisation.id, Organisation.kind)).all())
    assembly_of = {OrgKind.COMMUNE: Assembly.MUNICIPAL_COUNCIL,
                   OrgKind.EPCI: Assembly.COMMUNITY_COUNCIL,
                   OrgKind.DEPARTEMENT: Assembly.STANDING_COMMITTEE}
    publishers = world["communes"] + world["epcis"] + [
        o for o, kind in kinds.items() if kind == OrgKind.DEPARTEMENT]
    taken = set(db.session.execute(select(Sitting.organisation_id, Sitting.assembly,
                                          Sitting.sitting_date)))
    today = date.today()
    acts, sittings, numbers = [], {}, {}
    for _ in range(count):
        org = _pick(rng, world["demo_orgs"], publishers)
        assembly = assembly_of.get(kinds[org], Assembly.OTHER)
        month = rng.randrange(36)
        day = date(today.year - month // 12 - 1, 1 + month % 12, 1 + rng.randrange(27))
        key = (org, assembly, day)
        if key not in taken and key not in sittings:
            sittings[key] = {"organisation_id": org, "assembly": assembly, "sitting_date": day,
                             "list_published_at": datetime.combine(day, datetime.min.time())
                             + timedelta(days=3), "agenda": ""}
        numbers[org] = numbers.get(org, 0) + 1
        text = _text(rng)
        acts.append({**template, "organisation_id": org, "assembly": assembly,
                     "sitting_date": day, "number": f"L{day.year}_{numbers[org]:05d}",
                     "subject": text.split(".")[0][:480], "matiere_code": rng.choice(codes),
                     "body_source": text, "body_html": _paragraph(text),
                     "published_at": datetime.combine(day, datetime.min.time())
                     + timedelta(days=2, hours=10), "created_at": datetime.combine(
                         day, datetime.min.time()), "updated_at": datetime.now(),
                     "_key": key})
    _insert(Sitting, list(sittings.values()))
    ids = {(o, a, d): i for i, o, a, d in db.session.execute(
        select(Sitting.id, Sitting.organisation_id, Sitting.assembly, Sitting.sitting_date))}
    for act in acts:
        act["sitting_id"] = ids[act.pop("_key")]
    _insert(Deliberation, acts)


def _seed_jobs(world: dict, count: int, rng: random.Random) -> None:
    from intranet.jobs.models import JobOffer
    from intranet.publications.lifecycle import PublicationStatus
    template = _template(JobOffer, JobOffer.status == PublicationStatus.PUBLISHED)
    now = datetime.now().replace(microsecond=0)
    rows = []
    for i in range(count):
        org = _pick(rng, world["demo_orgs"], world["publishers"])
        published = now - timedelta(days=rng.randrange(60), minutes=i)
        text = _text(rng, (2, 5))
        rows.append({**template, "title": rng.choice(JOB_TITLES), "reference": f"L-{i:05d}",
                     "organisation_id": org, "place_id": org, "missions_source": text,
                     "missions_html": _paragraph(text), "published_at": published,
                     "created_at": published, "updated_at": published,
                     "closes_on": (published + timedelta(days=30 + rng.randrange(60))).date(),
                     "created_by_id": rng.choice(world["people"])})
    _insert(JobOffer, rows)


def _seed_ads(world: dict, count: int, rng: random.Random) -> None:
    from intranet.ads.models import Ad, AdCategory, AdKind
    from intranet.core.text import fold
    from intranet.core.types import Visibility
    from intranet.publications.lifecycle import PublicationStatus
    template = _template(Ad, Ad.status == PublicationStatus.PUBLISHED, Ad.personal.is_(False))
    now = datetime.now().replace(microsecond=0)
    rows = []
    for i in range(count):
        org = _pick(rng, world["demo_orgs"], world["communes"])
        title = f"{rng.choice(AD_TITLES)} ({i})"
        description = _text(rng, (1, 3))
        published = now - timedelta(days=rng.randrange(50), minutes=i)
        rows.append({**template, "organisation_id": org, "commune_id": org, "title": title,
                     "description": description, "kind": rng.choice(list(AdKind)),
                     "category": rng.choice(list(AdCategory)),
                     "visibility": rng.choice((Visibility.PUBLIC, Visibility.NETWORK)),
                     "search_text": fold(f"{title} {description}"), "price": None,
                     "published_at": published, "created_at": published,
                     "updated_at": published, "expires_at": published + timedelta(days=60),
                     "created_by_id": rng.choice(world["people"])})
    _insert(Ad, rows)


def _seed_dossiers(world: dict, count: int, rng: random.Random) -> None:
    from intranet.extensions import db
    from intranet.publications.aids.models import Aid

    from .subsidies import seed_dossiers
    aids = list(db.session.scalars(select(Aid.id).order_by(Aid.id)))
    applicants = world["demo_orgs"] + world["communes"] + world["epcis"]
    seed_dossiers(applicants, aids, count, count * 3, rng, start=100_000)


# --- agenda, messages ------------------------------------------------------------------------------


def _seed_events(world: dict, count: int, rng: random.Random) -> None:
    """Single events from 60 days ago to 120 days ahead, in working hours (Paris time; one
    hour is taken off for UTC, as in winter)."""
    from intranet.agenda.models import Event
    template = _template(Event, Event.space_id.is_not(None), Event.rrule.is_(None),
                         Event.all_day.is_(False))
    today = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
    rows = []
    for i in range(count):
        space = _pick(rng, world["demo_spaces"], world["spaces"])
        starts = today + timedelta(days=rng.randrange(-60, 120), hours=rng.randrange(8, 18))
        ends = starts + timedelta(hours=rng.choice((1, 2, 3)))
        text = _text(rng, (1, 2))
        rows.append({**template, "space_id": space, "owner_id": rng.choice(world["people"]),
                     "title": f"Réunion : {text.split(' ')[-3].rstrip('.')} {i}"[:200],
                     "location": f"{rng.choice(PLACES).capitalize()}",
                     "description_source": text, "description_html": _paragraph(text),
                     "description_format": "text", "description_text": text,
                     "starts_on": starts, "ends_on": ends, "rrule": None,
                     "first_utc": starts - timedelta(hours=1),
                     "last_utc": ends - timedelta(hours=1), "visibility": None,
                     "uid": f"load-{i}-{rng.getrandbits(32):08x}@territoires47.fr",
                     "sequence": 0, "created_at": starts - timedelta(days=30),
                     "updated_at": starts - timedelta(days=30)})
    _insert(Event, rows)


def _seed_messages(world: dict, count: int, rng: random.Random) -> None:
    """Conversations of ten messages between two to four people; each demo account is in a
    share of them (its inbox then lists hundreds), a few unread."""
    from intranet.extensions import db
    from intranet.messaging.models import (Conversation, ConversationMessage,
                                           ConversationParticipant)
    conversation = _template(Conversation)
    participant = _template(ConversationParticipant)
    message = _template(ConversationMessage, ConversationMessage.is_system.is_(False))
    per, demo = 10, world["demo_users"]
    total = max(1, count // per)
    now = datetime.now().replace(microsecond=0)
    heads, members = [], []
    for c in range(total):
        people = rng.sample(world["people"], rng.randint(2, 4))
        for user in demo:
            if rng.random() < DEMO_SHARE / 2 and user not in people:
                people[rng.randrange(len(people))] = user
        people = list(dict.fromkeys(people))
        if len(people) < 2:
            people.append(next(p for p in world["people"] if p not in people))
        last = now - timedelta(hours=c)
        heads.append({**conversation, "subject": _text(rng).split(".")[0][:190],
                      "created_by_id": people[0], "created_at": last - timedelta(days=2),
                      "last_message_at": last, "message_count": per, "audience": ""})
        members.append(people)
    _insert(Conversation, heads)
    ids = list(db.session.scalars(select(Conversation.id).order_by(Conversation.id.desc())
                                  .limit(total)))[::-1]
    rows, messages = [], []
    for conversation_id, head, people in zip(ids, heads, members):
        for user in people:
            rows.append({**participant, "conversation_id": conversation_id, "user_id": user,
                         "joined_at": head["created_at"], "archived_at": None, "left_at": None,
                         "visible_from_id": None,
                         "read_count": per - (rng.random() < 0.05)})
        for k in range(per):
            text = _text(rng)
            messages.append({**message, "conversation_id": conversation_id,
                             "author_id": people[k % len(people)], "body_source": text,
                             "body_html": _paragraph(text), "created_at": head["created_at"]
                             + timedelta(hours=k * 4), "edited_at": None, "deleted_at": None,
                             "is_system": False, "via_email": False})
    _insert(ConversationParticipant, rows)
    _insert(ConversationMessage, messages)


# --- the search index ----------------------------------------------------------------------


def _max_ids() -> dict[str, int]:
    from intranet.extensions import db
    from intranet.search.documents import registered
    return {key: db.session.scalar(select(func.max(model.id))) or 0
            for key, model in registered().items()}


def index_new_rows(before: dict[str, int], fast: bool = True) -> int:
    """Index every searchable row written since ``before`` (``_max_ids``), with the backend's
    bulk writer. Returns the number of documents."""
    from intranet.extensions import db
    from intranet.search import services as search
    from intranet.search.documents import registered

    total = 0
    with search.backend().bulk() as add:
        for key, model in registered().items():
            builder = FAST.get(key) if fast else None
            last = before.get(key, 0)
            while True:
                if builder:
                    documents, last = builder(last, BATCH)
                    if last is None:
                        break
                else:
                    options = model.search_load_options() \
                        if hasattr(model, "search_load_options") else ()
                    rows = db.session.scalars(select(model).options(*options).where(
                        model.id > last).order_by(model.id).limit(1_000)).unique().all()
                    if not rows:
                        break
                    documents = [d for d in (row.search_document() for row in rows) if d]
                    last = rows[-1].id
                add(documents)
                total += len(documents)
                db.session.commit()
                db.session.expunge_all()
    db.session.commit()
    search.backend().refresh()
    return total


def _organisation_names() -> dict[int, str]:
    from intranet.accounts.models import Organisation
    from intranet.extensions import db
    return dict(db.session.execute(select(Organisation.id, Organisation.name)).all())


def _fast_pages(last: int, size: int):
    """Pages as ``Page.search_document`` makes them (no attachments: the seeded pages have
    none, which the query checks)."""
    from intranet.core.sanitize import to_text
    from intranet.core.urls import path_for
    from intranet.documents.models import Page, PageAttachment, PageStatus
    from intranet.extensions import db
    from intranet.search.documents import SearchDocument
    from intranet.spaces.models import Space
    names = _organisation_names()
    rows = db.session.execute(
        select(Page.id, Page.title, Page.body_html, Page.updated_at, Page.space_id,
               Page.visibility, Page.author_id, Page.status, Page.deleted_at, Space.slug,
               Space.organisation_id, PageAttachment.id)
        .join(Space, Space.id == Page.space_id)
        .outerjoin(PageAttachment, PageAttachment.page_id == Page.id)
        .where(Page.id > last).order_by(Page.id).limit(size)).all()
    if not rows:
        return [], None
    documents = []
    for (id_, title, body, updated, space_id, visibility, author, status, deleted, slug,
         org, attachment) in rows:
        if attachment is not None:
            raise RuntimeError(f"page {id_} has attachments: not a seeded page")
        if status != PageStatus.PUBLISHED or deleted is not None:
            continue
        documents.append(SearchDocument(
            key=f"page:{id_}", type="page", title=title, body=to_text(body).strip(),
            url=path_for("documents.page", slug=slug, page_id=id_), date=updated,
            space_id=space_id, narrow=visibility.value if visibility else "",
            author_id=author, organisation_id=org, organisation_name=names.get(org, "")))
    return documents, rows[-1][0]


def _fast_forum_posts(last: int, size: int):
    from intranet.core.sanitize import to_text
    from intranet.core.urls import path_for
    from intranet.extensions import db
    from intranet.forums.models import ForumPost, ForumTopic
    from intranet.search.documents import SearchDocument
    from intranet.spaces.models import Space
    names = _organisation_names()
    rows = db.session.execute(
        select(ForumPost.id, ForumPost.body_html, ForumPost.edited_at, ForumPost.created_at,
               ForumPost.author_id, ForumPost.deleted_at, ForumPost.held, ForumPost.position,
               ForumTopic.first_post_id, ForumTopic.title, ForumTopic.space_id,
               ForumTopic.forum_id, ForumTopic.deleted_at, ForumTopic.held, Space.slug,
               Space.organisation_id)
        .join(ForumTopic, ForumTopic.id == ForumPost.topic_id)
        .join(Space, Space.id == ForumTopic.space_id)
        .where(ForumPost.id > last).order_by(ForumPost.id).limit(size)).all()
    if not rows:
        return [], None
    documents = []
    for (id_, body, edited, created, author, deleted, held, position, first, title, space_id,
         forum_id, topic_deleted, topic_held, slug, org) in rows:
        if deleted is not None or held or position is None or topic_deleted is not None \
                or topic_held:
            continue
        documents.append(SearchDocument(
            key=f"forum_post:{id_}", type="forum_post",
            title=title if first == id_ else f"Re : {title}", body=to_text(body),
            url=path_for("forums.post", slug=slug, post_id=id_), date=edited or created,
            space_id=space_id, narrow="", container=f"forum:{forum_id}", author_id=author,
            organisation_id=org, organisation_name=names.get(org, "")))
    return documents, rows[-1][0]


def _fast_messages(last: int, size: int):
    """Messages as ``ConversationMessage.search_document`` makes them, for conversations
    nobody left or archived from a message on (``reader_ids``: every participant then) and
    without attachments (the query checks both)."""
    from intranet.core.sanitize import to_text
    from intranet.core.urls import path_for
    from intranet.extensions import db
    from intranet.messaging.models import (Conversation, ConversationAttachment,
                                           ConversationMessage, ConversationParticipant)
    from intranet.search.documents import SearchDocument
    rows = db.session.execute(
        select(ConversationMessage.id, ConversationMessage.conversation_id,
               ConversationMessage.body_html, ConversationMessage.created_at,
               ConversationMessage.author_id, ConversationMessage.is_system,
               ConversationMessage.deleted_at, Conversation.subject)
        .join(Conversation, Conversation.id == ConversationMessage.conversation_id)
        .where(ConversationMessage.id > last).order_by(ConversationMessage.id)
        .limit(size)).all()
    if not rows:
        return [], None
    conversations = {row[1] for row in rows}
    readers: dict[int, list[int]] = {}
    for conversation_id, user_id, left, visible in db.session.execute(
            select(ConversationParticipant.conversation_id, ConversationParticipant.user_id,
                   ConversationParticipant.left_at, ConversationParticipant.visible_from_id)
            .where(ConversationParticipant.conversation_id.in_(conversations))):
        if left is not None or visible is not None:
            raise RuntimeError(f"conversation {conversation_id}: not a seeded conversation")
        readers.setdefault(conversation_id, []).append(user_id)
    if db.session.scalar(select(func.count()).select_from(ConversationAttachment).where(
            ConversationAttachment.message_id.in_([row[0] for row in rows]))):
        raise RuntimeError("messages with attachments: not seeded messages")
    documents = []
    for id_, conversation_id, body, created, author, system, deleted, subject in rows:
        if system or deleted is not None or not readers.get(conversation_id):
            continue
        documents.append(SearchDocument(
            key=f"message:{id_}", type="message", title=subject, body=to_text(body).strip(),
            url=path_for("messaging.show", conversation_id=conversation_id)
            + f"#message-{id_}", date=created, readers=sorted(readers[conversation_id]),
            author_id=author))
    return documents, rows[-1][0]


def _fast_deliberations(last: int, size: int):
    from intranet.core.sanitize import to_text
    from intranet.core.urls import path_for
    from intranet.extensions import db
    from intranet.publications.deliberations.models import Deliberation
    from intranet.publications.lifecycle import PublicationStatus
    from intranet.search.documents import SearchDocument
    from intranet.spaces.services import open_space_id
    names, space_id = _organisation_names(), open_space_id()
    rows = db.session.execute(
        select(Deliberation.id, Deliberation.nature, Deliberation.number,
               Deliberation.subject, Deliberation.assembly, Deliberation.body_html,
               Deliberation.act_file_id, Deliberation.sitting_date, Deliberation.status,
               Deliberation.visibility, Deliberation.organisation_id)
        .where(Deliberation.id > last).order_by(Deliberation.id).limit(size)).all()
    if not rows:
        return [], None
    documents = []
    for (id_, nature, number, subject, assembly, body, act_file, sitting, status, visibility,
         org) in rows:
        if act_file is not None:
            raise RuntimeError(f"deliberation {id_} has a file: not a seeded act")
        if status != PublicationStatus.PUBLISHED or space_id is None:
            continue
        documents.append(SearchDocument(
            key=f"deliberation:{id_}", type="deliberation",
            title=f"{nature.label} n° {number} — {subject}",
            body=f"{assembly.label}\n{to_text(body)}".strip(),
            url=path_for("deliberations.show", deliberation_id=id_),
            date=datetime.combine(sitting, datetime.min.time()), space_id=space_id,
            narrow=visibility.value, organisation_id=org,
            organisation_name=names.get(org, "")))
    return documents, rows[-1][0]


FAST = {"page": _fast_pages, "forum_post": _fast_forum_posts, "message": _fast_messages,
        "deliberation": _fast_deliberations}


# --- facts ------------------------------------------------------------------------------------


def facts() -> dict:
    """What the benchmark's pages need: the big topic, spaces, ids; and the row counts."""
    from intranet.accounts.models import Organisation, User
    from intranet.agenda.models import Event
    from intranet.ads.models import Ad
    from intranet.documents.models import Page
    from intranet.extensions import db
    from intranet.forums.models import Forum, ForumPost, ForumTopic
    from intranet.jobs.models import JobOffer
    from intranet.messaging.models import Conversation, ConversationMessage
    from intranet.publications.deliberations.models import Deliberation
    from intranet.search.models import SearchEntry
    from intranet.spaces.models import Space
    from intranet.subsidies.models import SubsidyDossier

    big = db.session.scalar(select(ForumTopic).where(ForumTopic.title == BIG_TOPIC_TITLE))
    counts = {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
              for model in (Organisation, User, Space, Page, Forum, ForumTopic, ForumPost,
                            Deliberation, Conversation, ConversationMessage, Event, JobOffer,
                            Ad, SubsidyDossier)}
    try:
        counts["search_entry"] = db.session.scalar(select(func.count()).select_from(
            SearchEntry))
    except Exception:        # the Whoosh backend: no table
        db.session.rollback()
    found = {"counts": counts}
    if big is not None:
        found.update(big_topic=big.id, big_posts=big.post_count,
                     big_slug=db.session.scalar(select(Space.slug).where(
                         Space.id == big.space_id)),
                     big_forum=big.forum_id)
    return found


def main() -> None:
    import argparse
    import os

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("SEARCH_BACKEND", "postgres")
    from intranet import create_app
    app = create_app()
    started = time.perf_counter()
    with app.app_context():
        got = seed(args.scale)
    print(f"seeded in {time.perf_counter() - started:.0f} s, {got['indexed']:,} search "
          "documents written; rows per table:")
    for table, count in got["counts"].items():
        print(f"  {table:<24}{count:>9,}")


if __name__ == "__main__":
    main()
