"""Approval that reaches people: the space's editors are told of a page waiting for them and
find it on « En attente de ma validation » (with a count in the header); its author is told
of the decision, with the comment when it is sent back."""
from sqlalchemy import select

from intranet.core.types import Role
from intranet.documents import services
from intranet.documents.models import Page, PageStatus
from intranet.extensions import db
from intranet.mail.models import OutboxMessage

from .. import factories
from ..helpers import text, visible_text


def _mails(to):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == to)
                              .order_by(OutboxMessage.id)).all()


def _world():
    org = factories.make_org("Layrac")
    space = factories.org_space(org)
    space.pages_need_approval = True
    db.session.commit()
    editor = factories.make_user(org, Role.EDITOR, first_name="Élise")
    author = factories.make_user(org, Role.MEMBER, first_name="Marc")
    other_member = factories.make_user(org, Role.MEMBER)
    return org, space, editor, author, other_member


def _propose(client, login, space, author, title="Fête du village"):
    login(author)
    client.post(f"/espaces/{space.slug}/pages/nouvelle",
                data={"title": title, "body": "Samedi à 15 h", "body_format": "text"})
    page = db.session.scalar(select(Page).where(Page.title == title))
    client.post(f"/espaces/{space.slug}/pages/{page.id}/publier")
    client.post("/deconnexion")
    return page


def test_the_editor_is_notified_of_a_pending_page_and_finds_it_waiting(client, login):
    org, space, editor, author, other_member = _world()
    page = _propose(client, login, space, author)
    [mail] = _mails(editor.email)
    assert "Page à valider : Fête du village" in mail.subject
    assert f"/espaces/{space.slug}/pages/{page.id}" in mail.body_text
    assert not _mails(other_member.email) and not _mails(author.email)
    login(editor)
    home = visible_text(client.get("/"))
    assert "À valider 1 page en attente de votre validation" in home
    waiting = text(client.get("/a-valider/"))
    assert "Fête du village" in waiting and "Marc" in waiting and space.name in waiting
    assert "Page à valider : Fête du village" in text(client.get("/notifications/"))


def test_the_waiting_list_spans_every_space_where_i_edit_and_nothing_else(client, login):
    org, space, editor, author, _ = _world()
    other = factories.make_org("Astaffort")
    other_space = factories.org_space(other)
    other_space.pages_need_approval = True
    db.session.commit()
    stranger = factories.make_user(other, Role.MEMBER)
    factories.add_membership(editor, other, Role.EDITOR)
    foreign_org = factories.make_org("Nérac")
    foreign_space = factories.org_space(foreign_org)
    foreign_space.pages_need_approval = True
    db.session.commit()
    foreigner = factories.make_user(foreign_org, Role.MEMBER)
    _propose(client, login, space, author, "Marché de Noël")
    _propose(client, login, other_space, stranger, "Travaux de voirie")
    _propose(client, login, foreign_space, foreigner, "Secret de Nérac")
    login(editor)
    waiting = text(client.get("/a-valider/"))
    assert "Marché de Noël" in waiting and "Travaux de voirie" in waiting
    assert "Secret de Nérac" not in waiting
    assert "À valider 2 pages en attente de votre validation" in visible_text(client.get("/"))
    client.post("/deconnexion")
    login(author)
    assert "À valider" not in text(client.get("/"))
    assert "Rien n'attend votre validation." in text(client.get("/a-valider/"))


def test_sending_back_tells_the_author_with_the_comment_and_approval_tells_them_too(client, login):
    org, space, editor, author, _ = _world()
    page = _propose(client, login, space, author)
    login(editor)
    client.post(f"/espaces/{space.slug}/pages/{page.id}/renvoyer",
                data={"comment": "Précisez le lieu du rendez-vous."})
    [sent_back] = _mails(author.email)
    assert "Page renvoyée pour correction : Fête du village" in sent_back.subject
    assert "Précisez le lieu du rendez-vous." in sent_back.body_text
    assert "Rien n'attend votre validation." in text(client.get("/a-valider/"))
    client.post("/deconnexion")
    login(author)
    assert "Page renvoyée pour correction : Fête du village" in text(client.get("/notifications/"))
    assert "Précisez le lieu du rendez-vous." in text(
        client.get(f"/espaces/{space.slug}/pages/{page.id}"))
    client.post(f"/espaces/{space.slug}/pages/{page.id}/publier")
    client.post("/deconnexion")
    login(editor)
    client.post(f"/espaces/{space.slug}/pages/{page.id}/approuver")
    db.session.refresh(page)
    assert page.status == PageStatus.PUBLISHED
    assert "Page publiée : Fête du village" in _mails(author.email)[-1].subject


def test_an_approval_refused_changes_nothing_and_tells_no_one(client, login):
    org, space, editor, author, _ = _world()
    page = services.create_page(space, title="Brouillon", body="", body_format="text", by=author)
    login(editor)
    response = client.post(f"/espaces/{space.slug}/pages/{page.id}/approuver",
                           follow_redirects=True)
    assert "n'attend pas d'approbation" in text(response)
    assert not _mails(author.email)
