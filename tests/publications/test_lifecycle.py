"""The one life cycle, shown on each of the four publication types: publishing, publishing
twice, withdrawing, withdrawing a draft, who may do it, and what becomes of attached files."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Callable

import pytest
from flask import current_app
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from intranet.core import uploads
from intranet.core.audit import AuditEvent
from intranet.core.models import StoredFile
from intranet.core.timeutil import utcnow
from intranet.core.types import Role, Visibility
from intranet.core.uow import transaction
from intranet.extensions import db
from intranet.publications import publishing
from intranet.publications.aids import services as aids
from intranet.publications.lifecycle import PublicationStatus
from intranet.publications.press import services as press
from intranet.publications.procurement import services as procurement
from intranet.publications.procurement.models import Procedure
from intranet.search import services as search
from intranet.search.backends import SearchRequest
from intranet.spaces.models import Activity

from .. import factories
from ..helpers import text
from .aids import aid_data
from .deliberations.builders import PDF, age, make_act

TITLE = "Rénovation du gymnase intercommunal"
CODES = "code;libelle;parent\nT;Travaux;\nT01;Voirie;T\n"


@dataclass
class Kind:
    """One publication type as the tests drive it."""
    name: str
    make: Callable          # (org, editor) → a draft with one attachment, titled TITLE
    page: str               # the item's address, with {id}
    listing: str
    feed: str
    attachment_page: str    # an attachment's address, with {id} and {item}
    verb: str               # activity verb and audit action prefix


def _act(org, editor):
    return make_act(org, editor, subject=TITLE, annexes=1)


def _aid(org, editor):
    return aids.create_aid(org, aid_data(TITLE), by=editor, files=[(PDF, "reglement.pdf")])


def _notice(org, editor):
    procurement.import_nomenclature("Familles d'achat", CODES)
    return procurement.create_notice(org, procurement.NoticeData(
        title=TITLE, procedure=Procedure.ADAPTED, deadline=utcnow() + timedelta(days=30),
        codes="T01", visibility=Visibility.PUBLIC), by=editor, files=[(PDF, "rc.pdf")])


def _release(org, editor):
    return press.create_release(org, title=TITLE, release_date=utcnow().date(),
                                body="Le gymnase rouvre.", files=[(PDF, "dossier.pdf")],
                                by=editor)


KINDS = [
    Kind("deliberation", _act, "/deliberations/{id}", "/deliberations/",
         "/deliberations/flux.atom", "/deliberations/{id}/annexes/{item}", "deliberation"),
    Kind("aid", _aid, "/aides/{id}", "/aides/", "/aides/flux.atom",
         "/aides/{id}/documents/{item}", "aid"),
    Kind("notice", _notice, "/marches/avis/{id}", "/marches/", "/marches/flux.atom",
         "/marches/avis/{id}/documents/{item}", "procurement"),
    Kind("press", _release, "/communiques/{id}", "/communiques/", "/communiques/flux.atom",
         "/communiques/{id}/pieces-jointes/{item}", "press"),
]


@pytest.fixture(params=KINDS, ids=[k.name for k in KINDS])
def kind(request):
    return request.param


@pytest.fixture
def world():
    org = factories.make_org("Tonneins")
    return {"org": org, "editor": factories.make_user(org, Role.EDITOR),
            "member": factories.make_user(org, Role.MEMBER)}


@pytest.fixture
def index():
    """An empty search index (it outlives the tables emptied between tests)."""
    search.backend().clear()
    yield
    search.backend().clear()


def _found(user=None) -> int:
    search.drain()
    return search.query(user or AnonymousUserMixin(), SearchRequest(text="gymnase")).total


def _audited(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == action))


def _activity(verb: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Activity)
                             .where(Activity.verb == verb))


def _on_disk(storage_name: str) -> bool:
    return (Path(current_app.config["UPLOAD_DIR"]) / "files" / storage_name).exists()


def _published(kind, world):
    item = kind.make(world["org"], world["editor"])
    publishing.publish(item, by=world["editor"])
    if kind.name == "deliberation":
        age(item, 70)   # an act stays online two months before it may be withdrawn
    return item


def _hidden_from_visitors(client, url):
    """A signed-out visitor is sent to sign in, as for any address that is not public."""
    response = client.get(url)
    assert response.status_code == 302 and "/connexion?next=" in response.headers["Location"]
    assert TITLE not in text(response)


def test_publishing_puts_it_online_audited_announced_and_searchable(client, login, kind, world,
                                                                   index):
    item = kind.make(world["org"], world["editor"])
    _hidden_from_visitors(client, kind.page.format(id=item.id))
    assert _found(world["editor"]) == 0                  # drafts never reach the index

    login(world["editor"])
    response = client.post(kind.page.format(id=item.id) + "/publier", follow_redirects=True)
    assert response.status_code == 200
    client.post("/deconnexion")

    db.session.refresh(item)
    assert item.status == PublicationStatus.PUBLISHED and item.published_at is not None
    assert client.get(kind.page.format(id=item.id)).status_code == 200
    assert TITLE in text(client.get(kind.listing))
    assert TITLE in text(client.get(kind.feed))
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == f"{kind.verb}.published"))
    assert event.actor_id == world["editor"].id and event.organisation_id == world["org"].id
    assert _activity(f"{kind.verb}.published") == 1
    assert _found() == 1


def test_publishing_twice_is_refused_the_same_way_and_changes_nothing(client, login, kind,
                                                                      world):
    item = _published(kind, world)
    online_since = item.published_at
    login(world["editor"])
    response = client.post(kind.page.format(id=item.id) + "/publier", follow_redirects=True)
    assert "est déjà en ligne : rien n'a été changé." in text(response)
    with pytest.raises(publishing.PublicationError, match="déjà en ligne"):
        publishing.publish(item, by=world["editor"])
    db.session.refresh(item)
    assert item.is_published and item.published_at == online_since
    assert _audited(f"{kind.verb}.published") == 1 and _activity(f"{kind.verb}.published") == 1


def test_withdrawing_takes_it_out_of_lists_search_and_feeds(client, login, kind, world, index):
    item = _published(kind, world)
    assert _found() == 1
    login(world["editor"])
    response = client.post(kind.page.format(id=item.id) + "/retirer",
                           data={"motif": "Erreur de date"}, follow_redirects=True)
    assert response.status_code == 200
    db.session.refresh(item)
    assert item.status == PublicationStatus.WITHDRAWN
    client.post("/deconnexion")
    _hidden_from_visitors(client, kind.page.format(id=item.id))
    assert TITLE not in text(client.get(kind.listing))
    assert TITLE not in text(client.get(kind.feed))
    assert _found() == 0
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == f"{kind.verb}.withdrawn"))
    assert event.actor_id == world["editor"].id and event.detail == "Erreur de date"
    assert _activity(f"{kind.verb}.published") == 0     # its announcement went with it


def test_withdrawing_a_draft_is_refused_the_same_way(client, login, kind, world):
    item = kind.make(world["org"], world["editor"])
    login(world["editor"])
    response = client.post(kind.page.format(id=item.id) + "/retirer", follow_redirects=True)
    assert "n'est pas en ligne : il n'y a rien à retirer." in text(response)
    with pytest.raises(publishing.PublicationError, match="rien à retirer"):
        publishing.withdraw(item, by=world["editor"])
    db.session.refresh(item)
    assert item.status == PublicationStatus.DRAFT and _audited(f"{kind.verb}.withdrawn") == 0


def test_a_non_editor_gets_403_on_publish_and_withdraw(client, login, kind, world):
    draft = kind.make(world["org"], world["editor"])
    online = _published(kind, world) if kind.name != "deliberation" else None
    login(world["member"])          # a member of the publisher: sees both, writes neither
    assert client.post(kind.page.format(id=draft.id) + "/publier").status_code == 403
    assert client.post(kind.page.format(id=draft.id) + "/retirer").status_code == 403
    if online is not None:
        assert client.post(kind.page.format(id=online.id) + "/retirer").status_code == 403
    db.session.refresh(draft)
    assert draft.status == PublicationStatus.DRAFT
    assert _audited(f"{kind.verb}.published") == (0 if online is None else 1)


def test_removing_an_attachment_deletes_its_file(client, login, kind, world):
    item = kind.make(world["org"], world["editor"])
    attachment = publishing.attachments_of(item)[0]
    stored, file_id = attachment.file.storage_name, attachment.file_id
    assert _on_disk(stored)
    login(world["editor"])
    address = kind.attachment_page.format(id=item.id, item=attachment.id)
    assert f'action="{address}/supprimer"' in text(client.get(
        kind.page.format(id=item.id) if kind.name in ("aid", "notice")
        else kind.page.format(id=item.id) + "/modifier"))
    assert client.get(address).status_code == 200
    assert client.post(address + "/supprimer").status_code == 302
    db.session.expire_all()
    assert publishing.attachments_of(item) == [] and not _on_disk(stored)
    assert db.session.get(StoredFile, file_id) is None      # its row went with it
    assert client.get(address).status_code == 404


def test_a_failed_transaction_leaves_no_file_on_disk(kind, world):
    item = kind.make(world["org"], world["editor"])
    folder = Path(current_app.config["UPLOAD_DIR"]) / "files"
    before = set(folder.iterdir())
    kept = publishing.attachments_of(item)[0].file.storage_name
    with pytest.raises(RuntimeError), transaction():
        publishing.attach(item, (PDF, "nouveau.pdf"), by=world["editor"])
        publishing.remove_attachment(item, publishing.attachments_of(item)[0],
                                     by=world["editor"])
        raise RuntimeError("the change fails after its files were written and removed")
    assert set(folder.iterdir()) == before and _on_disk(kept)
    db.session.refresh(item)
    assert len(publishing.attachments_of(item)) == 1


def test_the_publishers_are_one_list(world):
    from intranet import access
    other = factories.make_org("Marmande")
    other.is_active = False
    factories.add_membership(world["editor"], other, Role.ADMIN)   # an organisation closed
    assert access.publishing_organisations(world["editor"]) == [world["org"]]
    assert access.publishing_organisations(world["member"]) == []
    assert access.publishing_organisations(AnonymousUserMixin()) == []


def test_an_upload_refused_midway_keeps_nothing(world):
    """Press releases take several files at once: all are kept, or none."""
    folder = Path(current_app.config["UPLOAD_DIR"]) / "files"
    folder.mkdir(parents=True, exist_ok=True)
    before = set(folder.iterdir())
    with pytest.raises(uploads.UploadError):
        press.create_release(world["org"], title=TITLE, release_date=utcnow().date(),
                             body="Texte.", by=world["editor"],
                             files=[(PDF, "bon.pdf"), (b"MZ\x90\x00", "faux.pdf")])
    assert set(folder.iterdir()) == before


def test_the_announcement_follows_the_visibility_it_is_saved_with(kind, world):
    item = _published(kind, world)
    item.visibility = Visibility.NETWORK
    publishing.follow_visibility(item)
    db.session.commit()
    line = db.session.scalar(select(Activity).where(Activity.verb == f"{kind.verb}.published"))
    assert line.visibility == Visibility.NETWORK


def test_the_form_reads_the_item_with_what_it_shows_in_one_statement(kind, world, client,
                                                                      login):
    """Every type's form loads the item with its attachments, tags or codes: one statement
    besides the person's (the values kept across requests reused, as from the second page)."""
    from ..helpers import count_queries
    item = kind.make(world["org"], world["editor"])
    login(world["editor"])
    url = kind.page.format(id=item.id) + "/modifier"
    assert client.get(url).status_code == 200
    assert count_queries(client, url, reach_kept=True, counters_kept=True,
                         values_kept=True) == 2, url
