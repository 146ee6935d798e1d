"""Reading a topic never writes in the request that shows it.

Each web process keeps a small in-memory buffer of what its requests showed: per (person,
topic) the highest position read, per topic the number of views, per person the time of their
last forum page. A daemon thread of the same process flushes the buffer every
``FORUM_VIEW_FLUSH_SECONDS`` (2 s by default) in ONE transaction: an UPSERT per read marker,
an ``UPDATE … SET view_count = view_count + n`` per topic, an UPSERT per visit. Ten readers of
the same page within two seconds cost one row write, not ten; the GET itself stays read-only
(no lock, no fsync, no contention with writers).

What this trades: up to two seconds of markers may be lost if a process is killed (view
counts and read markers only — nothing anybody wrote), and another process may show a topic
as unread for those two seconds. The process that served the reading merges its own pending
markers when it answers (``pending_position``). Under test (``app.testing``) no thread runs:
tests call ``flush()``.
"""
from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from ..core.timeutil import utcnow
from ..extensions import db

log = logging.getLogger(__name__)

# A visit ends after this long without a forum page: « since my last visit » starts there.
VISIT_GAP = timedelta(minutes=30)


class ViewBuffer:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._reads: dict[tuple[int, int], int] = {}
        self._views: Counter = Counter()
        self._seen: dict[int, datetime] = {}
        self._thread: threading.Thread | None = None
        self._app = None

    def _check_fork(self) -> None:
        if os.getpid() != self._pid:  # a forked worker starts with an empty buffer of its own
            self._reset()

    def record(self, app, user_id: int | None, topic_id: int, position: int) -> None:
        with self._lock:
            self._check_fork()
            self._views[topic_id] += 1
            if user_id is not None:
                key = (user_id, topic_id)
                if position > self._reads.get(key, 0):
                    self._reads[key] = position
                self._seen[user_id] = utcnow()
            self._app = app
            start = self._thread is None and not app.testing
        if start:
            self._start(app)

    def seen(self, app, user_id: int) -> None:
        """A forum page other than a topic (the visit goes on)."""
        with self._lock:
            self._check_fork()
            self._seen[user_id] = utcnow()
            self._app = app
            start = self._thread is None and not app.testing
        if start:
            self._start(app)

    def pending_position(self, user_id: int, topic_id: int) -> int:
        with self._lock:
            return self._reads.get((user_id, topic_id), 0)

    def pending_positions(self, user_id: int) -> dict[int, int]:
        with self._lock:
            return {t: p for (u, t), p in self._reads.items() if u == user_id}

    def take_reads(self, topic_ids) -> dict[tuple[int, int], int]:
        """Take out the buffered read markers of these topics, {(user id, topic id):
        position}: a split or a merge numbers their posts again and writes the markers
        itself."""
        with self._lock:
            taken = {key: pos for key, pos in self._reads.items() if key[1] in topic_ids}
            for key in taken:
                del self._reads[key]
        return taken

    def clear(self) -> None:
        with self._lock:
            self._reads, self._views, self._seen = {}, Counter(), {}

    def _take(self):
        with self._lock:
            taken = self._reads, self._views, self._seen
            self._reads, self._views, self._seen = {}, Counter(), {}
        return taken

    def _give_back(self, reads, views, seen) -> None:
        """A failed flush (database busy): its content goes back for the next round."""
        with self._lock:
            for key, position in reads.items():
                self._reads[key] = max(position, self._reads.get(key, 0))
            self._views.update(views)
            for user_id, when in seen.items():
                self._seen[user_id] = max(when, self._seen.get(user_id, when))

    def flush(self) -> int:
        """Write what is buffered, in one transaction (call within an app context). Returns
        the number of rows written. A step of the buffer's thread, not a unit of work: it
        commits on its own, or rolls back and gives the rows back for the next round."""
        reads, views, seen = self._take()
        if not (reads or views or seen):
            return 0
        try:
            written = _write(reads, views, seen)
        except Exception:
            db.session.rollback()
            self._give_back(reads, views, seen)
            raise
        return written

    def _start(self, app) -> None:
        interval = app.config["FORUM_VIEW_FLUSH_SECONDS"]
        if interval <= 0:
            return
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, args=(app, interval),
                                            name="forum-view-buffer", daemon=True)
        self._thread.start()
        atexit.register(self._flush_at_exit, app)

    def _run(self, app, interval: float) -> None:
        while True:
            time.sleep(interval)
            try:
                with app.app_context():
                    self.flush()
                    db.session.remove()
            except Exception:  # keep running; what failed is retried next round
                log.exception("forum view buffer: flush failed")

    def _flush_at_exit(self, app) -> None:
        try:
            with app.app_context():
                self.flush()
        except Exception:
            log.exception("forum view buffer: final flush failed")


def upsert(model, rows: list[dict], keys: list[str], updates: dict):
    """INSERT ``rows``, or on a conflict of ``keys`` UPDATE with ``updates`` (column → a
    function of the proposed row, ``excluded``, and the dialect): one statement, safe when
    another process writes the same row at the same moment (SQLite and PostgreSQL)."""
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(model)
    values = {name: make(statement.excluded, dialect) for name, make in updates.items()}
    return db.session.execute(statement.on_conflict_do_update(index_elements=keys, set_=values),
                              rows)


def _greatest(dialect: str):
    return func.greatest if dialect == "postgresql" else func.max


def _write(reads, views, seen) -> int:
    from .models import ForumRead, ForumTopic, ForumVisit
    from ..accounts.models import User
    topic_ids = {t for _, t in reads} | set(views)
    user_ids = {u for u, _ in reads} | set(seen)
    # rows of topics or people deleted since they were read are dropped, not failed on
    live_topics = set(db.session.scalars(select(ForumTopic.id).where(ForumTopic.id.in_(topic_ids))))
    live_users = set(db.session.scalars(select(User.id).where(User.id.in_(user_ids))))
    now = utcnow()
    written = 0
    read_rows = [{"user_id": u, "topic_id": t, "position": p, "read_at": now}
                 for (u, t), p in sorted(reads.items()) if u in live_users and t in live_topics]
    if read_rows:
        table = ForumRead.__table__
        upsert(ForumRead, read_rows, ["user_id", "topic_id"], {
            "position": lambda excluded, d: _greatest(d)(table.c.position, excluded.position),
            "read_at": lambda excluded, d: excluded.read_at})
        written += len(read_rows)
    for topic_id, count in sorted(views.items()):
        if topic_id in live_topics:
            db.session.execute(update(ForumTopic).where(ForumTopic.id == topic_id)
                               .values(view_count=ForumTopic.view_count + count)
                               .execution_options(synchronize_session=False))
            written += 1
    seen = {u: when for u, when in seen.items() if u in live_users}
    if seen:
        visits = {v.user_id: v for v in db.session.scalars(
            select(ForumVisit).where(ForumVisit.user_id.in_(seen)))}
        first = [{"user_id": u, "last_seen_at": when} for u, when in sorted(seen.items())
                 if u not in visits]
        if first:
            # A first visit may be recorded by another worker at the same moment: insert or,
            # if its row is there by now, keep the later time (never a duplicate key).
            table = ForumVisit.__table__
            upsert(ForumVisit, first, ["user_id"], {
                "last_seen_at": lambda excluded, d: _greatest(d)(
                    func.coalesce(table.c.last_seen_at, excluded.last_seen_at),
                    excluded.last_seen_at)})
            written += len(first)
        for user_id, visit in sorted(visits.items()):
            when = seen[user_id]
            if visit.last_seen_at is None or when - visit.last_seen_at > VISIT_GAP:
                visit.previous_visit_at = visit.last_seen_at   # a new visit begins
            if visit.last_seen_at is None or when > visit.last_seen_at:
                visit.last_seen_at = when
            written += 1
    db.session.commit()
    return written


BUFFER = ViewBuffer()


def visit_since(visit, now: datetime | None = None) -> datetime | None:
    """Start of « since my last visit »: the end of the previous visit."""
    if visit is None or visit.last_seen_at is None:
        return None
    now = now or utcnow()
    if now - visit.last_seen_at > VISIT_GAP:
        return visit.last_seen_at            # this is a new visit: since the last one ended
    return visit.previous_visit_at           # still the same visit: since the one before

