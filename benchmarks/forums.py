"""Forum pages under load, as a ratio to the machine's trivial page measured in the same run.

    python -m benchmarks.forums                  # seed (once), serve, load, print
    python -m benchmarks.forums --reseed --duration 10

Dataset: 100,000 posts in an organisation's space — one topic of 5,000 posts, one of 1 post,
the rest in topics of 20 over five forums — by 50 people; bulk inserted (search queue and
notifications bypassed), counters set as the services keep them.

Both applications are served by gunicorn (3 sync workers, SQLite file databases) on free
127.0.0.1 ports; the forum pages are read by a signed-in member (session cookie obtained by
logging in through the login form); each URL is loaded with ``wrk -t2 -c10 -d10s --latency``, right after the trivial page (a pair),
and the pairs repeated (``--rounds``, 3 by default): the figures are medians.
Targets: every topic page ≥ 10 % of the trivial page's req/s, and the last page of the
5,000-post topic within 1.5× of its first page. A reference line, « floor », is a static page
of the application served to the same signed-in person: what every signed-in page pays before
its own work (session, user, header navigation and counters).
"""
from __future__ import annotations

import argparse
import html
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from http.cookiejar import CookieJar
from pathlib import Path

from sqlalchemy import func, insert, select, update
from werkzeug.security import generate_password_hash

ROOT = Path(__file__).resolve().parent.parent
TRIVIAL = Path(os.environ.get("TRIVIAL_DIR", ROOT.parent / "shared" / "bench" / "trivial"))
OUT = ROOT / "benchmarks" / "out"
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
EMAIL, PASSWORD = "lecteur@forums.bench", "mot-de-passe-du-banc"

TOTAL_POSTS, BIG_TOPIC, TOPIC_SIZE, FORUMS, AUTHORS = 100_000, 5_000, 20, 5, 50


# --- dataset --------------------------------------------------------------------------------------


def seed(total: int = TOTAL_POSTS) -> dict:
    """The forum dataset (skipped if the database already holds it). Returns its facts."""
    from intranet.accounts import organisations
    from intranet.accounts.models import Membership, OrgKind, Role, User
    from intranet.core.timeutil import utcnow
    from intranet.extensions import db
    from intranet.forums.models import Forum, ForumPost, ForumTopic
    from intranet.spaces import services as spaces

    from .seed_scale import sentence

    if (db.session.scalar(select(func.count(ForumPost.id))) or 0) >= total:
        return _facts()
    started = time.perf_counter()
    rng = random.Random(47)
    communes = ["Agen", "Nérac", "Marmande", "Villeneuve-sur-Lot", "Tonneins", "Casteljaloux"]
    org = organisations.create_organisation(name="Commune du banc d'essai", kind=OrgKind.COMMUNE)
    space = spaces.ensure_organisation_space(org)
    db.session.flush()
    hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    now = utcnow()
    people = [{"email": EMAIL, "first_name": "Lucie", "last_name": "Lectrice"}] + [
        {"email": f"auteur{i}@forums.bench", "first_name": rng.choice(
            ["Marie", "Jean", "Hélène", "Pierre", "Sophie", "Luc"]), "last_name": f"Auteur{i}"}
        for i in range(AUTHORS)]
    db.session.execute(insert(User), [dict(p, password_hash=hashed, function="", phone="",
                                           active=True, is_platform_admin=False,
                                           token_generation=0, created_at=now) for p in people])
    user_ids = list(db.session.scalars(select(User.id).where(User.email.like("%@forums.bench"))
                                       .order_by(User.id)))
    db.session.execute(insert(Membership), [
        {"user_id": uid, "organisation_id": org.id, "role": Role.MEMBER, "created_at": now}
        for uid in user_ids])
    authors = user_ids[1:]
    forums = [Forum(space_id=space.id, name=name, description=description, position=n)
              for n, (name, description) in enumerate([
                  ("Vie de la mairie", "Organisation des services, horaires, accueil."),
                  ("Finances et budget", "Préparation budgétaire, marchés, subventions."),
                  ("Urbanisme et voirie", "Permis, travaux, éclairage public."),
                  ("Écoles et jeunesse", "Cantine, périscolaire, transports scolaires."),
                  ("Entraide entre secrétaires", "Questions pratiques et modèles de documents.")])]
    db.session.add_all(forums)
    db.session.commit()

    # topic sizes: the big one, the single post, then topics of TOPIC_SIZE for the rest
    rest = total - BIG_TOPIC - 1
    sizes = [BIG_TOPIC, 1] + [TOPIC_SIZE] * (rest // TOPIC_SIZE) + \
        ([rest % TOPIC_SIZE] if rest % TOPIC_SIZE else [])
    base = now.replace(microsecond=0)
    topics = []
    for n, size in enumerate(sizes):
        forum = forums[0] if n < 2 else forums[n % FORUMS]
        last = base - timedelta(minutes=len(sizes) - n)
        topics.append({"forum_id": forum.id, "space_id": space.id, "author_id": rng.choice(authors),
                       "title": ("Le grand fil de l'entraide" if n == 0 else
                                 "Une seule question" if n == 1 else
                                 sentence(rng, communes)[:120]),
                       "created_at": last - timedelta(days=1), "pinned": n == 0, "locked": False,
                       "held": False, "post_count": size, "last_position": size,
                       "last_post_at": last, "last_post_author_id": rng.choice(authors),
                       "view_count": rng.randint(0, 500)})
    db.session.execute(insert(ForumTopic), topics)
    topic_ids = list(db.session.scalars(select(ForumTopic.id).order_by(ForumTopic.id)))
    for start in range(0, len(sizes), 500):
        rows = []
        for topic_id, size, topic in zip(topic_ids[start:start + 500], sizes[start:start + 500],
                                         topics[start:start + 500]):
            for position in range(1, size + 1):
                text = " ".join(sentence(rng, communes) for _ in range(rng.randint(1, 4)))
                body = f"<p>Message {position}. {html.escape(text)}</p>"
                if position % 7 == 0:
                    body += "<p>Bien cordialement,<br><em>le secrétariat</em></p>"
                rows.append({"topic_id": topic_id, "position": position,
                             "author_id": rng.choice(authors), "body_html": body,
                             "body_source": text, "body_format": "text",
                             "created_at": topic["created_at"] + timedelta(seconds=position),
                             "edit_count": 0, "held": False})
        db.session.execute(insert(ForumPost), rows)
        db.session.commit()
    # counters, as the services keep them
    db.session.execute(update(ForumTopic).values(
        first_post_id=select(func.min(ForumPost.id)).where(ForumPost.topic_id == ForumTopic.id)
        .scalar_subquery(),
        last_post_id=select(func.max(ForumPost.id)).where(ForumPost.topic_id == ForumTopic.id)
        .scalar_subquery()))
    refresh_counters(forums)
    db.session.commit()
    facts = _facts()
    facts["seeded_in_s"] = round(time.perf_counter() - started, 1)
    return facts


def refresh_counters(forums) -> None:
    """Each forum's topic and post counts and latest topic, from its topics (bulk inserts
    bypass the services that keep them)."""
    from intranet.extensions import db
    from intranet.forums.models import ForumTopic

    for forum in forums:
        count, posts, last = db.session.execute(
            select(func.count(ForumTopic.id), func.sum(ForumTopic.post_count),
                   func.max(ForumTopic.last_post_at)).where(ForumTopic.forum_id == forum.id)).one()
        forum.topic_count, forum.post_count, forum.last_post_at = count, posts, last
        forum.last_topic_id = db.session.scalar(select(ForumTopic.id).where(
            ForumTopic.forum_id == forum.id).order_by(ForumTopic.last_post_at.desc()).limit(1))


def _facts() -> dict:
    from intranet.extensions import db
    from intranet.forums.models import ForumPost, ForumTopic
    from intranet.spaces.models import Space, SpaceKind
    slug = db.session.scalar(select(Space.slug).where(Space.kind == SpaceKind.ORGANISATION))
    big = db.session.scalar(select(ForumTopic).where(ForumTopic.post_count >= BIG_TOPIC))
    single = db.session.scalar(select(ForumTopic).where(ForumTopic.title == "Une seule question"))
    return {"slug": slug, "big_topic": big.id, "big_posts": big.post_count,
            "single_topic": single.id,
            "topics": db.session.scalar(select(func.count(ForumTopic.id))),
            "posts": db.session.scalar(select(func.count(ForumPost.id)))}


# --- servers ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(app_spec: str, cwd: Path, env: dict, port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [GUNICORN, "-w", "3", "--log-level", "warning", "-b", f"127.0.0.1:{port}", app_spec],
        cwd=cwd, env={**os.environ, **env}, start_new_session=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise RuntimeError(f"gunicorn {app_spec} did not start on port {port}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def signed_in_cookie(base: str) -> str:
    """Log in through the form (CSRF token included) and return the Cookie header value."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/connexion").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(r'name="csrf_token" value="([^"]+)"', page)
    data = urllib.parse.urlencode({"csrf_token": token.group(1), "email": EMAIL,
                                   "password": PASSWORD}).encode()
    opener.open(f"{base}/connexion", data=data).read()   # follows to the dashboard (flash read)
    opener.open(f"{base}/").read()
    cookies = {c.name: c.value for c in jar}
    if "session" not in cookies:
        raise RuntimeError("login failed")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def fetch(url: str, cookie: str | None = None) -> str:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request) as response:
        assert response.status == 200, url
        return response.read().decode()


def wrk(url: str, duration: int, cookie: str | None = None) -> dict:
    command = ["wrk", "-t2", "-c10", f"-d{duration}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = dict(re.findall(r"\s(50|99)%\s+([\d.]+\w+)", output))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": rate, "p50": latency.get("50", "?"), "p99": latency.get("99", "?"),
            "non_2xx": int(errors.group(1)) if errors else 0}


# --- the run ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page")
    parser.add_argument("--rounds", type=int, default=3, help="pairs (trivial, page) per page")
    parser.add_argument("--reseed", action="store_true", help="rebuild the dataset")
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    database = OUT / "forums.sqlite"
    if args.reseed:
        database.unlink(missing_ok=True)
    work = Path(tempfile.mkdtemp(prefix="forums-bench-"))
    env = {"DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "banc-d-essai-des-forums",
           "SEARCH_BACKEND": "whoosh"}
    os.environ.update(env)
    from intranet import create_app
    from intranet.extensions import db
    app = create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"],
                      "SEARCH_INDEX_DIR": str(work / "search")})
    with app.app_context():
        db.create_all()
        facts = seed()
        db.session.remove()
        db.engine.dispose()
    print(f"dataset: {facts['posts']} posts in {facts['topics']} topics; "
          f"big topic {facts['big_posts']} posts"
          + (f" (seeded in {facts['seeded_in_s']} s)" if "seeded_in_s" in facts else ""))

    trivial_db = f"sqlite:///{work / 'trivial.sqlite'}"
    subprocess.run([sys.executable, "app.py"], cwd=TRIVIAL, env={**os.environ,
                                                                  "TRIVIAL_DB": trivial_db},
                   check=True, capture_output=True)
    trivial_port, app_port = free_port(), free_port()
    servers = []
    try:
        servers.append(serve("app:app", TRIVIAL, {"TRIVIAL_DB": trivial_db}, trivial_port))
        servers.append(serve("wsgi:app", ROOT, env, app_port))
        base = f"http://127.0.0.1:{app_port}"
        cookie = signed_in_cookie(base)
        per_page = app.config.get("FORUM_POSTS_PER_PAGE", 20)
        last_page = -(-facts["big_posts"] // per_page)
        forums = f"{base}/espaces/{facts['slug']}/forums"
        pages = [
            ("trivial page", f"http://127.0.0.1:{trivial_port}/item/42", None, "Item 42"),
            # the cost every signed-in page pays before its own work (header, navigation,
            # counters): a static page of the application, signed in — a reference line
            ("floor: /accessibilite, signed in", f"{base}/accessibilite", cookie, "Accessibilit"),
            ("forum index", forums, cookie, "Entraide entre secrétaires"),
            ("topic, 1 post", f"{forums}/sujets/{facts['single_topic']}", cookie, "Message 1."),
            ("topic of 5,000, first page", f"{forums}/sujets/{facts['big_topic']}", cookie,
             "Message 20."),
            (f"topic of 5,000, last page ({last_page})",
             f"{forums}/sujets/{facts['big_topic']}?page={last_page}", cookie, "Message 5000."),
        ]
        for label, url, cookie_, expected in pages:      # warm up, and check what is served
            for _ in range(20):
                body = fetch(url, cookie_)
            assert expected in body, f"{label}: « {expected} » not in the page"
            assert cookie_ is None or "Lucie Lectrice" in body, f"{label}: not signed in"
        # Each page is loaded right after the trivial page, and the pair repeated --rounds
        # times: the ratio of each pair is taken, then the median (the machine is shared, and a
        # burst of someone else's work would otherwise land on one page only).
        trivial_url = pages[0][1]
        runs: dict[str, list[tuple[dict, dict]]] = {label: [] for label, *_ in pages[1:]}
        for _ in range(args.rounds):
            for label, url, cookie_, _expected in pages[1:]:
                reference = wrk(trivial_url, args.duration)
                runs[label].append((reference, wrk(url, args.duration, cookie_)))
    finally:
        for server in servers:
            stop(server)

    print(f"\nwrk -t2 -c10 -d{args.duration}s --latency, gunicorn -w 3, SQLite, "
          f"{os.cpu_count()} CPU; each page paired with the trivial page, {args.rounds} round(s), "
          "medians\n")
    print(f"{'page':<38}{'req/s':>8}{'trivial':>9}{'ratio':>8}{'p50':>10}{'p99':>10}")
    ratios = {}
    for label, pairs in runs.items():
        ratio = statistics.median(page["rps"] / reference["rps"] for reference, page in pairs)
        ratios[label] = ratio
        middle = sorted(pairs, key=lambda pair: pair[1]["rps"])[len(pairs) // 2][1]
        errors = sum(page["non_2xx"] for _, page in pairs)
        print(f"{label:<38}{statistics.median(p['rps'] for _, p in pairs):>8.0f}"
              f"{statistics.median(r['rps'] for r, _ in pairs):>9.0f}{ratio:>8.1%}"
              f"{middle['p50']:>10}{middle['p99']:>10}"
              + (f"  (non-2xx: {errors})" if errors else ""))
    topic_labels = [label for label in ratios if label.startswith("topic")]
    first = ratios["topic of 5,000, first page"]
    last = next(r for label, r in ratios.items() if label.startswith("topic of 5,000, last"))
    worst = min(ratios[label] for label in topic_labels)
    print(f"\ntarget ≥ 10 % of the trivial page for every topic page: worst {worst:.1%} → "
          f"{'met' if worst >= 0.10 else 'NOT met'}")
    print(f"target last page of the 5,000-post topic within 1.5× of its first page: "
          f"first/last = {first / last:.2f} → {'met' if first / last <= 1.5 else 'NOT met'}")

if __name__ == "__main__":
    main()
