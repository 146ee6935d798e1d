"""The world the route walks share (access matrix, fuzzing): organisation A with private content
in every domain, the people who must not see it, other spaces whose addresses A's objects are
tried under, and what every route reads.

Each domain adds its own private objects in a ``matrix.py`` of its test folder: a function
``build(world) -> dict[(blueprint, argument), list[value]]`` that creates A's objects and returns
samples for its routes. It puts ``world["CONTENT"]`` in whatever must stay private to A — in
names, texts and the bytes of files (``private_file(world)``) — and ``world["DRAFT"]`` in what
even A's plain members must not see (drafts, binned items, held posts). It may append to
``world["insider_urls"]`` pages where A's members must see ``CONTENT``, and create objects in
``world["public_group"]`` (a public group run by B's admin) and the open space, so that A's
objects are also tried under those spaces' addresses and in their query strings.

``recording(app)`` reports, per endpoint, the query-string and form names a view reads (its
``request.args`` and ``request.form`` are watched): the walks use it to send each route the
parameters it really reads, so that a parameter added later is tried too.
"""
from __future__ import annotations

import contextlib
import importlib
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from flask import request
from sqlalchemy import select
from werkzeug.datastructures import ImmutableMultiDict

from intranet.accounts.models import Membership
from intranet.core.types import Role, Visibility
from intranet.extensions import db
from intranet.search import services as search
from intranet.spaces import services as spaces
from intranet.spaces.models import JoinPolicy

from . import factories

CONTENT = "contenu-prive-de-a-7f3c"     # A's private content: nobody outside A may read it
STRUCTURE = "groupe-prive-de-a-91b2"    # a closed group's name: the platform admin may see it
DRAFT = "brouillon-de-a-5d1e"           # A's drafts: not even A's plain members may read them

# What each query-string parameter a view reads is tried with: A's objects (as the samples of
# the route parameter named) or plain values. A view that reads a name missing here makes the
# access matrix fail, as a route parameter without a sample does.
QUERY_SAMPLES = {
    "citer": ("sample", "forums", "post_id"),
    "a": ("sample", "*", "user_id"),
    "organisation": ("sample", "accounts", "slug"),
    "organisme": ("sample", "*", "organisation_id"),
    "parent": ("sample", "orgcharts", "unit_id"),
    "groupe": ("sample", "spaces", "slug"),
    # The markers' last words: a page echoing what was typed does not show the whole marker.
    "q": ("values", CONTENT.rsplit("-", 1)[1], DRAFT.rsplit("-", 1)[1]),
    "page": ("values", "2"),
    "next": ("values", "/"),
    "type": ("values", "page", "commune"),
    "tri": ("values", "date"),
    "annee": ("values", "2024"),
    "year": ("values", "2024"),
    "periode": ("values", "passes"),
    "voir": ("values", "1"),
    "non-lus": ("values", "1"),
    "etat": ("values", "published", "actifs"),
    "theme": ("values", "sport"),
    "beneficiaire": ("values", "communes"),
    "assembly": ("values", "conseil_municipal"),
    "action": ("values", "login.success"),
    "who": ("values", "exemple.fr"),
    "ip": ("values", "127.0.0.1"),
    "start": ("values", "2024-01-01"),
    "end": ("values", "2099-01-01"),
    "espace": ("sample", "spaces", "slug"),
    "forum": ("sample", "forums", "forum_id"),
    "liste": ("sample", "lists", "name"),
    "auteur": ("values", "Nom"),
    "du": ("values", "2024-01-01"),
    "au": ("values", "2099-01-01"),
    "vue": ("values", "semaine", "liste"),
    "date": ("values", "2027-03-15"),
    "cal": ("values", "perso"),
    "heure": ("values", "9"),
    "ressource": ("sample", "agenda", "resource_id"),
    "occurrence": ("values", "20270322T1000"),
    "epci": ("sample", "*", "organisation_id"),
    "fonction": ("values", "secretaire_mairie"),
    "categorie": ("values", "C", "vehicles"),
    "filiere": ("values", "administrative"),
    "temps": ("values", "complet"),
    "statut": ("values", "contrat"),
    "nature": ("values", "sell"),
    "commune": ("sample", "*", "organisation_id"),
    "programme": ("values", "Programme de A"),
    "aide": ("sample", "subsidies", "aid_id"),
    "demandeur": ("values", "Commune A"),
}


def private_file(world, suffix: bytes = b"") -> bytes:
    """The bytes of one of A's private files (a PDF): its content carries the marker, so that
    a download leaking it is seen."""
    return b"%PDF-1.4\n% " + world["CONTENT"].encode() + b" " + suffix + b"\n"


# Addresses whose token is the permission: whoever holds the link may act (confirm a list
# subscription, unsubscribe in one click). The walks check that they show nothing, not that
# they change nothing.
CAPABILITY_ENDPOINTS = frozenset({"lists.confirm", "lists.one_click", "lists.unsubscribe_page",
                                  "lists.change_address_by_link", "lists.confirm_address",
                                  "aids.confirm_alert", "aids.unsubscribe_alert",
                                  "aids.unsubscribe_alert_now", "aids.alert_frequency_by_link",
                                  "sharing.show", "sharing.download_shared",
                                  "search.unsubscribe", "search.unsubscribe_now"})


def build_world() -> dict:
    org_a = factories.make_org("Commune A")
    org_b = factories.make_org("Commune B")
    a_member = factories.make_user(org_a, Role.MEMBER)
    a_admin = factories.make_user(org_a, Role.ADMIN)
    # A plain member of A who is an editor of B: sees A's content, never A's drafts.
    two_orgs = factories.make_user(org_a, Role.MEMBER)
    factories.add_membership(two_orgs, org_b, Role.EDITOR)
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
    spaces.add_member(group, two_orgs, by=a_admin)
    rule = spaces.add_rule(group, by=a_admin, organisation=org_a)
    network_group = factories.make_group(a_admin, name="Groupe ouvert au réseau",
                                         visibility=Visibility.NETWORK,
                                         join_policy=JoinPolicy.CLOSED)
    spaces.add_member(network_group, a_member, by=a_admin)
    # B's public group: A's objects are tried under its address, by people who run it.
    public_group = factories.make_group(people["b_admin"], name="Groupe public de B",
                                        visibility=Visibility.PUBLIC, join_policy=JoinPolicy.OPEN)
    spaces.add_member(public_group, people["b_member"], by=people["b_admin"])
    open_space = spaces.ensure_open_space()
    factories.activity(a_space, f"Budget {CONTENT}")
    factories.activity(group, f"Réunion {CONTENT}")
    factories.activity(network_group, f"Note réservée {CONTENT}", visibility=Visibility.MEMBERS)
    db.session.commit()
    membership = db.session.scalar(select(Membership).where(Membership.user_id == a_member.id))
    world = {
        "people": people, "a_member": a_member, "a_admin": a_admin, "two_orgs": two_orgs,
        "org_a": org_a, "org_b": org_b, "a_space": a_space, "a_group": group,
        "public_group": public_group, "open_space": open_space, "network_group": network_group,
        "CONTENT": CONTENT, "DRAFT": DRAFT, "insider_urls": ["/"],
        "draft_urls": [], "private_files": [],
        "samples": {
            ("spaces", "slug"): [a_space.slug, group.slug, network_group.slug],
            ("accounts", "slug"): [org_a.slug],
            ("admin", "slug"): [org_a.slug],
            ("*", "user_id"): [a_member.id],
            ("*", "organisation_id"): [org_a.id],
            ("admin", "membership_id"): [membership.id],
            ("spaces", "rule_id"): [rule.id],
            ("accounts", "token"): ["jeton-invalide"],
        },
    }
    for module in domain_modules():
        world["samples"].update(module.build(world))
    # Every object of A is also tried under the open space's and B's public group's addresses.
    for (blueprint, arg), values in world["samples"].items():
        if arg == "slug" and a_space.slug in values:
            values += [open_space.slug, public_group.slug]
    db.session.commit()
    search.backend().clear()
    search.drain()   # what search would find, as the worker would have indexed it
    return world


def domain_modules():
    root = Path(__file__).parent
    for path in sorted(root.rglob("matrix.py")):
        parts = path.relative_to(root).with_suffix("").parts
        yield importlib.import_module(".".join(("tests", *parts)))


def sample_values(samples, blueprint: str, arg: str) -> list:
    return samples.get((blueprint, arg)) or samples.get(("*", arg)) or []


def route_urls(app, samples):
    """(method, url, endpoint) for every route, with A's objects as parameters."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        blueprint = rule.endpoint.split(".")[0]
        combos = [{}]
        for arg in sorted(rule.arguments):
            values = sample_values(samples, blueprint, arg)
            assert values, (f"Route {rule.rule} ({rule.endpoint}) takes <{arg}>: add a sample of "
                            f"organisation A's objects for it in the matrix.py of its test folder")
            combos = [dict(c, **{arg: v}) for c in combos for v in values]
        for values in combos:
            url = rule.build(values)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, url, rule.endpoint


def query_values(samples, name: str) -> list[str]:
    """The values a query-string parameter is tried with (``QUERY_SAMPLES``)."""
    kind, *spec = QUERY_SAMPLES[name]
    if kind == "values":
        return list(spec)
    return [str(v) for v in sample_values(samples, *spec)]


# --- what the views read -------------------------------------------------------------------------

class _Watched(ImmutableMultiDict):
    """A request's args or form that notes the names a view asks for."""

    seen: set | None = None

    def _note(self, key):
        if _Watched.seen is not None and isinstance(key, str):
            _Watched.seen.add(key)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        self._note(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        self._note(key)
        return super().getlist(key, type)


class Reads:
    """Per endpoint, the query names (GET) and form names (POST) its view read."""

    def __init__(self):
        self.query = defaultdict(set)
        self.form = defaultdict(set)


@contextlib.contextmanager
def recording(app):
    """While active, requests to ``app`` note what their views read into the Reads yielded:
    query names for GET requests, form names for POST requests."""
    reads = Reads()
    original = app.request_class

    class WatchedRequest(original):
        parameter_storage_class = _Watched

    def before():
        _Watched.seen = set()

    def after(response):
        seen, _Watched.seen = _Watched.seen or set(), None
        if request.endpoint:
            target = reads.query if request.method == "GET" else reads.form
            target[request.endpoint] |= {name for name in seen if name != "csrf_token"}
        return response

    app.request_class = WatchedRequest
    app.before_request_funcs.setdefault(None, []).insert(0, before)
    app.after_request_funcs.setdefault(None, []).append(after)
    try:
        yield reads
    finally:
        app.request_class = original
        app.before_request_funcs[None].remove(before)
        app.after_request_funcs[None].remove(after)
        _Watched.seen = None


# --- the forms a person is shown -----------------------------------------------------------------

class FormHarvest(HTMLParser):
    """The POST forms of a page, as (action path, [(name, value)], [file field names]), filled as
    a person would send them: hidden values and defaults kept, checked boxes and selected
    options sent, empty fields given a plausible value for their type."""

    FILLERS = {"email": "personne@exemple.fr", "date": "2031-03-14", "number": "3",
               "datetime-local": "2031-03-14T10:00", "time": "10:00", "url": "https://exemple.fr",
               "tel": "05 53 00 00 00", "password": "un-mot-de-passe-assez-long-47"}

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path = page_path
        self.forms: list[tuple[str, list, list]] = []
        self._form = None
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if (attrs.get("method") or "get").lower() == "post":
                action = urlsplit(attrs.get("action") or self.page_path).path or self.page_path
                self._form = (action, [], [], {})
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            name, value = attrs["name"], attrs.get("value")
            if kind == "file":
                self._form[2].append(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in attrs or (kind == "radio" and name not in self._form[3]):
                    self._form[3][name] = value or "on"
            elif kind not in ("submit", "button", "reset", "image"):
                self._form[1].append((name, value or self.FILLERS.get(kind, "Texte saisi 47")))
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = [attrs["name"], ""]
        elif tag == "select" and attrs.get("name"):
            self._select = [attrs["name"], None, None]
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select[2] is None or ("selected" in attrs and self._select[1] is None):
                self._select[2] = value
            if "selected" in attrs:
                self._select[1] = value

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if self._form is None:
            return
        if tag == "textarea" and self._textarea is not None:
            name, value = self._textarea
            self._form[1].append((name, value.strip() or "Un texte saisi pour l'essai."))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, selected, first = self._select
            value = selected if selected is not None else first
            if value is not None:
                self._form[1].append((name, value))
            self._select = None
        elif tag == "form":
            action, fields, files, checked = self._form
            self.forms.append((action, fields + list(checked.items()), files))
            self._form = None


def main_part(body: bytes) -> bytes:
    """A page's own content, without the header (which lists the person's own spaces)."""
    start = body.find(b"<main")
    return body[start:body.find(b"</main>", start)] if start >= 0 else body


def harvest(client, urls, markers=(CONTENT, DRAFT, STRUCTURE)):
    """What a person is shown at ``urls``: the POST forms of the pages (action path → (fields,
    file fields)) and the addresses whose answer shows one of the markers in its own content."""
    forms: dict[str, tuple[list, list]] = {}
    private: set[str] = set()
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            continue
        if any(marker.encode() in main_part(response.get_data()) for marker in markers):
            private.add(url)
        if response.mimetype == "text/html":
            parser = FormHarvest(urlsplit(url).path)
            parser.feed(response.get_data(as_text=True))
            for action, fields, files in parser.forms:
                forms.setdefault(action, (fields, files))
    return forms, private


# --- the state nobody outside A may change -------------------------------------------------------

# What a walk may change without touching anything of A's: the log of every request's sign-in
# or refusal, mail queued by public forms (a password reset asked for any address), the
# search queue (it follows content tables, which are compared) and the generations' tokens
# (they follow memberships and spaces, which are compared: a person joining a space changes
# the token every process reads).
WALK_TABLES = frozenset({"audit_event", "outbox_message", "search_queue", "generation"})
# What the platform admin runs: organisations, people, memberships, spaces and their rules,
# organisation charts (DESIGN §2: structure, not content), and who instructs which programme's
# subsidy dossiers, resetting a person's second factors; deactivating a person ends their
# sessions (user_session).
STRUCTURE_TABLES = frozenset({"organisation", "user_account", "membership", "space",
                              "space_member", "space_rule", "org_unit", "org_position",
                              "org_chart_setting", "subsidy_instructor", "mfa_totp",
                              "mfa_passkey", "mfa_recovery_code", "mfa_trusted_browser",
                              "user_session"})


def database_state() -> dict[str, dict[tuple, tuple]]:
    """Every row of every table, by primary key, comparable before and after a walk."""
    state = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            keys = [c.name for c in table.primary_key.columns]
            state[table.name] = {tuple(row._mapping[k] for k in keys): tuple(map(repr, row))
                                 for row in conn.execute(table.select())}
    return state


def _references(table, row_values: tuple):
    """(referred table, key) for each foreign key of a row (as ``database_state`` stores it)."""
    columns = [c.name for c in table.columns]
    for fk in table.foreign_keys:
        value = row_values[columns.index(fk.parent.name)]
        if value != "None":
            yield fk.column.table.name, (int(value),) if value.isdigit() else (value,)


def others_rows(state, world) -> set[tuple[str, tuple]]:
    """The rows that are not A's: B, B's people and public group, the open space, and every row
    that refers to one of them (their content, their memberships…)."""
    others = {("organisation", (world["org_b"].id,)), ("space", (world["public_group"].id,)),
              ("space", (world["open_space"].id,))}
    others |= {("user_account", (p.id,)) for p in world["people"].values() if p is not None}
    for table in db.metadata.sorted_tables:   # parents before children
        for key, values in state.get(table.name, {}).items():
            if any(ref in others for ref in _references(table, values)):
                others.add((table.name, key))
    return others


def state_changes(before, after, world, who: str, person) -> list[str]:
    """What a visitor's walk changed of A's: a row of A's that changed or went, or a new row that
    refers to one of A's rows (a post in A's topic, a subscription to A's list, an aid published
    for A…). People may be referred to (a message to A's member is not A's state), a visitor's
    own account row may change, and the platform admin may change structure (STRUCTURE_TABLES)."""
    ignored = WALK_TABLES | (STRUCTURE_TABLES if who == "platform_admin" else frozenset())
    others = others_rows(before, world)
    own = ("user_account", (person.id,)) if person is not None else None
    changes = []
    for table in db.metadata.sorted_tables:
        if table.name in ignored:
            continue
        old, new = before[table.name], after[table.name]
        for key, values in old.items():
            if (table.name, key) in others or (table.name, key) == own:
                continue
            if new.get(key) != values:
                changes.append(f"{table.name} {key}: {values} → {new.get(key, 'removed')}")
        for key in new.keys() - old.keys():
            for ref in _references(table, new[key]):
                if ref[0] != "user_account" and ref in old.get(ref[0], {}) and ref not in others:
                    changes.append(f"new {table.name} {key} refers to A's {ref[0]} {ref[1]}: "
                                   f"{new[key]}")
    return changes
