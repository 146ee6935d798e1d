"""Every page of the demo, signed in as each demo account, under load, as a ratio to the
machine's trivial page measured in the same run.

    python -m benchmarks.signed_in                          # PostgreSQL at 127.0.0.1:5432
    python -m benchmarks.signed_in --duration 5 --rounds 2
    git archive OLD | tar -x -C /tmp/old && python -m benchmarks.signed_in --baseline /tmp/old
    python -m benchmarks.signed_in --keep --database dev        # then, without seeding again:
    python -m benchmarks.signed_in --reuse --database dev --match /agenda --match /recherche

Dataset: ``flask db upgrade`` and ``flask seed-demo`` on a fresh PostgreSQL database (dropped
at the end unless ``--keep``), plus what the demo lacks so that every page has something to
show (``extra_content``: a forum topic, a conversation, a mailing list in the demo's spaces),
and ``flask search reindex`` (PostgreSQL backend).

Both applications are served by gunicorn (3 sync workers) on free 127.0.0.1 ports. Each demo
account signs in through the form; its pages are found by walking its links from the
dashboard (same-site GET links answering 200 in HTML; one address per route, and per space
for the routes of a space: every space's home, pages, documents, forums, lists and members
is measured), plus a search with a query and a message search. Every page is measured once,
by the first account that reaches it, and every account's dashboard. Anonymous pages are
measured too (``--no-anonymous`` leaves them out), to check they do not get slower.

Each page is loaded with ``wrk -t2 -c10 -d<duration>s`` (or, without wrk, a Python thread
pool that does the same), and the trivial page between every two pages: a page's ratio is its
req/s over the mean of the trivial measurements just before and after it. With ``--baseline``,
an older checkout is served too, on the same database, and each page is measured on both,
one right after the other, in an order that alternates from page to page and round to round
(the second measured comes out 4-5 % slower, even for the same code). With ``--rounds`` > 1 the
medians are printed. ``--confirm N`` then measures N more rounds of every signed-in page whose
median ratio is below ``--confirm-below`` (12 %): on a shared machine one second of load moves
a page's ratio by a third from one minute to the next, and the pages near the target are the
ones whose verdict that noise decides; their medians are over all their rounds. Target: every
signed-in page ≥ 10 %.

Beside each ratio of req/s, the ``CPU`` column gives the ratio of CPU time per request: the
trivial page's over the page's, each the CPU time that the processes of the gunicorn serving
it and every PostgreSQL process spent during its measurement (``/proc``), per request made.
It leaves out the time the machine gave to others (a virtual machine's stolen time, another
process), which moves a 1-second req/s figure by a third from one minute to the next; it is
lower than the req/s ratio, as the trivial page's req/s is bounded by the load generator and
the network stack as much as by its server's CPU.
"""
from __future__ import annotations

import argparse
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
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests

from .forums import free_port, serve, stop

ROOT = Path(__file__).resolve().parent.parent
TRIVIAL = Path(os.environ.get("TRIVIAL_DIR", ROOT.parent / "shared" / "bench" / "trivial"))
SKIPPED = ("/deconnexion", "/static/")
# a space's home and sections, measured for every space: /espaces/<slug>[/section]
SPACE_ROUTE = re.compile(r"^/espaces/[^/]+(/(pages|documents|forums|listes|membres))?/?$")

EXTRA_CONTENT = """
from sqlalchemy import select
from intranet import create_app
from intranet.accounts.models import Organisation, User
from intranet.extensions import db
from intranet.forums import services as forums
from intranet.lists import services as lists
from intranet.messaging import services as messaging
from intranet.spaces import services as spaces
from intranet.spaces.models import Space
app = create_app()
app.config["FORUM_POSTS_PER_MINUTE"] = 10 ** 6
with app.app_context():
    person = {u.email: u for u in db.session.scalars(select(User))}
    mayor, clerk = person["mairie@agen.fr"], person["agent@agen.fr"]
    agen = db.session.scalar(select(Organisation).where(Organisation.insee_code == "47001"))
    forum = forums.create_forum(spaces.ensure_organisation_space(agen), name="Vie de la mairie",
                                by=mayor)
    topic = forums.create_topic(forum, title="Horaires d'été", body="Premier message",
                                body_format="text", by=mayor)
    for n in range(2, 6):
        forums.reply(topic, body=f"Message {n}", body_format="text",
                     by=(mayor, clerk)[n % 2], subscribe=False)
    digital = db.session.scalar(select(Space).where(Space.name == "Numérique et territoires"))
    group_forum = forums.create_forum(digital, name="Outils partagés",
                                      by=person["redacteur@cd47.fr"])
    forums.create_topic(group_forum, title="Quel parapheur ?", body="Vos retours ?",
                        body_format="text", by=person["redacteur@cd47.fr"])
    messaging.start_conversation(mayor, to=", ".join([clerk.email,
                                                     person["secretaire@agme-agnac.fr"].email]),
                                 group="", subject="Réunion de rentrée",
                                 body="Rendez-vous lundi à 9 h.", files=())
    lists.create_list(digital, name="numerique", by=person["redacteur@cd47.fr"],
                      title="Numérique et territoires", description="",
                      subscription_policy="open", posting_policy="members",
                      reply_to="list", from_rewrite="auto")
"""


# --- dataset -----------------------------------------------------------------------------------


def create_database(server: str, name: str) -> str:
    import psycopg
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def drop_database(server: str, name: str) -> None:
    import psycopg
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(app_dir: Path, env: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, *args], cwd=app_dir, env=env, capture_output=True,
                          text=True)
    if done.returncode:
        raise RuntimeError(f"{args[0]} {args[1][:40]!r} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def flask(app_dir: Path, env: dict, *args: str) -> str:
    return run(app_dir, env, "-m", "flask", *args)


# What earlier runs on a kept database left behind: each signed in anew (the platform admin's
# « Mes sessions » listed 67 live sessions after a day of runs), and an older version of the
# code may have queued index changes that no worker applied (every search then left them out).
_EARLIER_RUNS = """
from sqlalchemy import update
from intranet import create_app
from intranet.accounts.sessions import UserSession
from intranet.core.timeutil import utcnow
from intranet.extensions import db
from intranet.search import services
with create_app().app_context():
    db.session.execute(update(UserSession).where(UserSession.ended_at.is_(None))
                       .values(ended_at=utcnow(), end_reason="logout"))
    db.session.commit()
    services.drain()
"""


def forget_earlier_runs(app_dir: Path, env: dict) -> None:
    """A database kept by an earlier run (``--reuse``), as a fresh one would be: the sessions it
    opened ended, the index changes it queued applied (the worker's job)."""
    run(app_dir, env, "-c", _EARLIER_RUNS)


def load_demo(app_dir: Path, env: dict) -> list[str]:
    """Migrate, seed the demo and its extra content, index it. Returns the demo accounts."""
    flask(app_dir, env, "db", "upgrade")
    output = flask(app_dir, env, "seed-demo")
    run(app_dir, env, "-c", EXTRA_CONTENT)
    flask(app_dir, env, "search", "reindex")
    return re.findall(r"^\s+(\S+@\S+)\s", output, re.MULTILINE)


# --- walking the demo --------------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a" and dict(attrs).get("href"):
            self.hrefs.append(dict(attrs)["href"])


def route_key(path: str) -> str:
    """What makes two addresses "the same page": numbers are ids and slugs are names, but a
    space's home and its sections (pages, documents, forums, lists, members) stay apart per
    space."""
    if SPACE_ROUTE.match(path):
        return path.rstrip("/")
    path = re.sub(r"^/(espaces|organisations|admin/organisations)/[^/]+(/|$)", r"/\1/<slug>\2",
                  path)
    return re.sub(r"/\d+", "/<id>", path)


SECOND_FACTOR_STEP = "/connexion/second-facteur"


def demo_code(previous: str | None = None) -> str:
    """The code the demo admins' authenticator app shows now (``intranet.demo.DEMO_TOTP_SECRET``,
    which `flask demo-welcome` prints); a code is accepted once, so when ``previous`` was just
    refused as used, the next one, once it comes (at most 30 seconds)."""
    import pyotp

    from intranet.demo import DEMO_TOTP_SECRET
    totp = pyotp.TOTP(DEMO_TOTP_SECRET)
    while (code := totp.now()) == previous:
        time.sleep(1)
    return code


def sign_in(base: str, email: str | None, password: str) -> requests.Session:
    session = requests.Session()
    if email is not None:
        page = session.get(f"{base}/connexion").text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        answer = session.post(f"{base}/connexion", data={"csrf_token": token, "email": email,
                                                         "password": password})
        code = None
        while urlsplit(answer.url).path == SECOND_FACTOR_STEP and code is None:   # admins
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', answer.text).group(1)
            code = demo_code()
            answer = session.post(f"{base}{SECOND_FACTOR_STEP}",
                                  data={"csrf_token": token, "code": code})
            if urlsplit(answer.url).path == SECOND_FACTOR_STEP:     # used already: the next
                token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', answer.text).group(1)
                answer = session.post(f"{base}{SECOND_FACTOR_STEP}",
                                      data={"csrf_token": token, "code": demo_code(code)})
        if answer.url.rstrip("/") != base or "session" not in session.cookies:
            raise RuntimeError(f"{email} could not sign in")
    return session


def walk(base: str, session: requests.Session, limit: int) -> list[str]:
    """The HTML pages reached from the home page, one address per ``route_key``."""
    queue = deque(["/", "/recherche?q=conseil", "/messages/recherche?q=r%C3%A9union"])
    seen, keys, pages = set(queue), set(), []
    while queue and len(pages) < limit:
        path = queue.popleft()
        key = route_key(urlsplit(path).path) + ("?q" if "q=" in path else "")
        if key in keys or path.startswith(SKIPPED):
            continue
        keys.add(key)
        answer = session.get(base + path, allow_redirects=False)
        if answer.status_code != 200 or "text/html" not in answer.headers.get("Content-Type", ""):
            continue
        pages.append(path)
        parser = _Links()
        parser.feed(answer.text)
        for href in parser.hrefs:
            parts = urlsplit(urljoin(base + path, href))
            if f"{parts.scheme}://{parts.netloc}" != base:
                continue
            # a listing's page 2, a sort or a filter is the same page
            link = urlunsplit(("", "", parts.path, "", ""))
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return pages


# --- load --------------------------------------------------------------------------------------


def wrk(url: str, duration: int, cookie: str | None) -> dict:
    command = ["wrk", "-t2", "-c10", f"-d{duration}s", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "requests": int(re.search(r"(\d+) requests in", output).group(1)),
            "non_2xx": int(errors.group(1)) if errors else 0}


def python_load(url: str, duration: int, cookie: str | None, connections: int = 10) -> dict:
    """What wrk does, with ten threads of raw HTTP/1.0 requests (gunicorn's sync workers close
    every connection anyway): for a machine without wrk."""
    parts = urlsplit(url)
    request = (f"GET {parts.path}{'?' + parts.query if parts.query else ''} HTTP/1.0\r\n"
               f"Host: {parts.netloc}\r\n" + (f"Cookie: {cookie}\r\n" if cookie else "")
               + "\r\n").encode()
    counts, errors, lock = [0], [0], threading.Lock()
    deadline = time.perf_counter() + duration

    def worker():
        done = failed = 0
        while time.perf_counter() < deadline:
            with socket.create_connection((parts.hostname, parts.port)) as connection:
                connection.sendall(request)
                head = connection.recv(16)
                while connection.recv(65536):
                    pass
            done += 1
            failed += not head.startswith((b"HTTP/1.1 2", b"HTTP/1.0 2"))
        with lock:
            counts[0] += done
            errors[0] += failed
    started = time.perf_counter()
    with ThreadPoolExecutor(connections) as pool:
        for _ in range(connections):
            pool.submit(worker)
    return {"rps": counts[0] / (time.perf_counter() - started), "requests": counts[0],
            "non_2xx": errors[0]}


def warm(url: str, cookie: str | None) -> None:
    """A few requests at once, so that every worker has compiled the page's templates."""
    headers = {"Cookie": cookie} if cookie else {}
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda _: requests.get(url, headers=headers), range(12)))


def server_ticks(group: int) -> int:
    """CPU clock ticks (user and system) used so far by the processes of one gunicorn (its
    process group: the master and its workers) and by every PostgreSQL process."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                line = stat.read()
        except OSError:     # ended meanwhile
            continue
        # after the name in brackets: state, ppid, pgrp, ..., utime (12th), stime (13th)
        name = line[line.index("(") + 1:line.rindex(")")]
        fields = line[line.rindex(")") + 2:].split()
        if int(fields[2]) == group or name.startswith("postgres"):
            total += int(fields[11]) + int(fields[12])
    return total


TICK_MS = 1000 / os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 10.0


def load(url: str, duration: int, cookie: str | None, group: int | None = None) -> dict:
    """``duration`` seconds of load on ``url``: req/s, requests, non-2xx answers and, given the
    serving gunicorn's process group, ``cpu_ms``: the CPU time its processes and PostgreSQL's
    spent per request (read from /proc: unlike req/s, it leaves out the time the machine gave
    to others, and the load generator's own)."""
    before = server_ticks(group) if group is not None else 0
    got = (wrk if shutil.which("wrk") else python_load)(url, duration, cookie)
    if group is not None and got["requests"]:
        got["cpu_ms"] = (server_ticks(group) - before) * TICK_MS / got["requests"]
    return got


# --- the run -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432",
                        help="PostgreSQL server (a database is created there, then dropped)")
    parser.add_argument("--database", default="bench_signed_in")
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="the code to measure")
    parser.add_argument("--baseline", type=Path,
                        help="another checkout of the code (e.g. `git archive` of an older "
                             "commit), served too on the same database and measured beside "
                             "each page (its migrations must be the same)")
    parser.add_argument("--duration", type=int, default=3, help="seconds of load per page")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--confirm", type=int, default=0,
                        help="then this many more rounds of every signed-in page whose median "
                             "ratio so far is below --confirm-below (medians over all its rounds)")
    parser.add_argument("--confirm-below", type=float, default=0.12,
                        help="the ratio under which a page is measured again (default 0.12)")
    parser.add_argument("--accounts", default="", help="comma-separated emails (default: all)")
    parser.add_argument("--limit", type=int, default=150, help="pages walked per account")
    parser.add_argument("--no-anonymous", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--reuse", action="store_true",
                        help="the database already holds the demo (from --keep): load nothing, "
                             "keep it")
    parser.add_argument("--match", action="append", default=[],
                        help="measure only the pages whose address holds this text, or is it "
                             "after a leading = (repeatable)")
    args = parser.parse_args()

    app_dir = args.app_dir.resolve()
    work = Path(tempfile.mkdtemp(prefix="signed-in-bench-"))
    url = f"{args.server}/{args.database}" if args.reuse \
        else create_database(args.server, args.database)
    env = {**os.environ, "DATABASE_URL": url, "FLASK_APP": "intranet", "PYTHONPATH": str(app_dir),
           "SECRET_KEY": "banc-d-essai-des-pages-connectees", "SEARCH_BACKEND": "postgres"}
    servers = []
    try:
        started = time.perf_counter()
        if args.reuse:
            from intranet.demo import PEOPLE
            accounts = [person[0] for person in PEOPLE]
            forget_earlier_runs(app_dir, env)
        else:
            accounts = load_demo(app_dir, env)
        if args.accounts:
            accounts = [a for a in accounts if a in args.accounts.split(",")]
        print(f"demo loaded in {time.perf_counter() - started:.0f} s; {len(accounts)} accounts; "
              f"code: {app_dir} ({_commit(app_dir)})"
              + (f"; baseline: {args.baseline} ({_commit(args.baseline)})" if args.baseline
                 else ""))

        trivial_db = f"sqlite:///{work / 'trivial.sqlite'}"
        subprocess.run([sys.executable, "app.py"], cwd=TRIVIAL,
                       env={**os.environ, "TRIVIAL_DB": trivial_db}, check=True,
                       capture_output=True)
        trivial_port, app_port, baseline_port = free_port(), free_port(), free_port()
        servers.append(serve("app:app", TRIVIAL, {"TRIVIAL_DB": trivial_db}, trivial_port))
        servers.append(serve("wsgi:app", app_dir, env, app_port))
        base = f"http://127.0.0.1:{app_port}"
        trivial = f"http://127.0.0.1:{trivial_port}/item/42"
        bases = {"after": base} if not args.baseline else {"before": "", "after": base}
        # each server's process group (serve starts a session: the master's pid), whose CPU
        # time is read around each measurement
        groups = {trivial: servers[0].pid, base: servers[1].pid}
        if args.baseline:
            baseline = args.baseline.resolve()
            servers.append(serve("wsgi:app", baseline, {**env, "PYTHONPATH": str(baseline)},
                                 baseline_port))
            bases["before"] = f"http://127.0.0.1:{baseline_port}"
            groups[bases["before"]] = servers[2].pid

        from intranet.demo import DEMO_PASSWORD
        pages: list[tuple[str, str, str | None]] = []     # (who, path, cookie)
        measured: set[str] = set()
        for who in ([None] if not args.no_anonymous else []) + accounts:
            session = sign_in(base, who, DEMO_PASSWORD)
            cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items()) or None
            for path in walk(base, session, args.limit):
                key = ("anonymous " if who is None else "") + route_key(urlsplit(path).path) \
                    + ("?q" if "q=" in path else "")
                if args.match and not any(path == text[1:] if text.startswith("=") else text in path
                                              for text in args.match):
                    continue
                if path == "/" or key not in measured:
                    measured.add(key)
                    pages.append((who or "anonyme", path, cookie))
        print(f"{len(pages)} pages to measure, {args.duration} s each"
              + (" on each version" if args.baseline else "") + "; "
              f"{'wrk -t2 -c10' if shutil.which('wrk') else 'Python load, 10 connections'}")

        # The trivial page is measured between every two pages: a page's reference is the
        # mean of the trivial measurements just before and just after it (the machine is
        # shared: a burst of someone else's work then weighs on both).
        load(trivial, 1, None)                                 # warm up its workers
        # per page and version, one (req/s, trivial req/s, non-2xx, CPU ms per request,
        # trivial CPU ms per request) per round
        results: dict[tuple[str, str], dict[str, list[tuple]]] = {}
        for round_ in range(args.rounds + args.confirm):
            if round_ == args.rounds:
                # A one-second ratio moves by a third on a busy machine: the pages near the
                # target (whichever version is lower) are measured again, the others are not.
                pages = [(who, path, cookie) for who, path, cookie in pages if who != "anonyme"
                         and min(statistics.median(rps / ref for rps, ref, *_ in runs)
                                 for runs in results[(who, path)].values())
                         < args.confirm_below]
                print(f"{len(pages)} pages below {args.confirm_below:.0%}: {args.confirm} more "
                      "round(s) each")
            if round_ >= args.rounds and not pages:
                break
            before_it = load(trivial, args.duration, None, groups[trivial])
            for index, (who, path, cookie) in enumerate(pages):
                got = {}
                # The version measured second, right after the first, measures slower (the same
                # code served twice: 4-5 % slower second): the order alternates from one page
                # and one round to the next, so that neither version always comes second.
                order = list(bases.items())
                if (index + round_) % 2:
                    order.reverse()
                for version, root in order:
                    warm(root + path, cookie)
                    got[version] = load(root + path, args.duration, cookie, groups[root])
                after_it = load(trivial, args.duration, None, groups[trivial])
                reference = (before_it["rps"] + after_it["rps"]) / 2
                reference_cpu = (before_it.get("cpu_ms", 0) + after_it.get("cpu_ms", 0)) / 2
                for version, measure in got.items():
                    results.setdefault((who, path), {}).setdefault(version, []).append(
                        (measure["rps"], reference, measure["non_2xx"],
                         measure.get("cpu_ms"), reference_cpu))
                before_it = after_it
            print(f"round {round_ + 1} done")
    finally:
        for server in servers:
            stop(server)
        if not args.keep and not args.reuse:
            drop_database(args.server, args.database)
        shutil.rmtree(work, ignore_errors=True)

    print(f"\ngunicorn -w 3, PostgreSQL, {os.cpu_count()} CPU, {args.duration} s per page, "
          f"{args.rounds} round(s)"
          + (f", {args.confirm} more for the pages below {args.confirm_below:.0%}"
             if args.confirm else "") + " (medians); ratio = page / trivial page (mean of the "
          "measurements just before and after); CPU = the trivial page's CPU time per request "
          "/ the page's (gunicorn and PostgreSQL processes, from /proc)\n")
    versions = list(bases)
    print(f"{'who':<28}{'page':<58}{'trivial':>8}"
          + "".join(f"{v + ' req/s':>13}{'ratio':>7}{'CPU':>7}" for v in versions))
    ratios: dict[str, list[float]] = {v: [] for v in versions}
    cpu_ratios: dict[str, list[float]] = {v: [] for v in versions}
    for (who, path), by_version in results.items():
        line = f"{who:<28}{path[:57]:<58}" \
            f"{statistics.median(run[1] for run in by_version[versions[-1]]):>8.0f}"
        for version in versions:
            runs = by_version[version]
            ratio = statistics.median(rps / ref for rps, ref, *_ in runs)
            timed = [ref_cpu / cpu for *_, cpu, ref_cpu in runs if cpu and ref_cpu]
            cpu_ratio = statistics.median(timed) if timed else None
            errors = sum(run[2] for run in runs)
            if who != "anonyme":
                ratios[version].append(ratio)
                if cpu_ratio is not None:
                    cpu_ratios[version].append(cpu_ratio)
            line += f"{statistics.median(run[0] for run in runs):>13.0f}{ratio:>7.1%}" \
                + (f"{cpu_ratio:>7.1%}" if cpu_ratio is not None else f"{'?':>7}") \
                + (f" ({errors} non-2xx)" if errors else "")
        print(line)
    for version, found in ratios.items():
        if found:
            print(f"\n{version}: signed-in pages: {len(found)}, ratio min {min(found):.1%}, "
                  f"median {statistics.median(found):.1%}, max {max(found):.1%}, "
                  f"below 10 %: {sum(r < 0.10 for r in found)}; target every page ≥ 10 % → "
                  f"{'met' if min(found) >= 0.10 else 'NOT met'}")
        by_cpu = cpu_ratios[version]
        if by_cpu:
            print(f"{version}, by CPU time per request: min {min(by_cpu):.1%}, median "
                  f"{statistics.median(by_cpu):.1%}, max {max(by_cpu):.1%}, below 10 %: "
                  f"{sum(r < 0.10 for r in by_cpu)}")


def _commit(app_dir: Path) -> str:
    found = subprocess.run(["git", "-C", str(app_dir), "rev-parse", "--short", "HEAD"],
                           capture_output=True, text=True)
    return found.stdout.strip() or "not a git checkout"


if __name__ == "__main__":
    main()
