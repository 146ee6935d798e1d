"""The managers' subscriber tools (CSV export, mass removal with confirmation) and a
subscriber changing their own address, confirmed by a link mailed to the new one."""
import csv
import io

from sqlalchemy import select

from intranet.core.audit import AuditEvent
from intranet.core.types import Role
from intranet.extensions import db
from intranet.lists import fanout, services
from intranet.lists.models import Subscriber
from intranet.mail.models import OutboxMessage

from .. import factories
from ..helpers import text
from . import builders


def _world():
    org = factories.make_org()
    admin = factories.make_user(org, Role.ADMIN)
    member = factories.make_user(org, Role.MEMBER, first_name="Léa", last_name="Martin")
    mlist = builders.make_list(factories.org_space(org), admin, name="parents",
                               title="Parents d'élèves")
    sub = services.subscribe_user(mlist, member)
    builders.add_outside(mlist, ["=HYPERLINK(1)@exemple.org", "garde@exemple.org",
                                 "parti@exemple.org", "ancien@exemple.org"])
    return mlist, admin, member, sub


def _url(mlist, tail=""):
    return f"/espaces/{mlist.space.slug}/listes/{mlist.name}{tail}"


def _emails(mlist):
    return sorted(db.session.scalars(select(Subscriber.email).where(
        Subscriber.list_id == mlist.id)))


def test_managers_download_the_subscribers_as_csv_with_formulas_neutralised(
        client, login, new_client):
    mlist, admin, member, _sub = _world()
    assert new_client(member).get(_url(mlist, "/abonnes.csv")).status_code == 403
    login(admin)
    assert "Télécharger la liste des abonnés (CSV)" in text(client.get(_url(mlist, "/abonnes")))
    response = client.get(_url(mlist, "/abonnes.csv"))
    assert response.status_code == 200
    assert 'filename="abonnes-parents.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    by_address = {row["adresse"]: row for row in rows}
    assert by_address[member.email.lower()]["nom"] == "Léa Martin"
    assert by_address[member.email.lower()]["compte intranet"] == "oui"
    assert by_address["'=hyperlink(1)@exemple.org"]["statut"] == "Actif"
    assert len(rows) == 5


def test_mass_removal_shows_whom_it_removes_then_removes_them_once_confirmed(client, login):
    mlist, admin, member, sub = _world()
    login(admin)
    page = text(client.post(_url(mlist, "/abonnes/retrait"), data={
        "addresses": "Parti <parti@exemple.org>\nancien@exemple.org, inconnu@exemple.org\n"
                     "pas-une-adresse", "ids": [str(sub.id)]}))
    assert "3 abonnés seront retirés" in page
    assert "parti@exemple.org" in page and "ancien@exemple.org" in page and "Léa Martin" in page
    assert "Pas abonnées à cette liste (rien à retirer) : inconnu@exemple.org" in page
    assert "pas-une-adresse" in page
    assert len(_emails(mlist)) == 5   # nothing removed before confirmation

    ids = [str(s.id) for s in db.session.scalars(select(Subscriber).where(
        Subscriber.email.in_(["parti@exemple.org", "ancien@exemple.org"])))]
    response = client.post(_url(mlist, "/abonnes/retrait"), data={"confirm": "1", "ids": ids})
    assert response.status_code == 302
    assert "2 abonnés retirés de la liste." in text(client.get(_url(mlist, "/abonnes")))
    assert _emails(mlist) == sorted(["=hyperlink(1)@exemple.org", "garde@exemple.org",
                                     member.email.lower()])
    entry = db.session.scalar(select(AuditEvent).where(AuditEvent.detail.like("%retiré(s)%")))
    assert "ancien@exemple.org" in entry.detail and "parti@exemple.org" in entry.detail


def test_a_person_of_the_intranet_receives_the_list_at_a_new_address_once_confirmed(
        client, login):
    mlist, admin, member, sub = _world()
    login(member)
    assert "Recevoir la liste à une autre adresse" in text(client.get(_url(mlist)))
    page = client.post(_url(mlist, "/adresse"), data={"email": "garde@exemple.org"})
    assert page.status_code == 400 and "déjà abonnée" in text(page)
    client.post(_url(mlist, "/adresse"), data={"email": "Lea.Perso@Exemple.net"})
    sent = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient == "lea.perso@exemple.net"))
    assert "Confirmez votre nouvelle adresse" in sent.subject
    link = next(w for w in sent.body_text.split() if "/listes/adresse/confirmer/" in w)
    path = link.replace("http://territoires.test", "")
    db.session.refresh(sub)
    assert sub.email == member.email.lower()   # nothing changes before the link is followed
    assert "Confirmer ma nouvelle adresse" in text(client.get(path))
    assert "arrivent désormais à" in text(client.post(path))

    services.post_from_web(mlist, admin, subject="Sortie scolaire", body="Le 12 mai.")
    fanout.run_fanout()
    recipients = {m.recipient for m in db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.subject.like("%Sortie scolaire%")))}
    assert "lea.perso@exemple.net" in recipients and member.email.lower() not in recipients
    assert client.get(path).status_code == 404   # a link serves once


def test_an_outside_subscriber_changes_address_from_the_link_of_each_message(client):
    mlist, admin, _member, _sub = _world()
    old = db.session.scalar(select(Subscriber).where(Subscriber.email == "garde@exemple.org"))
    services.post_from_web(mlist, admin, subject="Info", body="Texte")
    fanout.run_fanout()
    copy = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient == "garde@exemple.org"))
    footer = copy.body_text.split("Se désabonner ou changer d'adresse : ")[1].split()[0]
    unsubscribe = footer.replace("http://territoires.test", "")
    page = text(client.get(unsubscribe))
    change = next(part.split('"')[0] for part in page.split('href="')
                  if part.startswith("/listes/adresse/"))
    client.post(change, data={"email": "nouvelle@exemple.org"})
    sent = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient == "nouvelle@exemple.org"))
    link = next(w for w in sent.body_text.split() if "/listes/adresse/confirmer/" in w)
    client.post(link.replace("http://territoires.test", ""))
    db.session.refresh(old)
    assert old.email == "nouvelle@exemple.org"
    assert client.get("/listes/adresse/confirmer/faux-jeton").status_code == 404
    assert client.get("/listes/adresse/1-faux").status_code == 404
