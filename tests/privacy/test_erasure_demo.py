"""The demo's pending erasure (Lucas Bernard, receptionist of Agen, who wrote documents, forum
answers, a list question, messages and an ad, and holds a post in the org chart), confirmed by
the demo's platform admin: afterwards his name is in no page the walk of the demo reaches, no
search result, no Atom or iCalendar feed and no CSV export, for any demo account."""
import re

from sqlalchemy import select

from intranet.accounts import services as accounts
from intranet.accounts.models import User
from intranet.agenda import services as agenda
from intranet.demo import PEOPLE
from intranet.extensions import db
from intranet.privacy.models import ErasureRequest, ErasureStatus
from intranet.search import services as search

from ..demo_crawl import crawl, load_demo, post_form, sign_in

NAMES = ("Lucas Bernard", "Bernard Lucas", "BERNARD Lucas", "agent@agen.fr")
ERASED = "agent@agen.fr"


def _leaks(body: str) -> list[str]:
    return [name for name in NAMES if name in body]


def _feeds_and_exports(app) -> list[str]:
    """Every address of a feed or an export: its rules ending in .atom, .ics or .csv."""
    return [rule.rule for rule in app.url_map.iter_rules()
            if re.search(r"\.(atom|ics|csv)$", rule.rule)]


def test_after_the_demo_erasure_his_name_is_nowhere(runner, app):
    load_demo(runner)
    search.reindex()        # the whole demo, whatever an earlier test left in the index
    lucas = db.session.scalar(select(User).where(User.email == ERASED))
    request = db.session.scalar(select(ErasureRequest).where(ErasureRequest.user_id == lucas.id))
    assert request.status == ErasureStatus.PENDING
    # Before: his colleagues find him (so the checks below can fail).
    colleague = app.test_client()
    sign_in(colleague, "mairie@agen.fr")
    assert "Lucas Bernard" in colleague.get("/recherche?q=Bernard").get_data(as_text=True)
    # The demo's platform admin confirms, from the list of requests.
    admin = app.test_client()
    sign_in(admin, "admin@territoires47.fr")
    listing = admin.get("/admin/effacements").get_data(as_text=True)
    assert "Lucas Bernard" in listing
    response = post_form(admin, f"/admin/effacements/{request.id}/confirmer", {},
                         form_page="/admin/effacements")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ErasureRequest, request.id).status == ErasureStatus.CONFIRMED
    search.drain()
    # Private feed addresses for the ones who read: Atom (person's token) and iCalendar.
    tokens = {}
    for email, *_ in PEOPLE:
        if email == ERASED:
            continue
        person = db.session.scalar(select(User).where(User.email == email))
        tokens[email] = (accounts.renew_feed_token(person),
                         agenda.create_feed(person, with_deadlines=True).token)
    db.session.commit()
    problems = []
    feeds = _feeds_and_exports(app)
    for who in [None] + [email for email, *_ in PEOPLE if email != ERASED]:
        for visit in crawl(app, who, per_endpoint=2, limit=90):
            problems += [f"{who}: {visit.url} shows {name}" for name in _leaks(visit.html)]
        client = app.test_client()
        sign_in(client, who)
        for words in ("Bernard", "Lucas", "accueil Agen"):
            body = client.get(f"/recherche?q={words}").get_data(as_text=True)
            body = body.replace(f"q={words}", "").replace(f'value="{words}"', "")
            problems += [f"{who}: search {words} shows {name}" for name in _leaks(body)]
        for rule in feeds:
            url = rule
            if "<token>" in rule:
                if who is None:
                    continue
                atom, ics = tokens[who]
                url = rule.replace("<token>", ics if rule.endswith(".ics") else atom)
            if "<" in url:
                continue
            response = client.get(url)
            problems += [f"{who}: {url} shows {name}" for name in
                         _leaks(response.get_data(as_text=True))]
    assert not problems, "\n".join(problems[:40])
