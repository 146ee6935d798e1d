"""Walk the demo (``flask seed-demo``) as each of its accounts, following same-site GET links.

Used by tests/test_valid_html.py (every page through the Nu HTML Checker) and by
tests/browser/test_csp.py (every page in Chromium under the Content-Security-Policy). The walk
is breadth-first from the home page and bounded: at most ``per_endpoint`` addresses of one
route (the 331 organisation pages are one template) and ``limit`` pages per person.
"""
from __future__ import annotations

import re
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from intranet.demo import DEMO_PASSWORD, PEOPLE

from .helpers import SECOND_FACTOR_STEP, asks_second_factor, second_factor_code

ACCOUNTS = [None] + [person[0] for person in PEOPLE]   # None: an anonymous visitor
HOST = "localhost"


@dataclass
class Visit:
    who: str | None
    url: str            # path and query string
    endpoint: str
    status: int
    html: str
    statements: int = 0     # SQL statements the application ran to serve it
    list_counts: int = 0    # … of which counts of a list's rows (core/pagination.count)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links(html: str, base: str) -> list[str]:
    """Same-site addresses (path and query) of the page's links, without fragments."""
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        parts = urlsplit(urljoin(f"http://{HOST}{base}", href))
        if parts.scheme in ("http", "https") and parts.hostname == HOST:
            found.append(urlunsplit(("", "", parts.path, parts.query, "")))
    return found


def endpoint_of(app, url: str) -> str | None:
    adapter = app.url_map.bind(HOST)
    parts = urlsplit(url)
    try:
        endpoint, _ = adapter.match(parts.path, method="GET", query_args=parts.query)
    except RequestRedirect:
        return "redirect"
    except HTTPException:
        return None
    return endpoint


def csrf_token(html: str) -> str | None:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    return found.group(1) if found else None


def post_form(client, url: str, data: dict, *, form_page: str | None = None):
    """POST ``data`` to ``url`` as its form does, with the CSRF token of ``form_page`` (``url``
    by default) when the application asks for one."""
    page = client.get(form_page or url).get_data(as_text=True)
    token = csrf_token(page)
    return client.post(url, data=dict(data, **({"csrf_token": token} if token else {})))


def sign_in(client, who: str | None) -> None:
    """Signs ``who`` in on a client of its own (None: stays anonymous)."""
    if who is not None:
        response = post_form(client, "/connexion", {"email": who, "password": DEMO_PASSWORD})
        if asks_second_factor(response):     # the demo's admins: their app's code
            response = post_form(client, SECOND_FACTOR_STEP,
                                 {"code": second_factor_code(_user_id(who))})
        assert response.status_code == 302, f"{who} cannot sign in"


def _user_id(email: str) -> int:
    from sqlalchemy import select

    from intranet.accounts.models import User
    from intranet.extensions import db
    return db.session.scalar(select(User.id).where(User.email == email))


@contextmanager
def _counting(app):
    """A list that grows by one for each SQL statement ``app`` runs in the block: True for a
    count of a list's rows (``core/pagination.count``), False for any other."""
    from sqlalchemy import event

    from intranet.core.pagination import LIST_COUNT
    from intranet.extensions import db
    statements: list[bool] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append(bool(context is not None and context.execution_options.get(LIST_COUNT)))
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def crawl(app, who: str | None, *, per_endpoint: int = 3, limit: int = 120,
          only: list[str] | None = None) -> list[Visit]:
    """The HTML pages ``who`` reaches from the home page, following links, on a client of its
    own, with the SQL statements each one cost. ``only``: these addresses instead, in order
    (the same walk again, on other data)."""
    client = app.test_client()
    sign_in(client, who)
    with _counting(app) as statements:
        return _walk(app, client, who, per_endpoint, limit, only, statements)


def _walk(app, client, who, per_endpoint, limit, only, statements) -> list[Visit]:
    queue, seen, per = deque(only if only is not None else ["/"]), {"/"}, {}
    visits: list[Visit] = []
    while queue and len(visits) < limit:
        url = queue.popleft()
        endpoint = endpoint_of(app, url)
        if endpoint in (None, "static", "accounts.logout"):
            continue
        if per.get(endpoint, 0) >= per_endpoint:
            continue
        per[endpoint] = per.get(endpoint, 0) + 1
        before = len(statements)
        response = client.get(url)
        cost = len(statements) - before
        html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        response.close()        # a download is streamed from its file: not read, closed
        if response.status_code in (301, 302, 303, 307, 308):
            target = urlsplit(urljoin(f"http://{HOST}{url}", response.headers["Location"]))
            if target.hostname == HOST and only is None:
                queue.append(urlunsplit(("", "", target.path, target.query, "")))
            continue
        if response.mimetype != "text/html":
            continue            # feeds, exports, downloads
        visits.append(Visit(who, url, endpoint, response.status_code, html, cost,
                            sum(statements[before:before + cost])))
        if only is not None:
            continue
        for link in links(html, url):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return visits


def load_demo(runner) -> None:
    """``flask seed-demo``: it writes content in every service (forums, lists, acts, notices,
    org charts, conversations, documents), so that the walk meets those pages with content."""
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
