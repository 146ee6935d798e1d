"""Instructions per request of a few signed-in pages and of the trivial page, counted by
valgrind's callgrind: a figure that does not move with what else the machine is doing.

    python -m benchmarks.instructions --database bench_signed_in            # a kept database
    python -m benchmarks.instructions --database bench_signed_in --baseline /tmp/older-checkout
    python -m benchmarks.instructions --database bench_signed_in --account admin@territoires47.fr \\
        --page / --page /admin/journal --repeat 40

On a shared virtual machine the CPU time of the same request moves by a third from one minute
to the next (docs/performance.md), so a change of a few per cent cannot be told from noise by
timing it. Callgrind counts the instructions the process executes instead: the same code, the
same pages and the same data give the same count, whatever the other processes do (only the
Python process is counted: PostgreSQL's own work on the statements is not).

Each application is run twice under callgrind, in parallel: once signing in and requesting each
page a few times (warm-up: templates compiled, statements prepared, values kept), once doing
that and then ``--repeat`` more rounds of the pages. The difference, divided by the requests of
those rounds, is the instructions of one request (start-up and warm-up cancel out). The trivial
page (``../shared/bench/trivial``, through its own test client) is counted the same way, and
each page's figure is also given as a multiple of it: about the inverse of the req/s ratio that
``benchmarks.signed_in`` measures, without gunicorn, the network and PostgreSQL.

The database is one kept by ``benchmarks.signed_in --keep`` (or ``profile_pages --keep``): the
demo with its extra content. valgrind must be installed (``apt-get install valgrind``); each
run takes two to four minutes (start-up under callgrind is about 50 times slower).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .signed_in import TRIVIAL

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAGES = ("/mentions-legales", "/", "/espaces/agen/documents", "/espaces/agen/forums",
                 "/annuaire")

# Run inside callgrind: sign in, warm up, then the measured rounds (argv: app dir, rounds,
# account, pages...). The harness is this checkout's; the application is the app dir's.
APP_SCRIPT = """
import gc, os, sys
app_dir, rounds, account, pages = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
sys.path.insert(0, app_dir)
sys.path.insert(1, os.environ["HARNESS_DIR"])
from benchmarks.profile_pages import sign_in
from intranet import create_app
from intranet.demo import DEMO_PASSWORD
app = create_app()
client = sign_in(app, account, DEMO_PASSWORD)
gc.freeze()   # as wsgi.py does
for page in pages:
    for _ in range(3):
        assert client.get(page).status_code == 200, page
for _ in range(rounds):
    for page in pages:
        client.get(page)
"""

TRIVIAL_SCRIPT = """
import importlib.util, sys
rounds = int(sys.argv[1])
spec = importlib.util.spec_from_file_location("trivial_app", sys.argv[2])
module = importlib.util.module_from_spec(spec)
sys.modules["trivial_app"] = module
spec.loader.exec_module(module)
module.seed()
client = module.app.test_client()
for _ in range(3):
    client.get("/item/42")
for _ in range(rounds):
    client.get("/item/42")
"""

COLLECTED = re.compile(r"Collected : (\d+)")


def _callgrind(command: list[str], env: dict, work: Path, name: str) -> subprocess.Popen:
    return subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={work / name}.out", *command],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _instructions(process: subprocess.Popen) -> int:
    _, err = process.communicate()
    found = COLLECTED.search(err)
    if process.returncode != 0 or found is None:
        raise SystemExit(f"callgrind run failed:\n{err[-3000:]}")
    return int(found.group(1))


def per_request(command_for, rounds: int, requests_per_round: int, env: dict, work: Path,
                name: str) -> float:
    """Instructions of one request: (a run with ``rounds`` more rounds − a run without) / the
    requests of those rounds. The two runs go side by side (callgrind counts, not times)."""
    short = _callgrind(command_for(0), env, work, f"{name}-0")
    long = _callgrind(command_for(rounds), env, work, f"{name}-{rounds}")
    return (_instructions(long) - _instructions(short)) / (rounds * requests_per_round)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", required=True, help="a database kept by signed_in --keep")
    parser.add_argument("--account", default="mairie@agen.fr")
    parser.add_argument("--page", action="append", default=[], help="repeatable")
    parser.add_argument("--repeat", type=int, default=60, help="measured rounds of the pages")
    parser.add_argument("--app-dir", type=Path, default=ROOT)
    parser.add_argument("--baseline", type=Path, help="another checkout, counted the same way")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is needed: apt-get install valgrind")
    pages = args.page or list(DEFAULT_PAGES)
    work = Path(tempfile.mkdtemp(prefix="instructions-"))
    env = {**os.environ, "DATABASE_URL": f"{args.server}/{args.database}", "FLASK_APP": "intranet",
           "SECRET_KEY": "banc-d-essai-des-pages-connectees", "SEARCH_BACKEND": "postgres",
           "HARNESS_DIR": str(ROOT), "TRIVIAL_DB": f"sqlite:///{work / 'trivial.sqlite'}"}
    try:
        trivial = per_request(
            lambda rounds: [sys.executable, "-c", TRIVIAL_SCRIPT, str(rounds),
                            str(TRIVIAL / "app.py")], 200, 1, env, work, "trivial")
        print(f"trivial page: {trivial / 1e6:.2f} M instructions per request")
        print(f"pages: {', '.join(pages)} (as {args.account}, {args.repeat} rounds)")
        for label, app_dir in (("this checkout", args.app_dir), ("baseline", args.baseline)):
            if app_dir is None:
                continue
            app_dir = app_dir.resolve()
            figure = per_request(
                lambda rounds, app_dir=app_dir: [sys.executable, "-c", APP_SCRIPT, str(app_dir),
                                                 str(rounds), args.account, *pages],
                args.repeat, len(pages), {**env, "PYTHONPATH": str(app_dir)}, work,
                label.replace(" ", "-"))
            print(f"{label} ({app_dir}): {figure / 1e6:.2f} M instructions per request, "
                  f"{figure / trivial:.1f} times the trivial page")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
