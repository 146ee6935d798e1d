"""The application at département scale, under load: a realistic mix of pages for the demo's
secretary of three communes, council agent and EPCI admin and for anonymous visitors, as a
ratio to the machine's trivial page measured in the same run, then at a constant offered
load, then the same pages on the demo dataset alone.

    python -m benchmarks.load                                  # seed, measure, drop
    python -m benchmarks.load --keep                           # keep load_scale (and load_demo)
    python -m benchmarks.load --reuse load_scale --duration 3 --only 'secretary.*forum'
    python -m benchmarks.load --scale 0.1 --no-demo-compare --json /tmp/load.json

Dataset (``benchmarks/seed_load.py``): a fresh PostgreSQL database (``--database``, dropped at
the end unless ``--keep``; ``--reuse DB`` measures a kept one without seeding), loaded as
``benchmarks.signed_in`` loads the demo (``load_demo``: ``flask db upgrade``, ``flask
seed-demo``, a forum topic, a conversation and a mailing list, ``flask search reindex``), then
450 organisations, 5,000 people, 100,000 pages, 100,000 forum posts (one topic of 5,000),
20,000 deliberations, 50,000 messages, 10,000 agenda events, 2,000 job offers, 5,000
classified ads, 3,000 subsidy dossiers and their search documents, bulk inserted, a quarter of
each kind in the demo accounts' own organisations, spaces and inboxes (``--scale``
multiplies the sizes). The demo accounts: secretaire@agme-agnac.fr (admin of two communes,
editor of a third), agent@cd47.fr (member of the Département, subsidy instructor),
dgs@agglo-agen.fr (admin of the Agglomération d'Agen).

Both applications are served by gunicorn (3 sync workers) on free 127.0.0.1 ports: this one
on the database with ``SEARCH_BACKEND=postgres`` and an instance folder of its own whose
``config.py`` turns the rate limits off (``LIMITS_ENABLED``, ``FORUM_POSTS_PER_MINUTE``: the
writes below would hit them), and the trivial page of ``/work/shared/bench/trivial``.
Each account signs in through the form (the second factor with the demo's code). Then:

1. every page of the mix is fetched (it must answer 200) and its SQL statements counted in
   process: the application made by ``create_app()`` with the same environment, Flask's test
   client signed in as the same account, a ``before_cursor_execute`` listener
   (``profile_pages.count_statements``); one request after one to warm up;
2. each page is loaded with ``wrk -t2 -c10 -d<duration>s`` (a Lua ``done`` hook prints p50,
   p95, p99 and the errors: socket errors and non-2xx/3xx answers), with the trivial page
   loaded before it and after it: its ratio is its req/s over the mean of the two;
3. offered load: each page at a constant 100 req/s for ``--rate-seconds`` (10), open loop
   (requests fired at fixed times from a thread pool whatever the answers, latency counted
   from the scheduled time, so a slow answer delays no later measurement: no coordinated
   omission); a request unanswered after 5 s is an error, and a page that cannot keep up
   (more than 100 requests waiting) is given up, the requests not sent counted as errors,
   and its queue left to drain before the next page;
4. writes, as the secretary, through the forms with their CSRF token (Flask-WTF's token is
   per session: read once from the form, valid for every POST of that session): a new forum
   topic, a reply, a message; 20 one after the other, then 20 from 4 threads;
5. the resident memory of each gunicorn worker (VmRSS of the master's children) after all
   that;
6. unless ``--no-demo-compare``: the demo dataset alone (``load_demo`` on a second database)
   served the same way, every page measured as in 1 and 2; a page's time at scale over its
   time on the demo is its demo ratio over its scale ratio (times relative to the trivial
   page, so that a busier machine in one phase does not count). The big topic of the demo
   is the longest topic of « Numérique et territoires » (a single page).

Targets: every page ≥ 10 % of the trivial page's req/s, median ≥ 20 %; at 100 req/s, p95 ≤
100 ms with no error; each worker ≤ 200 MB; every page's time at scale ≤ 1.5× its time on the
demo. Each is printed PASS or FAIL.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import requests

from .forums import free_port, serve, stop
from .profile_pages import count_statements, sign_in as sign_in_process
from .signed_in import (TRIVIAL, create_database, drop_database, load_demo, run, sign_in,
                        warm)

ROOT = Path(__file__).resolve().parent.parent
SECRETARY, AGENT, EPCI = "secretaire@agme-agnac.fr", "agent@cd47.fr", "dgs@agglo-agen.fr"
WHO = {"secretary": SECRETARY, "council agent": AGENT, "EPCI admin": EPCI, "anonymous": None}
QUERY = "conseil"
INSTANCE_CONFIG = """# benchmarks/load.py: the writes it measures would hit the rate limits
LIMITS_ENABLED = False
FORUM_POSTS_PER_MINUTE = 10 ** 6
"""
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("LOAD p50=%d p95=%d p99=%d connect=%d read=%d write=%d status=%d timeout=%d\\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout))
end
"""
TARGET_EVERY, TARGET_MEDIAN, TARGET_P95_MS, TARGET_RSS_MB, TARGET_SCALE = 0.10, 0.20, 100, 200, 1.5


# --- what is measured ------------------------------------------------------------------------------


def resolve(app) -> dict:
    """The ids and slugs the page mix needs, read from the database of ``app``."""
    from sqlalchemy import select

    from intranet.accounts.models import Organisation, OrgKind
    from intranet.core.types import Visibility
    from intranet.documents.models import Page, PageStatus
    from intranet.extensions import db
    from intranet.forums.models import ForumTopic
    from intranet.spaces.models import Space, SpaceKind

    from .seed_load import BIG_TOPIC_TITLE

    with app.app_context():
        def org_space(*where):
            return db.session.scalar(select(Space.slug).join(
                Organisation, Organisation.id == Space.organisation_id).where(
                Space.kind == SpaceKind.ORGANISATION, *where))
        slugs = {"secretary": org_space(Organisation.insee_code == "47002"),
                 "council agent": org_space(Organisation.kind == OrgKind.DEPARTEMENT),
                 "EPCI admin": org_space(Organisation.siren == "200096956"),
                 "anonymous": "numerique-et-territoires"}
        def latest_page(*where):
            return db.session.execute(
                select(Space.slug, Page.id).join(Space, Space.id == Page.space_id).where(
                    Page.status == PageStatus.PUBLISHED, Page.deleted_at.is_(None), *where)
                .order_by(Page.id.desc()).limit(1)).first()
        # a page of the account's space; a tiny dataset may leave it without: a public one
        public = latest_page(Space.visibility == Visibility.PUBLIC)
        pages = {who: tuple(latest_page(Space.slug == slug) or public)
                 for who, slug in slugs.items()}
        digital = db.session.scalar(select(Space.id).where(Space.slug == slugs["anonymous"]))
        big = db.session.scalar(select(ForumTopic).where(ForumTopic.title == BIG_TOPIC_TITLE)) \
            or db.session.scalar(select(ForumTopic).where(ForumTopic.space_id == digital)
                                 .order_by(ForumTopic.post_count.desc()).limit(1))
        single = db.session.scalar(select(ForumTopic).where(
            ForumTopic.space_id == big.space_id).order_by(ForumTopic.post_count,
                                                          ForumTopic.id).limit(1))
        per_page = app.config["FORUM_POSTS_PER_PAGE"]
        return {"slugs": slugs, "pages": pages, "big_topic": big.id,
                "big_posts": big.post_count, "big_forum": big.forum_id,
                "big_slug": db.session.scalar(select(Space.slug).where(
                    Space.id == big.space_id)),
                "last_page": max(1, math.ceil(big.post_count / per_page)),
                "reply_topic": single.id}


def page_mix(facts: dict) -> list[tuple[str, str, str]]:
    """(who, page name, path) of every page measured."""
    forums = f"/espaces/{facts['big_slug']}/forums"
    topic = f"{forums}/sujets/{facts['big_topic']}"
    mix = []
    for who in WHO:
        slug = facts["slugs"][who]
        signed_in = who != "anonymous"
        # an organisation's space has its home at /organisations/<slug>
        pages = [("dashboard", "/"),
                 ("space home", f"/organisations/{slug}" if signed_in else f"/espaces/{slug}"),
                 ("page", "/espaces/{}/pages/{}".format(*facts["pages"][who])),
                 ("library", f"/espaces/{slug}/documents"),
                 ("forum index", forums),
                 (f"topic of {facts['big_posts']:,}, first page", topic),
                 (f"topic of {facts['big_posts']:,}, last page",
                  f"{topic}?page={facts['last_page']}"),
                 (f"search « {QUERY} »", f"/recherche?q={QUERY}"),
                 ("agenda week", "/agenda/?vue=semaine" if signed_in
                  else f"/espaces/{slug}/agenda?vue=semaine")]
        if who == "council agent":
            pages.append(("subsidy dashboard", "/subventions/tableau-de-bord"))
        elif signed_in:
            pages.append(("subsidies (own dossiers)", "/subventions/"))
        pages += [("deliberation list", "/deliberations/"), ("job list", "/emplois/")]
        if signed_in:
            pages += [("messaging inbox", "/messages/"), ("notifications", "/notifications/")]
        mix += [(who, name, path) for name, path in pages]
    return mix


def label(who: str, name: str) -> str:
    # the topic's size is left out: the same line on the demo (a topic of a few posts)
    return f"{who}: " + re.sub(r"topic of [\d,]+", "big topic", name)


# --- loads -----------------------------------------------------------------------------------------


def wrk(url: str, duration: int, cookie: str | None, script: Path) -> dict:
    command = ["wrk", "-t2", "-c10", f"-d{duration}s", "-s", str(script), url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = dict((k, int(v)) for k, v in re.findall(r"(\w+)=(\d+)", output.split("LOAD")[-1]))
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p50": found["p50"] / 1000, "p95": found["p95"] / 1000, "p99": found["p99"] / 1000,
            "non_2xx": found["status"],
            "socket_errors": sum(found[k] for k in ("connect", "read", "write", "timeout"))}


def _request(parts, payload: bytes, timeout: float) -> bool:
    """One raw HTTP/1.0 GET (gunicorn's sync workers close every connection anyway): True
    when answered 2xx or 3xx."""
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as connection:
        connection.sendall(payload)
        head = connection.recv(16)
        while connection.recv(65536):
            pass
    return head[9:10] in (b"2", b"3")


def open_loop(url: str, cookie: str | None, rate: float, seconds: float,
              timeout: float = 5.0, backlog: int = 100) -> dict:
    """``rate`` requests a second for ``seconds``, each fired at its scheduled time from a
    thread pool whatever became of the others; latency from the scheduled time. A page that
    cannot keep up (more than ``backlog`` requests unanswered) is given up: the requests not
    sent count as errors (otherwise the server's queue would hold up the next pages)."""
    parts = urlsplit(url)
    payload = (f"GET {parts.path}{'?' + parts.query if parts.query else ''} HTTP/1.0\r\n"
               f"Host: {parts.netloc}\r\n" + (f"Cookie: {cookie}\r\n" if cookie else "")
               + "\r\n").encode()
    latencies, errors, lock = [], [0], threading.Lock()

    def fire(scheduled: float) -> None:
        try:
            ok = _request(parts, payload, timeout)
        except OSError:
            ok = False
        took = time.perf_counter() - scheduled
        with lock:
            latencies.append(took)
            errors[0] += (not ok) or took > timeout
    count = int(rate * seconds)
    sent, start = 0, time.perf_counter() + 0.05
    with ThreadPoolExecutor(max_workers=64) as pool:
        for i in range(count):
            scheduled = start + i / rate
            pause = scheduled - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            with lock:
                if sent - len(latencies) > backlog:
                    break
            pool.submit(fire, scheduled)
            sent += 1
    latencies.sort()
    return {"sent": sent, "errors": errors[0] + count - sent, "gave_up": sent < count,
            "p50": 1000 * latencies[len(latencies) // 2],
            "p95": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))],
            "p99": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]}


def drain(base: str, limit: float = 300) -> float:
    """Wait until the application answers a light page at once again (the requests a page
    left queued are served first). Returns the seconds waited."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        probe = time.perf_counter()
        try:
            requests.get(f"{base}/accessibilite", timeout=10)
        except requests.RequestException:
            pass
        if time.perf_counter() - probe < 0.5:
            break
        time.sleep(1)
    return time.perf_counter() - started


def token_of(text: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text).group(1)


def writes(base: str, cookie: str, facts: dict, count: int = 20, threads: int = 4) -> dict:
    """Each write ``count`` times one after the other, then ``count`` times from ``threads``
    threads: (req/s, p50 ms, p95 ms, errors) of each. The session cookie is sent as it was
    at sign-in each time (the flash message a POST leaves is then never carried over)."""
    headers = {"Cookie": cookie}
    forums = f"{base}/espaces/{facts['big_slug']}/forums"
    forms = {
        "write: new forum topic": (f"{forums}/{facts['big_forum']}/nouveau-sujet",
                                   lambda n: {"title": f"Question de charge n° {n}",
                                              "body": f"Texte de la question {n}.",
                                              "body_format": "text"}),
        "write: forum reply": (f"{forums}/sujets/{facts['reply_topic']}/repondre",
                               lambda n: {"body": f"Réponse de charge n° {n}.",
                                          "body_format": "text"}),
        "write: message": (f"{base}/messages/nouveau",
                           lambda n: {"to": AGENT, "group": "", "subject": f"Charge n° {n}",
                                      "body": f"Message de charge n° {n}.",
                                      "body_format": "text"}),
    }
    results = {}
    for name, (url, data) in forms.items():
        token = token_of(requests.get(url, headers=headers).text)

        def post(n: int) -> tuple[float, bool]:
            started = time.perf_counter()
            answer = requests.post(url, data={"csrf_token": token, **data(n)},
                                   headers=headers, allow_redirects=False)
            return time.perf_counter() - started, answer.status_code in (302, 303)
        for mode, workers in (("sequential", 1), (f"{threads} threads", threads)):
            started = time.perf_counter()
            with ThreadPoolExecutor(workers) as pool:
                done = list(pool.map(post, range(count)))
            elapsed = time.perf_counter() - started
            times = sorted(t for t, _ in done)
            results[f"{name} ({mode})"] = {
                "rps": count / elapsed, "p50": 1000 * times[len(times) // 2],
                "p95": 1000 * times[min(len(times) - 1, int(len(times) * 0.95))],
                "errors": sum(not ok for _, ok in done)}
    return results


def worker_rss(master: int) -> list[float]:
    """MB resident of each child of the gunicorn master."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024)
    return sizes


# --- one dataset -----------------------------------------------------------------------------------


def measure_dataset(name: str, url: str, env: dict, trivial: str, args, script: Path,
                    full: bool) -> dict:
    """Serve the application on ``url``; check, count and load every page (``full``: the
    offered load, the writes and the workers' memory too)."""
    from intranet import create_app
    from intranet.demo import DEMO_PASSWORD
    from intranet.extensions import db

    os.environ.update(env)
    app = create_app()
    facts = resolve(app)
    mix = [(who, page, path) for who, page, path in page_mix(facts)
           if re.search(args.only, label(who, page))]
    port = free_port()
    server = serve("wsgi:app", ROOT, env, port)
    base = f"http://127.0.0.1:{port}"
    found = {"facts": facts, "pages": {}}
    try:
        cookies = {}
        for who, email in WHO.items():
            if any(w == who for w, *_ in mix):
                session = sign_in(base, email, DEMO_PASSWORD)
                cookies[who] = "; ".join(f"{k}={v}" for k, v in session.cookies.items()) \
                    or None
        # 1. every page answers 200; its statements, in process
        with app.app_context():
            counter = count_statements(db.engine)
        clients = {who: sign_in_process(app, email, DEMO_PASSWORD) if email
                   else app.test_client() for who, email in WHO.items()
                   if any(w == who for w, *_ in mix)}
        for who, page, path in mix:
            headers = {"Cookie": cookies[who]} if cookies[who] else {}
            status = requests.get(base + path, headers=headers, allow_redirects=False)
            clients[who].get(path)
            counter[0] = 0
            answer = clients[who].get(path)
            found["pages"][label(who, page)] = {
                "who": who, "path": path, "status": status.status_code,
                "sql": counter[0] if answer.status_code == 200 else None}
            if status.status_code != 200:
                print(f"  {label(who, page)}: {path} answered {status.status_code}", flush=True)
        print(f"{name}: {len(mix)} pages, statements counted", flush=True)

        # 2. closed loop, paired with the trivial page
        wrk(trivial, 1, None, script)
        before = wrk(trivial, args.duration, None, script)["rps"]
        for who, page, path in mix:
            entry = found["pages"][label(who, page)]
            if entry["status"] != 200:
                continue
            warm(base + path, cookies[who])
            got = wrk(base + path, args.duration, cookies[who], script)
            after = wrk(trivial, args.duration, None, script)["rps"]
            entry.update(got, trivial=(before + after) / 2,
                         ratio=got["rps"] / ((before + after) / 2))
            before = after
            print(f"  {label(who, page):<52} {got['rps']:7.1f} req/s {entry['ratio']:6.1%}  "
                  f"p50 {got['p50']:6.1f}  p95 {got['p95']:6.1f}  p99 {got['p99']:6.1f} ms"
                  + (f"  errors {got['non_2xx'] + got['socket_errors']}"
                     if got['non_2xx'] + got['socket_errors'] else ""), flush=True)
        if not full:
            return found

        # 3. offered load
        print(f"{name}: {args.rate:g} req/s offered, {args.rate_seconds:g} s a page", flush=True)
        for who, page, path in mix:
            entry = found["pages"][label(who, page)]
            if entry["status"] != 200:
                continue
            entry["offered"] = open_loop(base + path, cookies[who], args.rate,
                                         args.rate_seconds)
            waited = drain(base)
            print(f"  {label(who, page):<52} p95 {entry['offered']['p95']:8.1f} ms  "
                  f"errors {entry['offered']['errors']}"
                  + (f" (gave up after {entry['offered']['sent']} requests; "
                     f"{waited:.0f} s for its queue to drain)"
                     if entry["offered"]["gave_up"] else ""), flush=True)

        # 4. writes, as the secretary
        if cookies.get("secretary") and not args.no_writes:
            found["writes"] = writes(base, cookies["secretary"], facts)
            for write, got in found["writes"].items():
                print(f"  {write:<52} {got['rps']:7.1f} req/s  p50 {got['p50']:6.1f}  "
                      f"p95 {got['p95']:6.1f} ms  errors {got['errors']}", flush=True)

        # 5. memory
        found["rss_mb"] = worker_rss(server.pid)
        return found
    finally:
        stop(server)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# --- the run ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="load_scale", help="made, seeded, dropped")
    parser.add_argument("--demo-database", default="load_demo")
    parser.add_argument("--reuse", metavar="DB",
                        help="measure this database as it is (seeded by a --keep run)")
    parser.add_argument("--reuse-demo", metavar="DB", help="the same, for the demo dataset")
    parser.add_argument("--keep", action="store_true", help="keep the databases made")
    parser.add_argument("--scale", type=float, default=1.0, help="of the dataset's sizes")
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per page")
    parser.add_argument("--rate", type=float, default=100, help="offered req/s")
    parser.add_argument("--rate-seconds", type=float, default=10)
    parser.add_argument("--only", default="", help="pages whose « who: page » matches")
    parser.add_argument("--no-demo-compare", action="store_true")
    parser.add_argument("--no-writes", action="store_true")
    parser.add_argument("--json", type=Path, help="write the results there")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (its Lua hook gives the percentiles)")

    work = Path(tempfile.mkdtemp(prefix="load-bench-"))
    (work / "instance").mkdir()
    (work / "instance" / "config.py").write_text(INSTANCE_CONFIG)
    script = work / "percentiles.lua"
    script.write_text(WRK_SCRIPT)
    env = {"FLASK_APP": "intranet", "PYTHONPATH": str(ROOT), "SEARCH_BACKEND": "postgres",
           "SECRET_KEY": "banc-d-essai-de-la-charge", "TERRITOIRES_INSTANCE": str(work /
                                                                                  "instance")}
    made = []
    servers = []
    results: dict = {"args": {k: str(v) for k, v in vars(args).items()}}
    try:
        # the datasets
        if args.reuse:
            scale_url = f"{args.server}/{args.reuse}"
        else:
            scale_url = create_database(args.server, args.database)
            made.append(args.database)
            started = time.perf_counter()
            load_demo(ROOT, {**os.environ, **env, "DATABASE_URL": scale_url})
            demo_s = time.perf_counter() - started
            output = run(ROOT, {**os.environ, **env, "DATABASE_URL": scale_url},
                         "-m", "benchmarks.seed_load", "--scale", str(args.scale))
            print(output, end="")
            results["seeding_s"] = round(time.perf_counter() - started, 1)
            print(f"dataset: demo {demo_s:.0f} s, total {results['seeding_s']:.0f} s",
                  flush=True)
        demo_url = None
        if not args.no_demo_compare:
            if args.reuse_demo:
                demo_url = f"{args.server}/{args.reuse_demo}"
            else:
                demo_url = create_database(args.server, args.demo_database)
                made.append(args.demo_database)
                load_demo(ROOT, {**os.environ, **env, "DATABASE_URL": demo_url})

        trivial_db = f"sqlite:///{work / 'trivial.sqlite'}"
        subprocess.run([sys.executable, "app.py"], cwd=TRIVIAL,
                       env={**os.environ, "TRIVIAL_DB": trivial_db}, check=True,
                       capture_output=True)
        trivial_port = free_port()
        servers.append(serve("app:app", TRIVIAL, {"TRIVIAL_DB": trivial_db}, trivial_port))
        trivial = f"http://127.0.0.1:{trivial_port}/item/42"

        results["scale"] = measure_dataset("scale", scale_url, {**env, "DATABASE_URL": scale_url},
                                           trivial, args, script, full=True)
        if demo_url:
            results["demo"] = measure_dataset("demo", demo_url, {**env, "DATABASE_URL": demo_url},
                                              trivial, args, script, full=False)
    finally:
        for server in servers:
            stop(server)
        if not args.keep:
            for name in made:
                drop_database(args.server, name)
        shutil.rmtree(work, ignore_errors=True)
    report(results, args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))


def report(results: dict, args) -> None:
    scale = results["scale"]["pages"]
    demo = results.get("demo", {}).get("pages", {})
    print(f"\ngunicorn -w 3, PostgreSQL, SEARCH_BACKEND=postgres, {os.cpu_count()} CPU; wrk "
          f"-t2 -c10 -d{args.duration}s, ratio = req/s ÷ trivial page's (before and after); "
          f"offered: {args.rate:g} req/s for {args.rate_seconds:g} s, p95 from the scheduled "
          "time; scale/demo: time at scale ÷ time on the demo (both relative to the trivial "
          "page)\n")
    print(f"{'page':<50}{'req/s':>7}{'ratio':>7}{'p50':>7}{'p95':>7}{'p99':>7}{'err':>5}"
          f"{'SQL':>5}{'@100 p95':>10}{'err':>5}{'demo':>7}{'SQL':>5}{'×demo':>7}")
    ratios, offered_ok, scale_ok = [], True, True
    for name, page in scale.items():
        if "ratio" not in page:
            print(f"{name:<50} answered {page['status']}")
            offered_ok = False
            ratios.append(0.0)
            continue
        errors = page["non_2xx"] + page["socket_errors"]
        ratios.append(page["ratio"])
        offered = page.get("offered")
        if offered is None or offered["p95"] > TARGET_P95_MS or offered["errors"]:
            offered_ok = False
        line = (f"{name[:49]:<50}{page['rps']:>7.0f}{page['ratio']:>7.1%}{page['p50']:>7.1f}"
                f"{page['p95']:>7.1f}{page['p99']:>7.1f}{errors:>5}{page['sql'] or '-':>5}"
                + (f"{offered['p95']:>10.0f}{offered['errors']:>5}" if offered else
                   f"{'-':>10}{'-':>5}"))
        other = demo.get(name)
        if other and "ratio" in other:
            times = other["ratio"] / page["ratio"]
            page["scale_over_demo"] = times
            scale_ok &= times <= TARGET_SCALE
            line += f"{other['ratio']:>7.1%}{other['sql'] or '-':>5}{times:>7.2f}"
        elif demo:
            line += f"{'-':>7}{'-':>5}{'n/a':>7}"
        print(line)
    for write, got in results["scale"].get("writes", {}).items():
        print(f"{write:<50}{got['rps']:>7.1f}{'':>7}{got['p50']:>7.1f}{got['p95']:>7.1f}"
              f"{'':>7}{got['errors']:>5}")
    rss = results["scale"].get("rss_mb", [])
    print(f"\nworkers' RSS after the run: {', '.join(f'{r:.0f} MB' for r in rss)}")
    median = statistics.median(ratios) if ratios else 0.0
    verdicts = [
        (f"every page ≥ {TARGET_EVERY:.0%} of the trivial page (worst "
         f"{min(ratios, default=0):.1%})", min(ratios, default=0) >= TARGET_EVERY),
        (f"median ≥ {TARGET_MEDIAN:.0%} (median {median:.1%})", median >= TARGET_MEDIAN),
        (f"p95 ≤ {TARGET_P95_MS} ms at {args.rate:g} req/s with 0 errors, every page",
         offered_ok),
        (f"each worker ≤ {TARGET_RSS_MB} MB (max {max(rss, default=0):.0f} MB)",
         bool(rss) and max(rss) <= TARGET_RSS_MB),
    ]
    if demo:
        worst = max((p.get("scale_over_demo", 0) for p in scale.values()), default=0)
        verdicts.append((f"time at scale ≤ {TARGET_SCALE}× the demo's, every page (worst "
                         f"{worst:.2f}×)", scale_ok))
    print("\ntargets:")
    for text, ok in verdicts:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")
    results["verdicts"] = {text: ok for text, ok in verdicts}


if __name__ == "__main__":
    main()
