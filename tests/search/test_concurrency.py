"""Searching while the index is written: a search never fails because a page was saved at the
same moment, whether the writer is a thread of the same process or another process (the
worker), and whatever the backend."""
import os
import threading
import time
import traceback
from datetime import datetime, timedelta

from flask import current_app
from flask_login import AnonymousUserMixin

from intranet.accounts.models import User
from intranet.core.types import Role, Visibility
from intranet.documents import services as documents
from intranet.documents.models import Page
from intranet.extensions import db
from intranet.search import services as search
from intranet.search.backends import Scope, SearchRequest
from intranet.search.backends.whoosh import WhooshBackend
from intranet.search.documents import SearchDocument
from intranet.spaces.models import JoinPolicy

from .. import factories

SEARCHES = 1000      # at least, from all the searching threads together
THREADS = 3
DEADLINE = 120       # seconds: a loaded machine is slow, the test stops at SEARCHES


def test_searching_while_pages_are_saved_never_fails(search_backend):
    """Several threads search continuously (each in its own application context, as the
    requests of a threaded server) while this thread creates, edits and bins pages and
    applies the queue as ``flask worker`` does. Every search answers, and the page nobody
    touches is found every time."""
    org = factories.make_org("Agen")
    editor = factories.make_user(org, Role.EDITOR)
    member = factories.make_user(org, Role.MEMBER)
    public = factories.make_group(editor, name="Vie locale", visibility=Visibility.PUBLIC,
                                  join_policy=JoinPolicy.OPEN)
    private = factories.org_space(org)
    stable = _page(public, editor, "Règlement du cimetière", "Horaires du cimetière communal")
    for n in range(12):
        _page(public if n % 2 else private, editor, f"Compte rendu {n}",
              f"Travaux de voirie numéro {n}, budget de la commune")
    search.drain()

    app = current_app._get_current_object()
    stable_key, editor_id = f"page:{stable.id}", editor.id
    stop = threading.Event()
    done, failures, lock = [0], [], threading.Lock()
    queries = ["voirie", "budget commune", "voi*", '"travaux de voirie"', "cimetière",
               "compte SAUF budget", "voiry"]

    def searching(user_id):
        with app.app_context():
            try:
                while not stop.is_set():
                    user = db.session.get(User, user_id) if user_id else AnonymousUserMixin()
                    for text in queries:
                        found = search.query(user, SearchRequest(text=text))
                        if text == "cimetière" and [h.key for h in found.hits] != [stable_key]:
                            raise AssertionError(f"the untouched page was not found: {found}")
                        with lock:
                            done[0] += 1
                    db.session.rollback()     # a new request: the database as it is now
            except Exception:                 # noqa: BLE001 - reported by the test
                with lock:
                    failures.append(traceback.format_exc())
            finally:
                db.session.remove()

    threads = [threading.Thread(target=searching, args=(user_id,), daemon=True)
               for user_id in (None, member.id, editor.id)[:THREADS]]
    for thread in threads:
        thread.start()
    started, rounds, edited = time.monotonic(), 0, []
    try:
        while (done[0] < SEARCHES or rounds < 20) and not failures \
                and time.monotonic() - started < DEADLINE:
            rounds += 1
            editor = db.session.get(User, editor_id)
            page = _page(public if rounds % 2 else private, editor, f"Note {rounds}",
                         f"Travaux de voirie, note {rounds}")
            edited.append(page.id)
            if len(edited) > 3:               # an older page edited, another binned
                older = db.session.get(Page, edited[-3])
                documents.update_page(older, title=older.title, body="Budget de la commune",
                                      body_format="text", by=editor,
                                      base_version=older.version)
                documents.delete_page(db.session.get(Page, edited.pop(0)), by=editor)
            search.drain()                    # the worker's round
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)
    assert not failures, failures[0]
    assert done[0] >= SEARCHES and rounds >= 20, (done[0], rounds)


def test_a_search_reads_what_its_searcher_saw_after_another_process_merged_it_away(tmp_path):
    """The worker is another process: its commit merges small segments into one and deletes
    their files while a web process still searches the commit before (for up to
    ``SEARCH_REFRESH_SECONDS``). The files Whoosh would open on first use (stored fields,
    lengths, columns) must be open already: gone from the disk, they cannot be opened."""
    web = WhooshBackend(str(tmp_path), refresh_seconds=3600)
    worker = WhooshBackend(str(tmp_path))
    epoch = datetime(2026, 1, 5)

    def save(n, body):
        worker.write([SearchDocument(key=f"page:{n}", type="page", title=f"Note {n}",
                                     body=body, url=f"/p/{n}", date=epoch + timedelta(days=n),
                                     space_id=1)], [])
    for n in range(5):                                   # five small segments
        save(n, f"cantine voirie {n}")
    visitor = Scope(signed_in=False, user_id=None, visible_space_ids=[1], member_space_ids=[])
    try:
        assert web.search(SearchRequest(text="zanzibar"), visitor).total == 0  # opens them
        before = set(os.listdir(tmp_path))
        save(9, "budget")                                # Whoosh merges the six
        assert not {name for name in before if name.endswith(".col")} & set(
            os.listdir(tmp_path)), "the worker's commit was expected to merge the segments"
        for sort in ("date", "relevance"):
            found = web.search(SearchRequest(text="cantine", sort=sort), visitor)
            assert sorted(hit.url for hit in found.hits) == [f"/p/{n}" for n in range(5)]
        web.refresh()
        assert web.search(SearchRequest(text="cantine OU budget"), visitor).total == 6
    finally:
        web.close()
        worker.close()


def test_a_web_process_sees_an_index_rebuilt_by_another_at_the_same_generation(tmp_path):
    """``flask search reindex`` (another process) empties the index and writes it again: its
    commits count from the start, so the rebuilt index may carry the very generation number a
    web process's searcher was opened on. The web process must still see the rebuilt index
    at its next refresh, not keep showing what was removed."""
    web = WhooshBackend(str(tmp_path), refresh_seconds=0)
    rebuild = WhooshBackend(str(tmp_path))
    epoch = datetime(2026, 1, 5)
    visitor = Scope(signed_in=False, user_id=None, visible_space_ids=[1], member_space_ids=[])

    def document(n, body):
        return SearchDocument(key=f"page:{n}", type="page", title=f"Note {n}", body=body,
                              url=f"/p/{n}", date=epoch + timedelta(days=n), space_id=1)
    try:
        rebuild.clear()
        rebuild.write([document(1, "cantine")], [])
        assert web.search(SearchRequest(text="cantine"), visitor).total == 1
        rebuild.clear()                                 # the rebuild starts again from zero
        rebuild.write([document(2, "voirie")], [])       # ... at the same generation
        assert web.search(SearchRequest(text="cantine"), visitor).total == 0
        assert [hit.url for hit in web.search(SearchRequest(text="voirie"), visitor).hits] \
            == ["/p/2"]
    finally:
        web.close()
        rebuild.close()


def _page(space, author, title, body):
    page = documents.create_page(space, title=title, body=body, body_format="text", by=author)
    documents.publish_page(page, by=author)
    return page
