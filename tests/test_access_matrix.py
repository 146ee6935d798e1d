"""Walk every registered route as every kind of person and check that nobody outside
organisation A ever sees A's private content, or changes anything of A's.

The walk is built from ``app.url_map``: a new route is covered the moment it is registered. A
route with a URL parameter nobody gave a sample for makes the test fail — on purpose, so nobody
adds a route the matrix silently skips; likewise a query parameter a view reads without an
entry in ``QUERY_SAMPLES``. The world (A's objects, the samples) is built by
``tests/route_world.py`` from each domain's ``matrix.py``.

For each outsider, every route is requested with each combination of A's objects, also under
the open space's and B's public group's addresses; each GET again with every query parameter
its view reads set to A's objects; each POST with the form A's admin is shown for it (valid
values, files attached). Nothing of A's may appear in a body or a header, a read that is denied
answers 404 (never 403, which would tell that the object exists), and no table changes.

A signed-out visitor's denied read answers the sign-in redirect instead (``access.
must_sign_in_first``), and the same one for an address that names nothing: the last tests check
that the answer to each of A's private addresses is the answer to its twin made of ids and
names that do not exist.
"""
from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from werkzeug.routing.converters import NumberConverter

from intranet import access
from intranet.extensions import db

from . import factories
from .route_world import (CAPABILITY_ENDPOINTS, CONTENT, DRAFT, QUERY_SAMPLES, STRUCTURE, build_world, database_state,
                          harvest, query_values, recording, route_urls, sample_values, state_changes)

OUTSIDERS = ["anonymous", "b_member", "b_editor", "b_admin", "platform_admin"]  # in this order
PUBLIC_PDF = b"%PDF-1.4\n% piece jointe\n"


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def insider_view(app, new_client, world):
    """The query names each view reads (walked as A's admin and as the platform admin), the
    forms A's admin is shown on each page, and the addresses where A's admin sees A's private
    content (outsiders must get 404 there)."""
    samples = world["samples"]
    gets = sorted({(url, endpoint) for method, url, endpoint in route_urls(app, samples)
                   if method == "GET"})
    urls = sorted({url for url, _ in gets} | set(world["insider_urls"]))
    with recording(app) as reads:
        for person in (world["people"]["platform_admin"], world["a_admin"]):
            insider = new_client(person)
            forms, private = harvest(insider, urls)
    unknown = {f"{endpoint} ?{name}=" for endpoint, names in reads.query.items() for name in names
               if name not in QUERY_SAMPLES}
    assert not unknown, ("say what to try these query parameters with in QUERY_SAMPLES "
                         f"(tests/route_world.py): {sorted(unknown)}")
    variants = [v for url, endpoint in gets for v in _query_variants(url, endpoint, reads, samples)]
    private |= harvest(insider, variants)[1]
    db.session.expire_all()
    return reads, forms, private


def _query_variants(url: str, endpoint: str, reads, samples) -> list[str]:
    """``url`` with each query parameter its view reads set, in turn, to each of A's objects."""
    return [f"{url}?{urlencode({name: value})}" for name in sorted(reads.query.get(endpoint, ()))
            for value in query_values(samples, name)]


def _leaks(response, *markers: str) -> list[str]:
    """The markers found in a response's body or headers (a redirect only echoes the URL the
    visitor asked for, so its Location is not read)."""
    found = []
    body = b"" if response.status_code in (301, 302, 303) else response.get_data()
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items() if k != "Location")
    for marker in markers:
        if marker.encode() in body or marker in headers:
            found.append(marker)
    return found


def _answer(response) -> tuple:
    """What a signed-out visitor learns from a response, the ``next`` of a redirect apart."""
    location = urlsplit(response.headers.get("Location", ""))
    query = sorted((k, tuple(v)) for k, v in parse_qs(location.query).items() if k != "next")
    return response.status_code, location.path, tuple(query), response.get_data()


def _is_sign_in(response, target: str) -> bool:
    """The sign-in redirect, bringing the visitor back to ``target`` (access.must_sign_in_first)."""
    back = parse_qs(urlsplit(response.headers.get("Location", "")).query).get("next")
    return _answer(response) == (302, "/connexion", (), b"") and back == [target]


def _post_data(forms, url: str) -> dict:
    fields, files = forms.get(urlsplit(url).path, ([], []))
    data: dict = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    for name in files:
        data[name] = (io.BytesIO(PUBLIC_PDF), "piece.pdf")
    return data


def _walk(app, client, world, insider_view, who: str, markers: tuple[str, ...],
          capabilities: bool = False, outsider: bool = True):
    """Request every route as the signed-in (or anonymous) visitor; yields the problems. The
    routes whose token is the permission are walked only with ``capabilities``. An outsider
    must get 404 where A's admin sees A's private content."""
    reads, forms, private = insider_view
    samples = world["samples"]
    rules = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    checked = 0
    for method, url, endpoint in route_urls(app, samples):
        if endpoint == "accounts.logout":
            continue  # would end this walk's session; it changes nothing of A's anyway
        if (endpoint in CAPABILITY_ENDPOINTS) != capabilities:
            continue
        if method == "GET":
            requests = [(target, {}) for target in
                        [url, *_query_variants(url, endpoint, reads, samples)]]
        else:
            requests = [(url, {"data": _post_data(forms, url)})]
        for target, kwargs in requests:
            response = client.open(target, method=method, **kwargs)
            checked += 1
            if response.status_code >= 500:
                yield f"{method} {target} → {response.status_code}"
            for marker in _leaks(response, *markers):
                yield f"{who}: {method} {target} shows {marker}"
            if (outsider and method == "GET" and response.status_code == 403
                    and target in private and "<" in rules[endpoint]):
                yield (f"{who}: GET {target} answers 403: a read that is denied answers 404, "
                       "so that it does not tell what A has")
            if (who == "anonymous" and method == "GET" and response.status_code != 200
                    and (target in private or response.status_code in (403, 404))
                    and endpoint not in access.ANSWERED_WITHOUT_SIGN_IN
                    and not _is_sign_in(response, target)):
                yield (f"anonymous: GET {target} answers {response.status_code}: a signed-out "
                       "visitor's denied read answers the sign-in redirect, back to the address")
    assert checked > (0 if capabilities else 300)


def test_no_route_shows_or_changes_anything_of_a(app, new_client, world, insider_view):
    """Every outsider in turn (the platform admin last: administering A's memberships and
    rules is their job, and it changes the world the others would walk), and a plain member of
    A who is an editor of B, who must never see A's drafts."""
    problems = []
    for who in OUTSIDERS:
        person = world["people"][who]
        visitor = new_client(person)
        before = database_state()
        markers = (CONTENT, DRAFT) if who == "platform_admin" else (CONTENT, DRAFT, STRUCTURE)
        problems += _walk(app, visitor, world, insider_view, who, markers)
        problems += [f"{who} changed what is A's: {change}" for change in
                     state_changes(before, database_state(), world, who, person)]
        problems += _walk(app, visitor, world, insider_view, who, markers, capabilities=True)
        if who == "b_admin":
            # A plain member of A who is an editor of B: A's content yes, A's drafts never.
            visitor = new_client(world["two_orgs"])
            problems += _walk(app, visitor, world, insider_view, "two_orgs", (DRAFT,),
                              outsider=False)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


def test_insiders_do_see_a_private_content(client, login, world):
    """The walks above could pass by showing nothing to anybody: A's people do see."""
    login(world["a_member"])
    dashboard = client.get("/").get_data(as_text=True)
    assert dashboard.count(CONTENT) >= 3
    for url in world["insider_urls"]:
        assert CONTENT in client.get(url).get_data(as_text=True), f"A's member cannot read {url}"
    group_slug = world["samples"][("spaces", "slug")][1]
    assert STRUCTURE in client.get(f"/espaces/{group_slug}").get_data(as_text=True)
    client.post("/deconnexion")
    login(world["a_admin"])
    for url in world["draft_urls"]:
        assert DRAFT in client.get(url).get_data(as_text=True), f"A's admin cannot read {url}"
    for url in world["private_files"]:
        response = client.get(url)
        assert response.status_code == 200 and CONTENT.encode() in response.get_data(), url


# --- signed out: the same answer for what exists and what does not -------------------------------

def _ghost_twins(rule, values: dict) -> list[str]:
    """The address of ``rule`` with each of its arguments in turn, then all of them, replaced by
    one that names nothing (an id nobody has, a slug, name or token nobody uses)."""
    ghost = {arg: 999_999 if isinstance(rule._converters[arg], NumberConverter)
             else "nexiste-pas-47" for arg in rule.arguments}
    variants = [dict(values, **{arg: ghost[arg]}) for arg in sorted(rule.arguments)]
    if len(rule.arguments) > 1:
        variants.append(ghost)
    return [rule.build(v)[1] for v in variants]


def test_signed_out_visitors_learn_nothing_from_private_addresses(app, client, world, insider_view):
    """Each address where A's admin sees A's private content (pages, documents, messages, drafts,
    files…) answers a signed-out visitor the sign-in redirect, with the very answer its twins
    that name nothing get — and a page behind ``login_required`` gets it too."""
    _, _, private = insider_view
    samples = world["samples"]
    expected = _answer(client.get("/messages/"))
    assert expected == (302, "/connexion", (), b"")
    compared = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.arguments or rule.endpoint == "static":
            continue
        blueprint = rule.endpoint.split(".")[0]
        combos = [{}]
        for arg in sorted(rule.arguments):
            combos = [dict(c, **{arg: v}) for c in combos
                      for v in sample_values(samples, blueprint, arg)]
        for values in combos:
            url = rule.build(values)[1]
            if url not in private or client.get(url).status_code == 200:
                continue   # a public page (a code of the nomenclature) showing A's items to A
            for target in [url, *_ghost_twins(rule, values)]:
                response = client.get(target)
                assert _answer(response) == expected, f"GET {target} ({rule.endpoint})"
                assert _is_sign_in(response, target), f"GET {target}: next is not the address"
                compared += 1
    assert compared > 100


# --- CSRF --------------------------------------------------------------------------------------

# Signed with a token of their own instead (RFC 8058 one-click unsubscription from a mail client).
WITHOUT_CSRF = {"lists.one_click", "aids.unsubscribe_alert_now", "search.unsubscribe_now"}


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_every_post_route_refuses_a_form_without_its_csrf_token(app, new_client, world,
                                                                insider_view, csrf_on):
    _, forms, _ = insider_view
    before = database_state()
    for person in (None, world["a_admin"]):
        visitor = new_client()
        if person is not None:
            page = visitor.get("/connexion").get_data(as_text=True)
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            assert visitor.post("/connexion", data={"email": person.email, "csrf_token": token,
                                                    "password": factories.PASSWORD}
                                ).status_code == 302
        refused = set()
        for method, url, endpoint in route_urls(app, world["samples"]):
            if method != "POST" or endpoint in WITHOUT_CSRF or endpoint in refused:
                continue
            data = {k: v for k, v in _post_data(forms, url).items() if k != "csrf_token"}
            response = visitor.post(url, data=data)
            assert response.status_code == 400, \
                f"POST {url} without a CSRF token → {response.status_code}"
            refused.add(endpoint)
        assert len(refused) > 80
    assert not state_changes(before, database_state(), world, "csrf", world["a_admin"])
