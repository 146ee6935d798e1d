"""Attachments kept in the archive and sent with the post within the list's size limit (a
link to the archive beyond); the archive downloaded as mbox by its moderators, read back by
Python's ``mailbox`` module."""
import base64
import mailbox

from sqlalchemy import select

from intranet.core.types import Role
from intranet.extensions import db
from intranet.lists import services
from intranet.lists.models import ListMessage, PostingPolicy

from .. import factories
from ..helpers import text
from . import builders

PDF = b"%PDF-1.4\n" + b"0" * 3000 + b"\n%%EOF\n"


def _world(**settings):
    org = factories.make_org()
    admin = factories.make_user(org, Role.ADMIN)
    member = factories.make_user(org, Role.MEMBER)
    mlist = builders.make_list(factories.org_space(org), admin, posting=PostingPolicy.ANYONE,
                               name="voirie", title="Voirie", **settings)
    services.subscribe_user(mlist, member)
    builders.add_outside(mlist, ["lecteur@exemple.org"])
    return mlist, admin, member


def _with_pdf(sender, to, subject, body, name="plan.pdf", data=PDF):
    encoded = base64.encodebytes(data).decode().replace("\n", "\r\n")
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{name}@ex.fr>\r\n"
            'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\n'
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n--B\r\n"
            f'Content-Type: application/pdf\r\nContent-Disposition: attachment; '
            f'filename="{name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n{encoded}--B--\r\n')


def _url(mlist, tail=""):
    return f"/espaces/{mlist.space.slug}/listes/{mlist.name}{tail}"


def test_an_attachment_is_kept_in_the_archive_and_sent_to_the_subscribers(
        listener, smtp_sink, client, login):
    mlist, _admin, member = _world()
    assert listener.send(_with_pdf("auteur@exemple.org", mlist.address, "Plan des travaux",
                                   "Ci-joint le plan."), "auteur@exemple.org",
                         [mlist.address])[0] == 250
    message = db.session.scalar(select(ListMessage))
    builders.drain()
    copy = smtp_sink.sink.to("lecteur@exemple.org")[0]
    files = [(part.get_filename(), part.get_content()) for part in copy.iter_attachments()]
    assert files == [("plan.pdf", PDF)]
    assert "Ci-joint le plan." in copy.get_body(("plain",)).get_content()

    login(member)
    page = text(client.get(_url(mlist, f"/fils/{message.thread_id}")))
    link = _url(mlist, f"/pieces/{message.attachments[0].id}")
    assert f'href="{link}"' in page and "plan.pdf" in page
    download = client.get(link)
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    # who does not read the archive does not get the file
    stranger = factories.make_user(factories.make_org())
    client.post("/deconnexion")
    login(stranger)
    assert client.get(link).status_code == 404


def test_a_post_over_the_list_limit_is_sent_with_a_link_to_the_archive(
        listener, smtp_sink, client, login):
    mlist, admin, _member = _world()
    login(admin)
    settings = _url(mlist, "/parametres")
    assert 'value="2.0"' in text(client.get(settings))   # the default limit, in MB
    client.post(settings, data={"title": "Voirie", "description": "", "subscription_policy":
                                "open", "posting_policy": "anyone", "reply_to": "list",
                                "from_rewrite": "auto", "subject_prefix": "",
                                "bounce_threshold": "5", "max_forward_mb": "0"})
    assert 'value="0.0"' in text(client.get(settings))
    listener.send(_with_pdf("auteur@exemple.org", mlist.address, "Gros plan", "Voir pièce."),
                  "auteur@exemple.org", [mlist.address])
    message = db.session.scalar(select(ListMessage))
    builders.drain()
    copy = smtp_sink.sink.to("lecteur@exemple.org")[0]
    assert list(copy.iter_attachments()) == []
    body = copy.get_body(("plain",)).get_content()
    assert "trop volumineuses pour être envoyées par la liste" in body
    assert (f"plan.pdf (3 Ko) : http://territoires.test{_url(mlist)}/pieces/"
            f"{message.attachments[0].id}") in body


def test_a_file_uploads_would_refuse_is_named_but_not_kept(listener):
    mlist, _admin, _member = _world()
    listener.send(_with_pdf("auteur@exemple.org", mlist.address, "Programme", "Voir.",
                            name="virus.exe", data=b"MZ\x90\x00" * 10),
                  "auteur@exemple.org", [mlist.address])
    message = db.session.scalar(select(ListMessage))
    assert message.attachments == []
    assert "virus.exe" in message.attachments_note and "non conservées" in message.attachments_note


def test_moderators_download_the_archive_as_an_mbox_that_python_reads(
        listener, client, login, tmp_path, new_client):
    mlist, admin, member = _world()
    listener.send(_with_pdf("auteur@exemple.org", mlist.address, "Plan", "Le plan."),
                  "auteur@exemple.org", [mlist.address])
    services.post_from_web(mlist, member, subject="Trottoirs",
                           body="Bonjour,\nFrom the mayor: rien.\nFrom here on, prudence.")
    held = services.store_post(ListMessage(list_id=mlist.id, mailing_list=mlist,
                                           message_id=services.new_message_id(),
                                           subject="Retenu", sender_email="x@exemple.org",
                                           body_text="Pas encore publié"),
                               services.access.HOLD)
    assert held.status.value == "held"
    assert new_client(member).get(_url(mlist, "/archives.mbox")).status_code == 403
    login(admin)
    response = client.get(_url(mlist, "/archives.mbox"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/mbox"
    assert 'filename="voirie.mbox"' in response.headers["Content-Disposition"]
    path = tmp_path / "voirie.mbox"
    path.write_bytes(response.data)
    box = mailbox.mbox(path)
    messages = list(box)
    assert [m["Subject"] for m in messages] == ["Plan", "Trottoirs"]   # held one left out
    first, second = messages
    assert first.get_from().startswith("auteur@exemple.org ")
    pdf = [p for p in first.walk() if p.get_filename() == "plan.pdf"]
    assert pdf and pdf[0].get_payload(decode=True) == PDF
    body = second.get_payload(decode=True).decode("utf-8")
    # lines starting with « From » are escaped, so the message is not cut in two
    assert ">From the mayor: rien." in body and ">From here on, prudence." in body
    assert second["From"].endswith(f"<{member.email.lower()}>")
    assert second["Message-ID"] and second["List-Id"] == f"<{mlist.list_id}>"
    box.close()
