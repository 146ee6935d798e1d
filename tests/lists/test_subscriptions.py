"""Subscribing and unsubscribing: one-click links, double opt-in, mass subscription."""
import re
from datetime import timedelta

from sqlalchemy import func, select

from intranet.accounts.models import Membership
from intranet.core.types import Role, Visibility
from intranet.extensions import db
from intranet.lists import fanout, services
from intranet.lists.models import (DeliveryMode, Subscriber, SubscriberStatus,
                                   SubscriptionPolicy)
from intranet.mail.models import OutboxMessage
from intranet.notifications.models import Notification

from .. import factories
from ..helpers import text
from . import builders


def _public_list(**kwargs):
    admin = factories.make_user(factories.make_org(), Role.EDITOR)
    group = factories.make_group(admin, visibility=Visibility.PUBLIC)
    return builders.make_list(group, admin, **kwargs), admin


def test_the_one_click_unsubscribe_works_without_signing_in_and_only_for_its_address(client):
    mlist, _admin = _public_list()
    alice, bob = builders.add_outside(mlist, ["alice@exemple.org", "bob@exemple.org"])
    token = services.unsubscribe_token(alice)
    url = f"/listes/desabonnement/{token}"
    page = client.get(url)  # what a mail scanner following the link does: nothing changes
    assert page.status_code == 200 and "alice@exemple.org" in text(page)
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 2
    # RFC 8058: the mail client POSTs, without session nor CSRF token
    response = client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "Désabonnement effectué" in text(response)
    assert [s.email for s in db.session.scalars(select(Subscriber))] == ["bob@exemple.org"]
    # the same link cannot be turned against anybody else
    assert client.post(url).status_code == 404
    forged = f"{bob.id}-{token.split('-', 1)[1]}"
    assert client.post(f"/listes/desabonnement/{forged}").status_code == 404
    assert client.post(f"/listes/desabonnement/{bob.id}").status_code == 404
    assert [s.email for s in db.session.scalars(select(Subscriber))] == ["bob@exemple.org"]


def test_the_one_click_endpoint_ignores_csrf_even_when_it_is_enforced(app, client):
    mlist, _admin = _public_list()
    (alice,) = builders.add_outside(mlist, ["alice@exemple.org"])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(f"/listes/desabonnement/{services.unsubscribe_token(alice)}")
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0


def test_an_outside_address_is_subscribed_only_after_confirming_its_link(client):
    mlist, _admin = _public_list()
    response = client.post(f"/espaces/{mlist.space.slug}/listes/{mlist.name}/inscription",
                           data={"email": "Claire@Exemple.org"})
    assert response.status_code == 302
    sub = db.session.scalar(select(Subscriber))
    assert sub.email == "claire@exemple.org" and sub.status == SubscriberStatus.PENDING_CONFIRMATION
    confirmation = db.session.scalar(select(OutboxMessage))
    assert confirmation.recipient == "claire@exemple.org"
    link = re.search(r"http://territoires.test(/listes/confirmer/\S+)", confirmation.body_text)[1]
    assert "Confirmer mon abonnement" in text(client.get(link))
    db.session.refresh(sub)
    assert sub.status == SubscriberStatus.PENDING_CONFIRMATION  # following the link is not enough
    assert "est abonnée" in text(client.post(link))
    db.session.refresh(sub)
    assert sub.status == SubscriberStatus.ACTIVE and sub.confirmed_at is not None
    assert client.post(link).status_code == 404  # used


def test_a_confirmation_link_expires_and_asking_twice_does_not_flood(client):
    mlist, _admin = _public_list()
    services.request_outside_subscription(mlist, "x@exemple.org")
    services.request_outside_subscription(mlist, "x@exemple.org")
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    sub = db.session.scalar(select(Subscriber))
    token = services.confirmation_token(sub)
    sub.created_at -= timedelta(days=8)
    db.session.commit()
    assert client.post(f"/listes/confirmer/{token}").status_code == 404
    db.session.refresh(sub)
    assert sub.status == SubscriberStatus.PENDING_CONFIRMATION


def test_subscription_policies_open_on_request_and_closed(client, login):
    org = factories.make_org()
    admin = factories.make_user(org, Role.ADMIN)
    member = factories.make_user(org, Role.MEMBER)
    space = factories.org_space(org)
    open_list = builders.make_list(space, admin)
    on_request = builders.make_list(space, admin, subscription=SubscriptionPolicy.REQUEST)
    closed = builders.make_list(space, admin, subscription=SubscriptionPolicy.CLOSED)
    login(member)
    for mlist in (open_list, on_request, closed):
        client.post(f"/espaces/{space.slug}/listes/{mlist.name}/abonnement",
                    data={"delivery": "digest"})
    subs = {s.list_id: s for s in db.session.scalars(select(Subscriber))}
    assert subs[open_list.id].status == SubscriberStatus.ACTIVE
    assert subs[open_list.id].delivery == DeliveryMode.DIGEST
    assert subs[on_request.id].status == SubscriberStatus.PENDING_APPROVAL
    assert closed.id not in subs
    note = db.session.scalar(select(Notification).where(Notification.user_id == admin.id))
    assert note.kind == "lists.subscription_request"
    client.post("/deconnexion")
    login(admin)
    client.post(f"/espaces/{space.slug}/listes/{on_request.name}/abonnes/"
                f"{subs[on_request.id].id}/accepter")
    db.session.refresh(subs[on_request.id])
    assert subs[on_request.id].status == SubscriberStatus.ACTIVE


def test_mass_subscription_reports_bad_lines_in_french_and_adds_nobody(client, login):
    org = factories.make_org()
    admin = factories.make_user(org, Role.ADMIN)
    colleague = factories.make_user(org, Role.MEMBER, email="collegue@exemple.fr")
    outsider = factories.make_user(factories.make_org(), email="voisin@exemple.fr")
    mlist = builders.make_list(factories.org_space(org), admin)
    url = f"/espaces/{mlist.space.slug}/listes/{mlist.name}/abonnes"
    login(admin)
    page = text(client.post(url, data={"addresses": "ok@exemple.org\njean.dupont@\n"
                                                     "voisin@exemple.fr\n", "delivery": "each"}))
    assert "Ligne 2 : « jean.dupont@ » n'est pas une adresse électronique valide." in page
    assert "Ligne 3 :" in page and "n'a pas accès" in page  # a private space's list
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0
    page = text(client.post(url, data={
        "addresses": "ok@exemple.org\nMarie Curie <marie@exemple.org>\n\ncollegue@exemple.fr\n"
                     "OK@exemple.org", "delivery": "each", "confirm_outside": "y"}))
    assert "1 abonnement ajouté, 2 adresses invitées à confirmer" in page
    subs = {s.email: s for s in db.session.scalars(select(Subscriber))}
    assert subs["collegue@exemple.fr"].user_id == colleague.id
    assert subs["collegue@exemple.fr"].status == SubscriberStatus.ACTIVE
    assert subs["marie@exemple.org"].status == SubscriberStatus.PENDING_CONFIRMATION
    invitations = {m.recipient for m in db.session.scalars(select(OutboxMessage))}
    assert invitations == {"ok@exemple.org", "marie@exemple.org"}
    assert outsider.id not in {s.user_id for s in subs.values()}


def test_the_mailto_unsubscribe_address_removes_only_its_subscriber(listener):
    mlist, _admin = _public_list()
    alice, bob = builders.add_outside(mlist, ["alice@exemple.org", "bob@exemple.org"])
    target = f"{services.unsubscribe_mailto(alice)}"
    code, _ = listener.send(builders.email("alice@exemple.org", target, "unsubscribe", ""),
                            "alice@exemple.org", [target])
    assert code == 250
    assert [s.email for s in db.session.scalars(select(Subscriber))] == ["bob@exemple.org"]


def test_someone_who_leaves_a_private_space_stops_receiving_its_lists(client):
    org = factories.make_org()
    admin = factories.make_user(org, Role.ADMIN)
    leaver = factories.make_user(org, Role.MEMBER)
    stayer = factories.make_user(org, Role.MEMBER)
    mlist = builders.make_list(factories.org_space(org), admin)
    for person in (leaver, stayer):
        services.subscribe_user(mlist, person)
    db.session.delete(db.session.scalar(select(Membership).where(Membership.user_id == leaver.id)))
    db.session.commit()
    services.post_from_web(mlist, admin, subject="Budget", body="Confidentiel")
    fanout.run_fanout()
    assert {m.recipient for m in db.session.scalars(select(OutboxMessage))} == {stayer.email}


def test_outside_addresses_cannot_subscribe_themselves_to_a_private_list(client, login):
    org = factories.make_org()
    admin = factories.make_user(org, Role.ADMIN)
    mlist = builders.make_list(factories.org_space(org), admin)
    login(admin)
    client.post(f"/espaces/{mlist.space.slug}/listes/{mlist.name}/inscription",
                data={"email": "fuite@exemple.org"})
    assert db.session.scalar(select(func.count()).select_from(Subscriber)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
