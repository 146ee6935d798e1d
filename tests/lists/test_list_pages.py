"""Creating and setting up a list from the web, and the LMTP flavour of the listener."""
import socket

from sqlalchemy import select

from intranet.core.types import Role
from intranet.extensions import db
from intranet.lists.listener import make_controller
from intranet.lists.models import ListMessage, MailingList, PostingPolicy, QuarantinedMail

from .. import factories
from ..helpers import text
from . import builders
from .conftest import free_port

FORM = {"title": "Secrétaires de mairie", "description": "Entraide", "subscription_policy": "open",
        "posting_policy": "members", "reply_to": "list", "from_rewrite": "auto",
        "subject_prefix": "", "bounce_threshold": "5"}


def test_a_space_admin_creates_a_list_and_a_member_cannot(client, login):
    org = factories.make_org()
    admin = factories.make_user(org, Role.ADMIN)
    member = factories.make_user(org, Role.MEMBER)
    space = factories.org_space(org)
    url = f"/espaces/{space.slug}/listes/nouvelle"
    login(member)
    assert client.get(url).status_code == 403
    assert client.post(url, data=dict(FORM, name="secretaires")).status_code == 403
    client.post("/deconnexion")
    login(admin)
    page = text(client.post(url, data=dict(FORM, name="Secrétaires!")))
    assert "ne peut contenir que des lettres minuscules" in page
    page = text(client.post(url, data=dict(FORM, name="postmaster")))
    assert "est réservée" in page
    response = client.post(url, data=dict(FORM, name="secretaires"))
    assert response.status_code == 302
    mlist = db.session.scalar(select(MailingList))
    assert mlist.address == "secretaires@lists.territoires47.fr"
    page = text(client.post(url, data=dict(FORM, name="secretaires")))
    assert "est déjà prise" in page
    assert "secretaires@lists.territoires47.fr" in text(client.get("/listes"))

    settings = f"/espaces/{space.slug}/listes/secretaires/parametres"
    assert 'selected value="members"' in client.get(settings).get_data(as_text=True)
    client.post(settings, data=dict(FORM, posting_policy="moderated", bounce_threshold="0"))
    db.session.refresh(mlist)
    assert mlist.posting_policy == PostingPolicy.MEMBERS  # 0 refused, nothing changed
    client.post(settings, data=dict(FORM, posting_policy="moderated", subject_prefix="[SdM]"))
    db.session.refresh(mlist)
    assert mlist.posting_policy == PostingPolicy.MODERATED and mlist.subject_prefix == "[SdM]"


def test_the_moderation_page_shows_quarantined_mail_of_the_list(client, login, listener):
    org = factories.make_org()
    admin = factories.make_user(org, Role.ADMIN)
    mlist = builders.make_list(factories.org_space(org), admin, posting="anyone")
    listener.send("From: a@exemple.org\r\nContent-Type: multipart/mixed\r\n\r\nsans frontiere\r\n",
                  "a@exemple.org", [mlist.address])
    assert db.session.scalar(select(QuarantinedMail.reason)).startswith("MIME invalide")
    login(admin)
    page = text(client.get(f"/espaces/{mlist.space.slug}/listes/{mlist.name}/moderation"))
    assert "mis en quarantaine" in page and "MIME invalide" in page


def _lmtp(port, sender, recipients, data: bytes) -> list[str]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        stream = sock.makefile("rwb")

        def reply():
            lines = []
            while True:
                line = stream.readline().decode().rstrip()
                lines.append(line)
                if line[3:4] != "-":
                    return lines

        def send(command):
            stream.write(command.encode() + b"\r\n")
            stream.flush()
        reply()
        send("LHLO test.example")
        reply()
        send(f"MAIL FROM:<{sender}>")
        reply()
        for rcpt in recipients:
            send(f"RCPT TO:<{rcpt}>")
            assert reply()[0].startswith("250")
        send("DATA")
        reply()
        stream.write(data.replace(b"\r\n.", b"\r\n..") + b"\r\n.\r\n")
        stream.flush()
        answers = [reply()[0] for _ in recipients]
        send("QUIT")
        return answers


def test_the_lmtp_listener_answers_for_each_recipient(app):
    org = factories.make_org()
    admin = factories.make_user(org, Role.ADMIN)
    space = factories.org_space(org)
    open_list = builders.make_list(space, admin, posting="anyone")
    members_only = builders.make_list(space, admin, posting="members")
    port = free_port()
    controller = make_controller(app, "127.0.0.1", port, lmtp=True)
    controller.start()
    try:
        answers = _lmtp(port, "x@exemple.org", [open_list.address, members_only.address],
                        builders.email("x@exemple.org", open_list.address, "LMTP", "Bonjour")
                        .encode())
    finally:
        controller.stop()
    assert answers[0].startswith("250") and answers[1].startswith("550")
    assert db.session.scalar(select(ListMessage.list_id)) == open_list.id


def test_a_secretary_creates_a_list_answering_three_plain_questions(client, login):
    org = factories.make_org()
    admin = factories.make_user(org, Role.ADMIN)
    space = factories.org_space(org)
    url = f"/espaces/{space.slug}/listes/nouvelle"
    login(admin)
    page = text(client.get(url))
    main = page[page.index('<form method="post"'):page.index('<details class="advanced"')]
    for question in ("Nom de la liste", "Qui peut s'abonner ?", "Qui peut écrire à la liste ?"):
        assert question in main
    for technical in ("DMARC", "Adresse de la liste", "erreurs de distribution", "objet"):
        assert technical not in main
    assert '<details class="advanced">' in page and "<summary>Réglages avancés</summary>" in page
    plain = {"title": "Secrétaires du canton d'Astaffort", "subscription_policy": "request",
             "posting_policy": "members"}
    assert client.post(url, data=plain).status_code == 302
    assert client.post(url, data=plain).status_code == 302
    lists = db.session.scalars(select(MailingList).order_by(MailingList.id)).all()
    assert [m.name for m in lists] == ["secretaires-du-canton-d-astaffort",
                                       "secretaires-du-canton-d-astaffort-2"]
    first = lists[0]
    assert (first.reply_to.value, first.from_rewrite.value, first.bounce_threshold,
            first.subject_prefix) == ("list", "auto", 5, "")
    # a mistake in an advanced setting opens the section, so that it is seen
    page = text(client.post(url, data=dict(plain, bounce_threshold="0")))
    assert '<details class="advanced" open>' in page and "Entre 1 et 100." in page
