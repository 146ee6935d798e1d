"""CPU time of the signed-in pages of the demo, measured in process: what each page costs the
application, without gunicorn, the network or the other processes of a shared machine.

    python -m benchmarks.profile_pages                       # PostgreSQL at 127.0.0.1:5432
    python -m benchmarks.profile_pages --repeat 50 --accounts mairie@agen.fr
    python -m benchmarks.profile_pages --match /espaces/ --match /messages
    python -m benchmarks.profile_pages --profile /tmp/dashboard.prof --profile-page /
    python -m benchmarks.profile_pages --keep --database dev      # then, without seeding again:
    python -m benchmarks.profile_pages --reuse --database dev --app-dir /tmp/older-checkout

Dataset: a fresh, uniquely named PostgreSQL database (dropped at the end unless ``--keep``)
loaded as ``benchmarks.signed_in`` does (``load_demo``: ``flask db upgrade``, ``flask
seed-demo``, a forum topic, a conversation and a mailing list, ``flask search reindex``).

The application is made by ``create_app()`` as ``wsgi.py`` makes it (same environment as the
load benchmark), and used through Flask's test client. Each account signs in through the
form; its pages are found as ``benchmarks.signed_in`` finds them (its ``walk``, following the
dashboard's links; one address per route, every space's sections), each page measured by the
first account that reaches it, plus every account's dashboard. Every page is requested once to
warm up (templates compiled, statements cached), then ``--repeat`` times: the figures are the
mean CPU time per request (``time.process_time``: the application and the database driver's
client side, not the PostgreSQL server), the SQL statements per request, and the function
calls of one more request (``sys.setprofile``): CPU time grows when the machine is busy, the
calls do not, so they compare two versions measured at different times. ``--app-dir`` measures
another checkout (its own ``intranet`` package) with this harness.

The reference is the trivial Flask page of ``/work/shared/bench/trivial`` (one SQLite SELECT,
a tiny template), loaded in the same process through its own test client and measured the
same way: a page must cost at most about 10 times its CPU to reach 10 % of its req/s.

``--profile PATH`` runs cProfile (CPU time) over the ``--repeat`` requests of
``--profile-page`` (the dashboard by default; by the first account that reaches it, or else
the first account; ``all``: every page measured, once per round), writes the stats to PATH
and prints the top functions by cumulative and by own time. The profiler's own cost inflates
every figure (about 4x): read the proportions.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import importlib.util
import os
import pstats
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from .signed_in import (SECOND_FACTOR_STEP, TRIVIAL, create_database, demo_code, drop_database,
                        forget_earlier_runs, load_demo, route_key, walk)

ROOT = Path(__file__).resolve().parent.parent
BASE = "http://localhost"


class _Client:
    """What ``signed_in.walk`` asks of a ``requests.Session``, over a Flask test client."""

    def __init__(self, client):
        self.client = client

    def get(self, url, allow_redirects=False):
        return self.client.get(url[len(BASE):] if url.startswith(BASE) else url,
                               follow_redirects=allow_redirects)


def sign_in(app, email: str, password: str):
    client = app.test_client()
    page = client.get("/connexion").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answer = client.post("/connexion", data={"csrf_token": token, "email": email,
                                             "password": password})
    if answer.headers.get("Location") == SECOND_FACTOR_STEP:     # admins: their app's code
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                          client.get(SECOND_FACTOR_STEP).text).group(1)
        code = demo_code()
        answer = client.post(SECOND_FACTOR_STEP, data={"csrf_token": token, "code": code})
        if answer.headers.get("Location") == SECOND_FACTOR_STEP:   # used already: the next
            answer = client.post(SECOND_FACTOR_STEP, data={"csrf_token": token,
                                                           "code": demo_code(code)})
    if answer.status_code != 302:
        raise RuntimeError(f"{email} could not sign in")
    return client


def count_statements(engine) -> list[int]:
    from sqlalchemy import event
    counter = [0]

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_):
        counter[0] += 1
    return counter


def count_calls(client, path: str) -> int:
    """Python and C function calls made by one request of ``path``: unlike time, the same from
    one run to the next however busy the machine."""
    calls = [0]

    def profiler(frame, event, arg):
        if event in ("call", "c_call"):
            calls[0] += 1
    sys.setprofile(profiler)
    try:
        client.get(path)
    finally:
        sys.setprofile(None)
    return calls[0]


def measure(client, path: str, repeat: int, counter: list[int]) -> tuple[float, float, int]:
    """(mean CPU ms, median CPU ms, statements) of ``repeat`` requests of ``path``."""
    answer = client.get(path)
    if answer.status_code != 200:
        raise RuntimeError(f"{path}: {answer.status_code}")
    times = []
    counter[0] = 0
    for _ in range(repeat):
        started = time.process_time()
        client.get(path)
        times.append(time.process_time() - started)
    return (1000 * statistics.fmean(times), 1000 * statistics.median(times),
            round(counter[0] / repeat))


def trivial_client(work: Path):
    """The trivial page's app, loaded from its folder, seeded in a SQLite file under work."""
    os.environ["TRIVIAL_DB"] = f"sqlite:///{work / 'trivial.sqlite'}"
    spec = importlib.util.spec_from_file_location("trivial_app", TRIVIAL / "app.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["trivial_app"] = module     # Flask finds its templates from the module's file
    spec.loader.exec_module(module)
    module.seed()
    return module.app.test_client()


def demo_accounts() -> list[str]:
    from intranet.demo import PEOPLE
    return [person[0] for person in PEOPLE]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432",
                        help="PostgreSQL server (a database is created there, then dropped)")
    parser.add_argument("--database", default=f"profile_pages_{os.getpid()}_{int(time.time())}")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page")
    parser.add_argument("--accounts", default="", help="comma-separated emails (default: all)")
    parser.add_argument("--limit", type=int, default=150, help="pages walked per account")
    parser.add_argument("--match", action="append", default=[],
                        help="measure only the addresses containing this, or equal to it after a "
                        "leading = (repeatable)")
    parser.add_argument("--profile", type=Path, help="cProfile output file")
    parser.add_argument("--profile-page", default="/", help="the page to profile")
    parser.add_argument("--top", type=int, default=40, help="functions printed by --profile")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--app-dir", type=Path, default=ROOT,
                        help="the code to measure (e.g. `git archive` of an older commit)")
    parser.add_argument("--reuse", action="store_true",
                        help="use --database as it is (kept by an earlier --keep run)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="profile-pages-"))
    url = f"{args.server}/{args.database}" if args.reuse \
        else create_database(args.server, args.database)
    app_dir = args.app_dir.resolve()
    env = {"DATABASE_URL": url, "FLASK_APP": "intranet", "PYTHONPATH": str(app_dir),
           "SECRET_KEY": "banc-d-essai-des-pages-connectees", "SEARCH_BACKEND": "postgres"}
    try:
        started = time.perf_counter()
        sys.path.insert(0, str(app_dir))      # before anything imports intranet
        if args.reuse:
            accounts = demo_accounts()
            forget_earlier_runs(app_dir, {**os.environ, **env})
        else:
            accounts = load_demo(app_dir, {**os.environ, **env})
        if args.accounts:
            accounts = [a for a in accounts if a in args.accounts.split(",")]
        print(f"demo loaded in {time.perf_counter() - started:.0f} s into {args.database}; "
              f"{len(accounts)} accounts", flush=True)
        os.environ.update(env)
        from intranet import create_app
        from intranet.demo import DEMO_PASSWORD
        assert Path(sys.modules["intranet"].__file__).is_relative_to(app_dir), "wrong intranet"
        from intranet.extensions import db
        from intranet.search import services as search

        app = create_app()
        with app.app_context():
            search.warm()
            counter = count_statements(db.engine)
        gc.freeze()   # as wsgi.py does

        trivial = trivial_client(work)
        trivial.get("/item/42")
        reference = []

        pages: list[tuple[str, str, object]] = []
        measured: set[str] = set()
        for who in accounts:
            client = sign_in(app, who, DEMO_PASSWORD)
            for path in walk(BASE, _Client(client), args.limit):
                key = route_key(urlsplit(path).path) + ("?q" if "q=" in path else "")
                if path == "/" or key not in measured:
                    measured.add(key)
                    if not args.match or any(path == m[1:] if m.startswith("=") else m in path
                                              for m in args.match):
                        pages.append((who, path, client))
        print(f"{len(pages)} pages, {args.repeat} requests each\n", flush=True)

        if args.profile:
            if args.profile_page == "all":
                chosen = pages
            else:
                first_who, _, first_client = pages[0]
                chosen = [next((p for p in pages if p[1] == args.profile_page),
                               (first_who, args.profile_page, first_client))]
            for _, path, client in chosen:
                client.get(path)
            profiler = cProfile.Profile(time.process_time)     # CPU, not waits
            profiler.enable()
            for _ in range(args.repeat):
                for _, path, client in chosen:
                    client.get(path)
            profiler.disable()
            who, path = ("every account", "every page") if len(chosen) > 1 else chosen[0][:2]
            profiler.dump_stats(args.profile)
            print(f"profile of {path} as {who}, {args.repeat} requests:")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)
            return

        rows, all_calls = [], []
        print(f"{'who':<28}{'page':<60}{'CPU ms':>8}{'median':>8}{'SQL':>5}{'calls':>8}")
        for index, (who, path, client) in enumerate(pages):
            if index % 20 == 0:    # the reference, now and then (a shared machine drifts)
                reference.append(measure(trivial, "/item/42", 10 * args.repeat, [0])[0])
            mean, median, statements = measure(client, path, args.repeat, counter)
            calls = count_calls(client, path)
            rows.append((mean, who, path))
            all_calls.append(calls)
            print(f"{who:<28}{path[:59]:<60}{mean:>8.2f}{median:>8.2f}{statements:>5}"
                  f"{calls:>8}", flush=True)
        reference.append(measure(trivial, "/item/42", 10 * args.repeat, [0])[0])
        if not rows:
            return
        trivial_ms = statistics.median(reference)
        costs = sorted(mean for mean, *_ in rows)
        print(f"\ntrivial page (same process, test client): {trivial_ms:.2f} ms CPU "
              f"(measurements: {', '.join(f'{r:.2f}' for r in reference)})")
        print(f"signed-in pages: {len(costs)}; CPU ms min {costs[0]:.2f}, median "
              f"{statistics.median(costs):.2f}, max {costs[-1]:.2f}; as multiples of the "
              f"trivial page: min {costs[0] / trivial_ms:.1f}, median "
              f"{statistics.median(costs) / trivial_ms:.1f}, max {costs[-1] / trivial_ms:.1f}; "
              f"above 10x: {sum(c > 10 * trivial_ms for c in costs)}")
        print(f"function calls per page: median {statistics.median(all_calls):.0f}, total "
              f"{sum(all_calls)}; trivial page: {count_calls(trivial, '/item/42')}")
        print("most expensive:")
        for mean, who, path in sorted(rows, reverse=True)[:10]:
            print(f"  {mean:8.2f} ms  {path}  ({who})")
    finally:
        if not args.keep and not args.reuse:
            drop_database(args.server, args.database)     # WITH (FORCE): our connections too
        shutil.rmtree(work, ignore_errors=True)

if __name__ == "__main__":
    main()
