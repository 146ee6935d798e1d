"""Where a space's files need approval, members upload too: their file is seen by them and the
space's editors only (not by the other members, not by search) until an editor approves it;
the editors are told, and the author is told of the decision."""
import io

from sqlalchemy import select

from intranet.core.types import Role
from intranet.documents import services
from intranet.documents.models import Document
from intranet.extensions import db
from intranet.mail.models import OutboxMessage
from intranet.search import services as search
from intranet.search.backends import SearchRequest

from .. import factories
from ..helpers import text, visible_text

PLAN = b"%PDF-1.4\n% plan cadastral de la parcelle\n%%EOF\n"


def _mails(to):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == to)
                              .order_by(OutboxMessage.id)).all()


def _world(files_need_approval=True):
    org = factories.make_org("Foulayronnes")
    space = factories.org_space(org)
    space.files_need_approval = files_need_approval
    db.session.commit()
    editor = factories.make_user(org, Role.EDITOR, first_name="Hélène")
    author = factories.make_user(org, Role.MEMBER, first_name="Karim")
    reader = factories.make_user(org, Role.MEMBER)
    return space, editor, author, reader


def _upload(client, space, name="plan-cadastral.pdf"):
    return client.post(f"/espaces/{space.slug}/documents/envoyer",
                       data={"file": (io.BytesIO(PLAN), name), "folder": ""},
                       content_type="multipart/form-data", follow_redirects=True)


def test_a_member_s_file_waits_for_an_editor_and_only_they_see_it(client, login, new_client):
    space, editor, author, reader = _world()
    login(author)
    response = _upload(client, space)
    assert "les membres le verront une fois validé" in text(response)
    assert "plan-cadastral.pdf" in text(client.get(f"/espaces/{space.slug}/documents"))
    document = db.session.scalar(select(Document))
    assert document.pending_approval
    assert [m.subject for m in _mails(editor.email)] == ["Fichier à valider : plan-cadastral.pdf"]
    other = new_client(reader)
    assert "plan-cadastral.pdf" not in text(other.get(f"/espaces/{space.slug}/documents"))
    assert other.get(f"/espaces/{space.slug}/documents/{document.id}").status_code == 404
    assert other.get(f"/espaces/{space.slug}/documents/{document.id}/telecharger"
                     ).status_code == 404
    search.drain()
    assert search.query(reader, SearchRequest(text="cadastral")).total == 0
    boss = new_client(editor)
    assert "À valider 1 fichier en attente de votre validation" in visible_text(boss.get("/"))
    waiting = text(boss.get("/a-valider/"))
    assert "plan-cadastral.pdf" in waiting and "Karim" in waiting
    assert other.post(f"/espaces/{space.slug}/documents/{document.id}/valider"
                      ).status_code == 403
    db.session.expire_all()
    assert db.session.get(Document, document.id).pending_approval
    response = boss.post(f"/espaces/{space.slug}/documents/{document.id}/valider",
                         follow_redirects=True)
    assert "Fichier validé" in text(response)
    assert other.get(f"/espaces/{space.slug}/documents/{document.id}/telecharger").data == PLAN
    assert "Fichier validé : plan-cadastral.pdf" in _mails(author.email)[-1].subject
    search.drain()
    assert search.query(reader, SearchRequest(text="cadastral")).total == 1


def test_a_refused_file_goes_to_the_bin_and_its_author_reads_why(client, login, new_client):
    space, editor, author, reader = _world()
    login(author)
    _upload(client, space)
    document = db.session.scalar(select(Document))
    boss = new_client(editor)
    url = f"/espaces/{space.slug}/documents/{document.id}/refuser"
    assert "Expliquez à l'auteur" in text(boss.post(url, data={"comment": ""},
                                                    follow_redirects=True))
    boss.post(url, data={"comment": "Ce plan n'est pas à jour : prenez celui de 2026."})
    db.session.expire_all()
    assert db.session.get(Document, document.id).deleted_at is not None
    [mail] = [m for m in _mails(author.email) if "refusé" in m.subject]
    assert "prenez celui de 2026" in mail.body_text
    assert "plan-cadastral.pdf" not in text(client.get(f"/espaces/{space.slug}/documents"))


def test_without_the_setting_members_cannot_upload_and_editors_publish_at_once(client, login):
    space, editor, author, reader = _world(files_need_approval=False)
    login(author)
    assert _upload(client, space).status_code == 403
    client.post("/deconnexion")
    login(editor)
    assert "est en ligne" in text(_upload(client, space))
    assert not db.session.scalar(select(Document)).pending_approval


def test_an_editor_s_file_needs_no_approval_and_a_pending_one_cannot_be_shared(client, login):
    space, editor, author, reader = _world()
    pending = services.upload(space, None, (PLAN, "attente.pdf"), by=author)
    login(editor)
    assert "est en ligne" in text(_upload(client, space, "direct.pdf"))
    assert not db.session.scalar(select(Document).where(Document.name == "direct.pdf")
                                 ).pending_approval
    assert client.post(f"/espaces/{space.slug}/documents/{pending.id}/partages",
                       data={"expires_on": "01/01/2030"}).status_code == 403


def test_the_space_admin_turns_the_setting_on(client, login):
    org = factories.make_org("Bon-Encontre")
    group_admin = factories.make_user(org, Role.EDITOR)
    group = factories.make_group(group_admin, name="Projet médiathèque")
    login(group_admin)
    page = text(client.get(f"/espaces/{group.slug}/parametres"))
    assert "Les fichiers déposés par les membres sont soumis à validation" in page
    client.post(f"/espaces/{group.slug}/parametres", data={
        "name": group.name, "description": "", "visibility": "members",
        "join_policy": "request", "files_need_approval": "y"})
    db.session.refresh(group)
    assert group.files_need_approval
