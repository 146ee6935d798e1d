"""Every route, fed hostile input, answers with a page and never a server error.

Like the access matrix, the walk is built from ``app.url_map`` with A's objects as the
parameters (``tests/route_world.py``), so a route added later is fuzzed too. For each route it
sends, one kind of input at a time:

- each path parameter replaced by hostile values (the other parameters stay valid, so the view
  runs past its first lookup);
- every query parameter the view reads (watched while the page is first shown) set to a
  hostile value;
- for POST routes, the form the visitor is shown for it, then every field it reads set to a
  hostile value (all at once, and one at a time in an otherwise valid form, so that a number
  out of range reaches the service), with files whose names are hostile too.

Hostile values: NUL, huge and negative numbers, invalid UTF-8, 100,000 characters, unbalanced
quotes and parentheses, ``../``, control characters. Any 5xx (or exception) fails the test with
the requests that caused it. The walk runs as an anonymous visitor and as a signed-in person
who may do the most (an admin of A, of A's groups, and of the platform).
"""
from __future__ import annotations

import io
import os
import re
from urllib.parse import quote_from_bytes, urlsplit

import pytest

from intranet.extensions import db

from .route_world import build_world, harvest, recording

HOSTILE = [
    b"\x00", b"a\x00b", b"2147483648", b"99999999999999999999", b"-1", b"-99999999999999999999",
    b"1e999", b"\xff\xfe\xfd", b"\xed\xa0\x80", b"x" * 100_000, b"\"'(((", b"x (-b) \")",
    b"../../../../etc/passwd", b"\x01\x02\x1b\x7f\r\n\t", b"%", b"",
]
# One field at a time, in an otherwise valid form: what overflows a column or a parser.
ONE_FIELD = [b"99999999999999999999", b"-99999999999999999999", b"1e999", b"12,345.678.9"]
# A path segment cannot hold « / » or be empty; an <int:> segment only digits.
PATH_TEXT = [v for v in HOSTILE if v and b"/" not in v and len(v) < 5000] + [b"x" * 3000]
PATH_INT = [b"0", b"2147483648", b"99999999999999999999"]
ALWAYS_QUERY = ("page", "q", "next")
HOSTILE_FILE_NAME = "a\x00b/../\x1b\u202e.pdf"
# Ending the walk's own session, or its account, would make the rest of it anonymous.
SKIPPED = {"accounts.logout", "static"}
DESTRUCTIVE = re.compile(r"(supprimer|retirer|quitter|desactiver|etat|depublier)$")


def _encode(pairs) -> str:
    return "&".join(quote_from_bytes(k.encode()) + "=" + quote_from_bytes(v) for k, v in pairs)


def _path_variants(rule, valid: dict):
    """URLs with one path parameter hostile at a time (built by hand: the values would not
    pass the converters)."""
    for arg in sorted(rule.arguments):
        converter = type(rule._converters[arg]).__name__
        for value in PATH_INT if "Int" in converter else PATH_TEXT:
            url = rule.rule
            for name in rule.arguments:
                raw = value if name == arg else str(valid[name]).encode()
                url = re.sub(rf"<(?:[^:<>]+:)?{name}>", quote_from_bytes(raw, safe=b""), url)
            yield url


def _valid_values(rule, samples) -> dict:
    blueprint = rule.endpoint.split(".")[0]
    values = {}
    for arg in rule.arguments:
        found = samples.get((blueprint, arg)) or samples.get(("*", arg))
        assert found, f"{rule.rule}: no sample for <{arg}> (see tests/route_world.py)"
        values[arg] = found[0]
    return values


class _Fuzzer:
    def __init__(self, app, client):
        self.app, self.client = app, client
        self.failures: list[str] = []
        self.sent = 0

    def send(self, method, url, **kwargs):
        self.sent += 1
        where = f"{method} {url[:150]} {str(kwargs)[:200]}"
        try:  # under test, Flask lets a view's exception through instead of answering 500
            response = self.client.open(url, method=method, **kwargs)
        except Exception as exc:  # noqa: BLE001 — each one is a failure to report
            db.session.rollback()
            self.failures.append(f"{where} → {type(exc).__name__}: {str(exc)[:200]}")
            return None
        if response.status_code >= 500:
            self.failures.append(f"{where} → {response.status_code}")
        return response

    def post_form(self, url, pairs, files=()):
        data: dict = {}
        for name, value in pairs:
            data.setdefault(name, []).append(value)
        for name in files:
            data[name] = (io.BytesIO(b"%PDF-1.4\x00\xff"), HOSTILE_FILE_NAME)
        return self.send("POST", url, data=data)

    def run(self, world):
        samples = world["samples"]
        rules = sorted((r for r in self.app.url_map.iter_rules() if r.endpoint not in SKIPPED),
                       key=lambda r: (bool(DESTRUCTIVE.search(r.rule)), r.rule))
        valid = {rule.endpoint: _valid_values(rule, samples) for rule in rules}
        urls = {rule.endpoint: rule.build(valid[rule.endpoint])[1] for rule in rules}
        with recording(self.app) as reads:
            forms, _ = harvest(self.client, [urls[r.endpoint] for r in rules
                                             if "GET" in r.methods])
            for rule in rules:
                self.fuzz(rule, urls[rule.endpoint], valid[rule.endpoint], reads, forms)

    def fuzz(self, rule, url, valid, reads, forms):
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        for method in methods:
            for hostile_url in _path_variants(rule, valid):
                self.send(method, hostile_url)
        if "GET" in methods:
            names = sorted(reads.query.get(rule.endpoint, set()) | set(ALWAYS_QUERY))
            for value in HOSTILE:
                self.send("GET", url, query_string=_encode((name, value) for name in names))
        if "POST" in methods:
            fields, files = forms.get(urlsplit(url).path, ([], []))
            base = [(name, value.encode() if isinstance(value, str) else value)
                    for name, value in fields]
            self.post_form(url, fields)    # as shown; notes what the view reads
            names = sorted((reads.form.get(rule.endpoint, set()) | {n for n, _ in fields})
                           - set(files))
            for value in HOSTILE:
                self.send("POST", url, data=_encode((name, value) for name in names),
                          content_type="application/x-www-form-urlencoded")
            for name in names:
                for value in ONE_FIELD:
                    pairs = [(n, v) for n, v in base if n != name] + [(name, value)]
                    self.send("POST", url, data=_encode(pairs),
                              content_type="application/x-www-form-urlencoded")
            if files:
                self.post_form(url, fields, files)


@pytest.mark.parametrize("who", ["anonymous", "most_rights"])
def test_no_route_answers_a_server_error_to_hostile_input(app, new_client, who):
    if os.environ.get("TERRITOIRES_BOTH_DATABASES") and \
            not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("CI passe les tests sur SQLite puis sur PostgreSQL : ce parcours de plusieurs "
                    "minutes est fait une fois, sur PostgreSQL, la plus stricte sur les entrées "
                    "(NUL, entiers hors limites)")
    world = build_world()
    person = None
    if who == "most_rights":
        person = world["a_admin"]
        person.is_platform_admin = True
        db.session.commit()
    client = new_client(person)
    fuzzer = _Fuzzer(app, client)
    fuzzer.run(world)
    assert fuzzer.sent > 3000
    assert not fuzzer.failures, (f"{len(fuzzer.failures)} server errors:\n"
                                 + "\n".join(fuzzer.failures[:60]))
