"""Search, on each backend: French analysis, query syntax, and above all permission filtering
inside the query — a hit count or a snippet never reveals what the person may not read."""
from datetime import date

import pytest
import sqlalchemy
from sqlalchemy import func, select, update

from intranet.accounts.models import User
from intranet.core.types import Role, Visibility
from intranet.publications.lifecycle import PublicationStatus
from intranet.documents import services as documents
from intranet.extensions import db
from intranet.publications.press.models import PressRelease
from intranet.search import services as search
from intranet.search.backends import NO_WORD, ONLY_STOP_WORDS, QueryError, SearchRequest
from intranet.search.models import SearchQueue
from intranet.spaces import services as spaces
from intranet.spaces.models import JoinPolicy

from .. import factories
from ..helpers import recorded_statements
from ..helpers import text



def _anon():
    from flask_login import AnonymousUserMixin
    return AnonymousUserMixin()


def _page(space, author, title, body, **kwargs):
    page = documents.create_page(space, title=title, body=body, body_format="text", by=author,
                                 **kwargs)
    documents.publish_page(page, by=author)
    return page


def _find(user, text_, **kwargs):
    return search.query(user or _anon(), SearchRequest(text=text_, **kwargs))


@pytest.fixture
def world(search_backend):
    org = factories.make_org("Agen")
    editor = factories.make_user(org, Role.EDITOR)
    public = factories.make_group(editor, name="Vie locale", visibility=Visibility.PUBLIC,
                                  join_policy=JoinPolicy.OPEN)
    return {"org": org, "editor": editor, "public": public, "private": factories.org_space(org)}


def test_accents_plurals_and_case_are_ignored(world):
    _page(world["public"], world["editor"], "Délibérations du conseil", "Les élus ont voté.")
    search.drain()
    for query in ("deliberation", "DÉLIBÉRATION", "délibérations", "elus", "CONSEILS"):
        assert _find(None, query).total == 1, query


def test_exact_phrase_prefix_and_title_field(world):
    _page(world["public"], world["editor"], "Budget primitif", "Le plan local d'urbanisme est adopté.")
    _page(world["public"], world["editor"], "Subventions aux associations", "Le local du club.")
    search.drain()
    assert _find(None, '"plan local"').total == 1
    assert _find(None, "subven*").total == 1
    assert _find(None, "titre:budget").total == 1
    assert _find(None, "titre:urbanisme").total == 0
    assert _find(None, "local").total == 2
    assert _find(None, "local SAUF club").total == 1
    assert _find(None, "budget OU subventions").total == 2


def test_a_member_of_b_finds_nothing_of_a_private_page_not_even_a_count(world):
    _page(world["private"], world["editor"], "Contentieux", "Dossier xylophone confidentiel")
    search.drain()
    outsider = factories.make_user(factories.make_org("Agmé"), Role.ADMIN)
    found = _find(outsider, "xylophone")
    assert found.total == 0 and found.hits == [] and found.types == {}
    assert found.organisations == {} and found.years == {}
    assert _find(None, "xylophone").total == 0
    colleague = factories.make_user(world["org"], Role.MEMBER)
    assert _find(colleague, "xylophone").total == 1


def test_a_space_made_private_disappears_from_anonymous_results_at_once(world):
    _page(world["public"], world["editor"], "Fête locale", "Feu d'artifice au bord du lot")
    search.drain()
    assert _find(None, "artifice").total == 1
    world["public"].visibility = Visibility.MEMBERS
    db.session.commit()          # no index write needed: visibility is checked at query time
    assert _find(None, "artifice").total == 0


def test_a_page_narrowed_to_members_disappears_before_the_index_is_updated(world):
    page = _page(world["public"], world["editor"], "Compte rendu", "Réunion sur la voirie")
    search.drain()
    assert _find(None, "voirie").total == 1
    documents.update_page(page, title=page.title, body="Réunion sur la voirie", body_format="text",
                          by=world["editor"], base_version=page.version,
                          visibility=Visibility.MEMBERS)
    assert _find(None, "voirie").total == 0       # pending change: left out at once
    search.drain()
    assert _find(None, "voirie").total == 0       # and the index now agrees
    assert _find(world["editor"], "voirie").total == 1


@pytest.mark.parametrize("group_visibility", [Visibility.PUBLIC, Visibility.NETWORK])
def test_a_page_narrowed_to_members_is_not_found_by_a_signed_in_non_member(world,
                                                                           group_visibility):
    """Inside a group anyone signed in may see, a page narrowed to its members is found by
    its members only: not by a signed-in person of the network who is not one (nor by a
    visitor), not even as a count, a facet or a suggestion."""
    group = factories.make_group(world["editor"], name="Voirie partagée",
                                 visibility=group_visibility, join_policy=JoinPolicy.OPEN)
    _page(group, world["editor"], "Compte rendu interne", "Réunion sur le giratoire",
          visibility=Visibility.MEMBERS)
    _page(group, world["editor"], "Compte rendu public", "Réunion sur le parking")
    search.drain()
    outsider = factories.make_user(factories.make_org("Nérac"), Role.ADMIN)
    member = factories.make_user(factories.make_org("Layrac"), Role.MEMBER)
    spaces.join(group, member)
    for person in (outsider, None):
        found = _find(person, "giratoire")
        assert found.total == 0 and found.hits == [] and found.types == {}
        assert found.years == {} and found.suggestion is None
        titles = [hit.title for hit in _find(person, "réunion").hits]
        assert "Compte rendu interne" not in titles
        assert _find(person, "giratoir").suggestion is None     # the word is not known
    assert [hit.title for hit in _find(outsider, "réunion").hits] == ["Compte rendu public"]
    for person in (member, world["editor"]):
        found = _find(person, "giratoire")
        assert [hit.title for hit in found.hits] == ["Compte rendu interne"], person
        assert _find(person, "réunion").total == 2


def test_drafts_never_reach_the_index(world):
    documents.create_page(world["public"], title="Projet", body="brouillon zanzibar",
                          body_format="text", by=world["editor"])
    search.drain()
    assert _find(world["editor"], "projet", types=["page"]).total == 0
    assert _find(world["editor"], "zanzibar").total == 0


def test_changes_are_queued_with_their_transaction_only(world):
    page = documents.create_page(world["public"], title="Annulée", body="x", body_format="text",
                                 by=world["editor"])
    search.drain()
    page.title = "Changement abandonné"
    db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SearchQueue)) == 0


def test_a_failed_index_write_keeps_the_change_queued(world, monkeypatch):
    _page(world["public"], world["editor"], "Cantine", "Menus de la cantine scolaire")
    backend = search.backend()

    def broken(*args, **kwargs):
        raise OSError("disque plein")
    monkeypatch.setattr(backend, "write", broken)
    with pytest.raises(OSError):
        search.process_queue()
    row = db.session.scalars(select(SearchQueue)).first()
    assert row.attempts == 1 and "disque plein" in row.last_error
    monkeypatch.undo()
    search.drain()
    assert _find(None, "cantine").total == 1


def test_facets_count_only_what_the_person_may_see(world):
    _page(world["public"], world["editor"], "Marché de Noël", "Artisans et marché")
    _page(world["private"], world["editor"], "Marché public", "Consultation marché voirie")
    documents.upload(world["public"], None, (b"%PDF-1.4\n", "marche-plan.pdf"), by=world["editor"],
                     description="Plan du marché")
    search.drain()
    anonymous = _find(None, "marché")
    assert anonymous.total == 2 and anonymous.types == {"page": 1, "document": 1}
    member = _find(world["editor"], "marché")
    assert member.total == 3 and member.types == {"page": 2, "document": 1}
    only_pages = _find(world["editor"], "marché", types=["page"])
    assert only_pages.total == 2


def test_text_of_attached_pdf_is_searchable(world):
    documents.upload(world["public"], None, (_pdf_with_text("Reglement du cimetiere communal"),
                                              "reglement.pdf"), by=world["editor"])
    search.drain()
    assert _find(None, "cimetière").total == 1


def test_a_binned_folder_takes_its_documents_out_of_search(world):
    folder = documents.create_folder(world["public"], "Archives", None, by=world["editor"])
    documents.upload(world["public"], folder, (b"%PDF-1.4\n", "ancien-tarif.pdf"),
                     by=world["editor"])
    search.drain()
    assert _find(None, "tarif").total == 1
    documents.delete_folder(folder, by=world["editor"])
    assert _find(None, "tarif").total == 0
    search.drain()
    assert _find(None, "tarif").total == 0


@pytest.mark.parametrize("query, expected", [
    ('"plan local', {1}),                      # the unbalanced quote is dropped: both words
    ("plan (((", {1}), ("*", {NO_WORD}), ("titre:", {NO_WORD}), ("OU", {NO_WORD}),
    ("SAUF SAUF", {NO_WORD}), ("(((", {NO_WORD}), ("\x00", {NO_WORD}), (":*", {NO_WORD}),
    ("x" * 10_000, {0}),                       # its first 300 characters: one unknown word
    ("le la", {ONLY_STOP_WORDS}),
    # « les » and « a » are stop words to PostgreSQL, words to Whoosh: found in nothing here
    ("le la les", {0, ONLY_STOP_WORDS}), ("a*", {0, ONLY_STOP_WORDS}),
])
def test_odd_queries_get_the_page_or_a_french_explanation(world, query, expected):
    """What a person sees for an odd query: the page it names, no result, or the sentence
    that says why (more in test_query_syntax.py)."""
    _page(world["public"], world["editor"], "Plan", "plan local")
    search.drain()
    try:
        found = _find(None, query)
    except QueryError as exc:
        assert str(exc) in expected, query[:40]
    else:
        assert found.total in expected and len(found.hits) == found.total, query[:40]
        assert all(hit.title == "Plan" for hit in found.hits)


def test_results_page_highlights_and_escapes(client, world):
    _page(world["public"], world["editor"], "Voirie <b>urgente</b>", "Travaux de voirie rue Thiers")
    search.drain()
    raw = client.get("/recherche?q=voirie").get_data(as_text=True)
    page = text(client.get("/recherche?q=voirie"))
    assert "<mark>voirie</mark>" in raw.lower()
    assert "<b>urgente</b>" not in raw and "&lt;b&gt;urgente" in raw  # the title is escaped
    assert "1 résultat" in page or "<strong>1</strong> résultat" in page
    huge = client.get("/recherche?q=" + "a" * 10_000)
    assert huge.status_code == 200 and "300 premiers caractères" in text(huge)
    assert client.get('/recherche?q="plan').status_code == 200
    assert "Saisissez au moins un mot" in text(client.get("/recherche?q=*"))


def test_search_results_link_to_pages_the_person_can_open(client, login, world):
    page = _page(world["private"], world["editor"], "Conseil", "Ordre du jour du conseil")
    search.drain()
    login(factories.make_user(world["org"], Role.MEMBER))
    results = text(client.get("/recherche?q=conseil"))
    assert f"/espaces/{world['private'].slug}/pages/{page.id}" in results
    assert client.get(f"/espaces/{world['private'].slug}/pages/{page.id}").status_code == 200


def _pdf_with_text(words: str) -> bytes:
    """A one-page PDF whose content stream draws ``words`` (enough for pypdf to read back)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({words}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_publications_are_searchable_once_published_only(world):
    release = PressRelease(title="Inauguration de la médiathèque", release_date=date(2026, 11, 2),
                           body_html="<p>Ouverture au public samedi.</p>",
                           organisation=world["org"], visibility=Visibility.PUBLIC)
    db.session.add(release)
    db.session.commit()
    search.drain()
    assert _find(None, "médiathèque").total == 0          # a draft
    release.status = PublicationStatus.PUBLISHED
    db.session.commit()
    search.drain()
    found = _find(None, "mediatheque")
    assert found.total == 1 and found.hits[0].url == f"/communiques/{release.id}"
    release.visibility = Visibility.NETWORK
    db.session.commit()
    search.drain()
    assert _find(None, "médiathèque").total == 0
    assert _find(world["editor"], "médiathèque").total == 1


def test_a_bulk_statement_reaches_the_index_through_remove(world):
    release = PressRelease(title="Fermeture de la piscine", release_date=date(2026, 11, 2),
                           body_html="<p>Travaux.</p>", organisation=world["org"],
                           visibility=Visibility.PUBLIC, status=PublicationStatus.PUBLISHED)
    db.session.add(release)
    db.session.commit()
    search.drain()
    assert _find(None, "piscine").total == 1
    db.session.execute(update(PressRelease).where(PressRelease.id == release.id)
                       .values(status=PublicationStatus.WITHDRAWN))   # no session event
    search.remove(release)
    db.session.commit()
    assert _find(None, "piscine").total == 0      # pending: masked at once
    search.drain()
    assert _find(None, "piscine").total == 0      # and gone from the index


def test_organisations_are_found_by_anyone_and_people_by_signed_in_people_only(world):
    person = factories.make_user(world["org"], Role.MEMBER, first_name="Martine",
                                 last_name="Lafon")
    search.drain()
    assert _find(None, "agen", types=["organisation"]).total == 1
    assert _find(None, "lafon").total == 0
    found = _find(world["editor"], "lafon")
    assert found.total == 1 and found.hits[0].url == f"/personnes/{person.id}"
    assert "Agen" in found.hits[0].snippet
    other = factories.make_org("Agnac")
    factories.add_membership(person, other)
    search.drain()
    assert "Agnac" in _find(world["editor"], "lafon").hits[0].snippet


def test_signing_in_does_not_index_the_person_again_but_a_new_name_does(world, client,
                                                                          login):
    person = factories.make_user(world["org"], Role.MEMBER, first_name="Martine",
                                 last_name="Lafon")
    search.drain()

    def queued():
        return set(db.session.scalars(select(SearchQueue.key)))
    login(person)                          # its last sign-in written, the lock lifted
    assert f"person:{person.id}" not in queued()
    person.last_name = "Lafon-Barrère"
    db.session.commit()
    assert f"person:{person.id}" in queued()
    search.drain()
    assert _find(world["editor"], "barrere").total == 1


def test_a_new_attachment_makes_its_page_searchable_by_its_text(world):
    page = _page(world["public"], world["editor"], "Règlement", "Voir la pièce jointe.")
    search.drain()
    documents.attach_to_page(page, (_pdf_with_text("Horaires de la decheterie"), "horaires.pdf"),
                             by=world["editor"])
    search.drain()
    assert _find(None, "déchèterie").total == 1


def test_a_suggestion_never_comes_from_what_the_person_may_not_read(world):
    _page(world["private"], world["editor"], "Personnel", "Entretien avec monsieur Dupontel")
    search.drain()
    found = _find(None, "dupontal")
    assert found.total == 0 and found.suggestion is None


def test_a_misspelt_word_gets_a_suggestion_spelt_as_in_the_documents(world, client):
    _page(world["public"], world["editor"], "Délibérations du conseil", "Le budget est voté.")
    _page(world["public"], world["editor"], "Budget annexe", "Délibération sur le budget.")
    search.drain()
    assert _find(None, "deliberasion").suggestion == "délibération"
    assert _find(None, "budjet annexe").suggestion == "budget annexe"
    assert _find(None, "titre:budjet").suggestion == "titre:budget"
    assert _find(None, "budget").suggestion is None          # found: nothing to suggest
    page = text(client.get("/recherche?q=deliberasion"))
    assert 'Vouliez-vous dire : <a href="/recherche?q=d%C3%A9lib%C3%A9ration">délibération</a>' \
        in page


def test_a_word_of_a_private_page_is_neither_suggested_nor_known_to_others(world):
    _page(world["private"], world["editor"], "Personnel", "Entretien avec monsieur Dupontel")
    _page(world["public"], world["editor"], "Fête", "Le stand de madame Dupontal")
    search.drain()
    # « dupontel » is in the index, but not for a visitor: treated as unknown, corrected to
    # what the visitor may read; for the colleague it is known and found
    assert _find(None, "dupontel").suggestion == "dupontal"
    colleague = factories.make_user(world["org"], Role.MEMBER)
    found = _find(colleague, "dupontel")
    assert found.total == 1 and found.suggestion is None


def test_a_full_reindex_rebuilds_what_the_queue_built(world, runner):
    _page(world["public"], world["editor"], "Bibliothèque", "Horaires de la bibliothèque")
    _page(world["private"], world["editor"], "Budget", "Réunion budgétaire interne")
    search.drain()
    editor_id = world["editor"].id
    before = (_find(None, "bibliotheque").total, _find(world["editor"], "budget").total)
    search.backend().clear()
    assert _find(None, "bibliotheque").total == 0
    result = runner.invoke(args=["search", "reindex", "--procs", "1"])
    assert result.exit_code == 0, result.output
    assert "documents indexés" in result.output
    search.backend().refresh()
    editor = db.session.get(User, editor_id)  # the rebuild let go of every loaded object
    assert (_find(None, "bibliotheque").total, _find(editor, "budget").total) == before
    assert _find(None, "budget").total == 0


def test_words_found_everywhere_rank_the_most_recent_documents_and_say_so(world, search_backend,
                                                                          app, data_app, client):
    if search_backend != "postgres":
        pytest.skip("le classement des seuls documents récents est celui du moteur PostgreSQL")
    # the statistics of a table analysed while empty (0 rows, not -1) until autovacuum comes
    # again: they must not make a full table look small
    db.session.execute(sqlalchemy.text("ANALYZE search_entry"))
    db.session.commit()
    pages = [_page(world["public"], world["editor"], f"Voirie {n}", "Travaux de voirie.")
             for n in range(5)]
    hidden = _page(world["private"], world["editor"], "Voirie interne", "Voirie du personnel.")
    search.drain()
    assert _find(None, "voirie").total == 5 and _find(None, "voirie").most_recent is None
    for flask_app in (app, data_app):
        flask_app.config.update(SEARCH_PG_EXACT_UP_TO=0, SEARCH_PG_RANKED_MOST=3)
    try:
        found = _find(None, "voirie", sort="date")
        # the three most recent the visitor may read; the private page, newer, is not one
        assert found.most_recent == 3 and found.total == 3
        assert [hit.title for hit in found.hits] == [p.title for p in reversed(pages[2:])]
        assert hidden.title not in {hit.title for hit in found.hits}
        page = text(client.get("/recherche?q=voirie"))
        assert "<strong>Plus de 3</strong> résultats" in page and "les 3 plus récents" in page
        # a rarer word than the estimate said: every match, counted exactly
        data_app.config["SEARCH_PG_RANKED_MOST"] = 10
        assert _find(None, "voirie").total == 5 and _find(None, "voirie").most_recent is None
    finally:
        for flask_app in (app, data_app):
            flask_app.config.update(SEARCH_PG_EXACT_UP_TO=15_000, SEARCH_PG_RANKED_MOST=1_000)


def test_a_search_served_by_the_index_opens_no_transaction_and_still_masks_pending_changes(
        world, search_backend, monkeypatch):
    """PostgreSQL: a search reads the writer's queue with its first statement, and runs in
    autocommit unless the planner would read the whole (large) table; then reads are priced
    as from memory for the search statement only, with the same results."""
    if search_backend != "postgres":
        pytest.skip("moteur PostgreSQL seulement")
    from psycopg.pq import TransactionStatus

    from intranet.search.backends import postgres as engine
    pages = [_page(world["public"], world["editor"], f"Piscine {n}", "Horaires de la piscine.")
             for n in range(3)]
    search.drain()
    db.session.commit()
    with recorded_statements() as statements:
        assert _find(None, "piscine").total == 3
        status = db.session.connection().connection.driver_connection.pgconn.transaction_status
        assert status == TransactionStatus.IDLE, statements
        assert not any("SET LOCAL" in s or ("search_queue" in s and "numnode" not in s)
                       for s in statements)           # the queue read with the first one
        statements.clear()
        monkeypatch.setattr(engine, "WHOLE_TABLE_COST", -1)   # as if the table were large
        monkeypatch.setattr(engine, "_reads_whole", lambda plan, table: True)
        assert _find(None, "piscine").total == 3
        assert [s for s in statements if "random_page_cost" in s] == [
            "SET LOCAL random_page_cost = 1.1", "SET LOCAL random_page_cost TO DEFAULT"]
    db.session.rollback()
    pages[0].title = "Bassin"
    db.session.commit()                                   # queued, not yet applied
    assert _find(None, "piscine").total == 2              # the pending page is left out


def test_a_plan_reads_the_table_whole_only_by_a_sequential_scan_of_a_large_table():
    from intranet.search.backends.postgres import WHOLE_TABLE_COST, _reads_whole
    large, small = WHOLE_TABLE_COST * 10, WHOLE_TABLE_COST / 10
    seq = {"Node Type": "Seq Scan", "Relation Name": "search_entry", "Total Cost": large}
    assert _reads_whole(seq, "search_entry")
    assert not _reads_whole({**seq, "Total Cost": small}, "search_entry")
    assert not _reads_whole({**seq, "Relation Name": "space"}, "search_entry")
    assert _reads_whole({"Node Type": "Aggregate", "Plans": [{"Node Type": "Hash Join",
                         "Plans": [{"Node Type": "Index Scan"}, seq]}]}, "search_entry")
    assert not _reads_whole({"Node Type": "Bitmap Heap Scan", "Relation Name": "search_entry",
                             "Total Cost": large,
                             "Plans": [{"Node Type": "Bitmap Index Scan"}]}, "search_entry")


def test_a_search_of_a_small_index_asks_no_estimate_and_names_organisations_with_its_counts(
        world, search_backend, monkeypatch):
    """PostgreSQL: the planner's statistics say the index is small, so the search asks no
    estimate of its matches (no EXPLAIN); the organisations of the facets are named with the
    counts, as the index files them (no statement of their own). A large index is estimated."""
    if search_backend != "postgres":
        pytest.skip("moteur PostgreSQL seulement")
    from sqlalchemy import text as sql

    from intranet.search.backends import postgres as engine
    for n in range(3):
        _page(world["private"], world["editor"], f"Piscine {n}", "Horaires de la piscine.")
    search.drain()
    db.session.execute(sql("ANALYZE search_entry"))
    db.session.commit()
    with recorded_statements() as statements:
        found = _find(world["editor"], "piscine")
        assert found.total == 3
        assert found.organisations == {world["org"].id: ("Agen", 3)}
        assert not any(s.lstrip().startswith("EXPLAIN") for s in statements), statements
        assert not any(s.startswith("SELECT organisation.id, organisation.name")
                       for s in statements), statements
        statements.clear()
        monkeypatch.setattr(engine, "WHOLE_TABLE_COST", 0)     # as if the table were large
        assert _find(world["editor"], "piscine").total == 3
        assert any(s.lstrip().startswith("EXPLAIN") for s in statements)


def test_a_search_is_one_statement_and_a_misspelt_one_two(world, search_backend, client,
                                                          login, request):
    """PostgreSQL: the matches come with what tells whether they count (stop words, exclusions
    only, the writer's queue, the table's size) in one statement; « Vouliez-vous dire » asks
    who holds the words and their candidates in one more, the candidates being kept by the
    process until the index is written again; a pending change found by the statement is left
    out by running it once more."""
    if search_backend != "postgres":
        pytest.skip("moteur PostgreSQL seulement")
    from sqlalchemy import text as sql
    pages = [_page(world["public"], world["editor"], f"Budget {n}", "Le budget annexe voté.")
             for n in range(3)]
    search.drain()
    db.session.execute(sql("ANALYZE search_entry"))    # small: no estimate asked
    db.session.commit()
    login(world["editor"])
    client.get("/recherche?q=budget")       # the process's first search reads the table's size

    def searches(statements):
        return [s for s in statements if "search_" in s and "search_queue (" not in s]
    with client.application.app_context():
        served_by = db.engine
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)
    sqlalchemy.event.listen(served_by, "before_cursor_execute", record)
    request.addfinalizer(lambda: sqlalchemy.event.remove(served_by, "before_cursor_execute",
                                                         record))
    with recorded_statements() as written:
        assert "<strong>3</strong> résultats" in text(client.get("/recherche?q=budget"))
        assert len(searches(statements)) == 1, statements
        statements.clear()
        page = text(client.get("/recherche?q=budjet+annexe"))
        assert "Vouliez-vous dire" in page and "budget annexe" in page
        # the matches, the candidates of « budjet » and « annexe », who holds them all, and
        # how the holder spells « budget »
        assert len(searches(statements)) == 5, statements
        statements.clear()
        assert "budget annexe" in text(client.get("/recherche?q=budjet+annexe"))
        assert len(searches(statements)) == 3, statements     # the candidates kept
        # a new word in the index: the candidates are read again, and it can be suggested
        _page(world["public"], world["editor"], "Bujet", "Le bujet des fêtes.")
        search.drain()
        statements.clear()
        client.get("/recherche?q=budjet+annexe")
        assert len(searches(statements)) == 5, statements
        pages[0].title = "Compte administratif"
        db.session.commit()
        written.clear()
        # the changed page is left out until the writer applies it: asked once more, masked
        found = _find(world["editor"], "budget")
        assert found.total == 2 and f"page:{pages[0].id}" not in {hit.key for hit in found.hits}
        assert len([s for s in written if s.startswith("WITH matched")]) == 2, written
