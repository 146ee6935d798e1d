"""Aid alerts: a saved search of the directory mails each new matching aid once, and again only
when it changes; visitors confirm their address and unsubscribe without signing in."""
import json
import re
import time
from datetime import timedelta

import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import func, select

from intranet import access
from intranet.accounts.models import OrgKind
from intranet.core.types import Role, Visibility
from intranet.extensions import db
from intranet.mail.models import OutboxMessage
from intranet.publications.aids import alerts, services
from intranet.publications.aids.models import Aid, AidAlert, AlertFrequency

from ... import factories
from ...helpers import text
from . import aid_data, make_aid


@pytest.fixture
def dept():
    org = factories.make_org("Département de Lot-et-Garonne", kind=OrgKind.DEPARTEMENT)
    return org, factories.make_user(org, Role.EDITOR)


def _days_pass(days: float) -> None:
    """Move every stored moment of aids and alerts back: as if ``days`` had passed."""
    delta = timedelta(days=days)
    for aid in db.session.scalars(select(Aid)):
        aid.published_at = aid.published_at and aid.published_at - delta
        aid.updated_at = aid.updated_at - delta
    for alert in db.session.scalars(select(AidAlert)):
        for name in ("created_at", "confirmed_at", "last_sent_at", "confirmation_sent_at"):
            if getattr(alert, name):
                setattr(alert, name, getattr(alert, name) - delta)
    db.session.commit()


def _mails(to: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == to)
                                   .order_by(OutboxMessage.id)))


def _path(body: str, marker: str) -> str:
    return re.search(r"http://territoires\.test(/aides/alertes/" + marker + r"/\S+)",
                     body).group(1)


def _subscribe_as_visitor(client, email="lea@exemple.fr", query="theme=sport",
                          frequency="daily"):
    return client.post("/aides/alertes/nouvelle",
                       data={"query": query, "email": email, "frequency": frequency})


def test_a_visitor_confirms_then_gets_each_new_aid_once_and_again_when_changed(client, dept):
    org, editor = dept
    page = client.get("/aides/?theme=sport&etat=ouvertes")
    assert "Recevoir les nouvelles aides de cette recherche par courriel" in text(page)
    form = client.get("/aides/alertes/nouvelle?theme=sport&etat=ouvertes")
    assert "Thématique : Sport" in text(form) and 'name="email"' in form.get_data(as_text=True)
    answer = _subscribe_as_visitor(client)
    assert "Confirmez votre adresse" in text(answer)
    alert = db.session.scalar(select(AidAlert))
    assert alert.query == "theme=sport" and alert.confirmed_at is None and alert.user_id is None
    [confirmation] = _mails("lea@exemple.fr")
    link = _path(confirmation.body_text, "confirmer")

    sport = make_aid(org, editor, "Aide aux stades")
    make_aid(org, editor, "Aide aux musées", themes=["culture"])
    make_aid(org, editor, "Aide réservée au réseau", visibility=Visibility.NETWORK)
    make_aid(org, editor, "Aide en brouillon", publish=False)
    _days_pass(1)
    assert alerts.send_due() == 0                       # not confirmed: nothing is sent

    assert "Confirmer mon alerte" in text(client.get(link))
    assert alert.confirmed_at is None                   # a link followed confirms nothing
    assert "Alerte confirmée" in text(client.post(link))
    assert alert.confirmed_at is not None

    # Aids published before the confirmation are not news; one published after is.
    make_aid(org, editor, "Aide aux gymnases")
    _days_pass(1)
    assert alerts.send_due() == 1
    mail = _mails("lea@exemple.fr")[-1]
    assert "Aide aux gymnases" in mail.body_text and "Nouvelles aides" in mail.body_text
    for unseen in ("stades", "musées", "réseau", "brouillon"):
        assert unseen not in mail.body_text
    unsubscribe = f"http://territoires.test/aides/alertes/desabonnement/{alert.token}"
    assert unsubscribe in mail.body_text
    assert json.loads(mail.headers)["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert alerts.send_due() == 0                       # at most once a day
    _days_pass(1)
    assert alerts.send_due() == 0                       # due, but nothing new

    _days_pass(1)
    services.update_aid(sport, aid_data("Aide aux stades et terrains"), by=editor)
    network = db.session.scalar(select(Aid).where(Aid.title == "Aide réservée au réseau"))
    services.update_aid(network, aid_data("Aide réseau modifiée",
                                          visibility=Visibility.NETWORK), by=editor)
    assert alerts.send_due() == 1
    mail = _mails("lea@exemple.fr")[-1]
    assert "Aide aux stades et terrains" in mail.body_text and "(modifiée)" in mail.body_text
    assert "gymnases" not in mail.body_text and "réseau" not in mail.body_text
    _days_pass(1)
    assert alerts.send_due() == 0


def test_a_weekly_alert_waits_a_week_and_a_signed_in_one_sees_network_aids(client, login,
                                                                           dept):
    org, editor = dept
    agent = factories.make_user(factories.make_org("Agen"), email="agent@agen.fr")
    login(agent)
    page = text(client.get("/aides/"))
    assert "Mes alertes" in page
    answer = client.post("/aides/alertes/nouvelle",
                         data={"query": "theme=sport&q=stade", "frequency": "weekly"})
    assert answer.status_code == 302 and answer.location.endswith("/aides/alertes")
    alert = db.session.scalar(select(AidAlert))
    assert (alert.user_id, alert.email, alert.frequency) == (agent.id, "agent@agen.fr",
                                                             AlertFrequency.WEEKLY)
    assert alert.confirmed_at is not None and not _mails("agent@agen.fr")
    assert "Thématique : Sport" in text(client.get("/aides/alertes"))
    make_aid(org, editor, "Aide aux stades du réseau", visibility=Visibility.NETWORK)
    make_aid(org, editor, "Aide aux gymnases")          # not « stade »: not sent
    _days_pass(1)
    assert alerts.send_due() == 0
    _days_pass(6)
    assert alerts.send_due() == 1
    body = _mails("agent@agen.fr")[-1].body_text
    assert "Aide aux stades du réseau" in body and "gymnases" not in body
    assert "http://territoires.test/aides/alertes\n" in body    # « Modifier mes alertes »

    client.post(f"/aides/alertes/{alert.id}/frequence", data={"frequency": "daily"})
    assert alert.frequency == AlertFrequency.DAILY
    other = factories.make_user(factories.make_org("Nérac"))
    intruder = client.application.test_client()
    intruder.post("/connexion", data={"email": other.email, "password": factories.PASSWORD})
    assert intruder.post(f"/aides/alertes/{alert.id}/supprimer").status_code == 404
    assert intruder.post(f"/aides/alertes/{alert.id}/frequence",
                         data={"frequency": "weekly"}).status_code == 404
    client.post(f"/aides/alertes/{alert.id}/supprimer")
    assert db.session.scalar(select(func.count(AidAlert.id))) == 0


def test_unsubscribing_needs_no_sign_in_and_a_get_changes_nothing(client):
    alerts.subscribe("theme=eau", AlertFrequency.DAILY, email="paul@exemple.fr")
    alert = db.session.scalar(select(AidAlert))
    url = f"/aides/alertes/desabonnement/{alert.token}"
    page = client.get(url)
    assert page.status_code == 200 and "Me désabonner" in text(page)
    assert db.session.get(AidAlert, alert.id) is not None
    client.post(f"{url}/frequence", data={"frequency": "weekly"})
    assert alert.frequency == AlertFrequency.WEEKLY
    done = client.post(url)
    assert done.status_code == 200 and "Désabonnement enregistré" in text(done)
    assert db.session.scalar(select(func.count(AidAlert.id))) == 0
    again = client.post(url)
    assert again.status_code == 404 and "déjà été supprimée" in text(again)


@pytest.mark.parametrize("url", ["/aides/alertes/desabonnement/inconnu",
                                 "/aides/alertes/confirmer/inconnu",
                                 "/aides/alertes/desabonnement/" + "x" * 5000])
def test_an_invalid_link_answers_a_french_page(client, url):
    for answer in (client.get(url), client.post(url)):
        assert answer.status_code == 404 and "Ce lien ne fonctionne pas" in text(answer)


def test_an_expired_confirmation_link_says_so(client, monkeypatch):
    alerts.subscribe("", AlertFrequency.DAILY, email="lea@exemple.fr")
    eight_days_ago = int(time.time()) - 8 * 86400
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: eight_days_ago)
    token = alerts.confirmation_token(db.session.scalar(select(AidAlert)))
    monkeypatch.undo()
    answer = client.get(f"/aides/alertes/confirmer/{token}")
    assert answer.status_code == 404 and "Ce lien a expiré" in text(answer)


def test_subscribing_again_creates_no_duplicate_and_answers_the_same(client):
    first = text(_subscribe_as_visitor(client, query="theme=sport&beneficiaire=communes"))
    second = text(_subscribe_as_visitor(client, email="Lea@Exemple.fr",
                                        query="beneficiaire=communes&etat=a-venir&theme=sport"))
    assert first == second
    assert db.session.scalar(select(func.count(AidAlert.id))) == 1
    assert len(_mails("lea@exemple.fr")) == 1           # the link again, at most once an hour
    _days_pass(0.1)
    _subscribe_as_visitor(client, query="theme=sport&beneficiaire=communes")
    assert len(_mails("lea@exemple.fr")) == 2


def test_an_address_holds_ten_alerts_at_most(client, login):
    themes = list(services.THEMES)[:11]
    answers = {text(_subscribe_as_visitor(client, query=f"theme={theme}"))
               for theme in themes}
    assert len(answers) == 1                            # the 11th is told the same
    assert db.session.scalar(select(func.count(AidAlert.id))) == 10
    agent = factories.make_user(factories.make_org("Agen"), email="agent@agen.fr")
    login(agent)
    for theme in themes[:10]:
        client.post("/aides/alertes/nouvelle", data={"query": f"theme={theme}",
                                                     "frequency": "daily"})
    refused = client.post("/aides/alertes/nouvelle",
                          data={"query": f"theme={themes[10]}", "frequency": "daily"})
    assert "déjà 10 alertes" in text(refused)
    assert len(alerts.alerts_of(agent)) == 10


def test_a_bad_address_or_organisation_is_refused_in_french(client):
    assert "adresse électronique valide" in text(_subscribe_as_visitor(client, email="lea@"))
    answer = _subscribe_as_visitor(client, query="organisme=999999")
    assert "Cet organisme n'existe pas" in text(answer)
    assert db.session.scalar(select(func.count(AidAlert.id))) == 0


def test_unconfirmed_alerts_are_deleted_after_a_week(runner):
    alerts.subscribe("theme=eau", AlertFrequency.DAILY, email="old@exemple.fr")
    _days_pass(8)
    alerts.subscribe("theme=eau", AlertFrequency.DAILY, email="new@exemple.fr")
    result = runner.invoke(args=["aids", "alerts"])
    assert "1 alerte(s) non confirmée(s) supprimée(s)" in result.output
    assert db.session.scalars(select(AidAlert.email)).all() == ["new@exemple.fr"]


def test_one_alert_failing_does_not_stop_the_others(dept, monkeypatch):
    org, editor = dept
    first = factories.make_user(org, email="un@exemple.fr")
    second = factories.make_user(org, email="deux@exemple.fr")
    alerts.subscribe("", AlertFrequency.DAILY, user=first)
    alerts.subscribe("", AlertFrequency.DAILY, user=second)
    make_aid(org, editor, "Aide nouvelle")
    _days_pass(1)
    real = alerts.matching

    def failing(alert, since, until):
        if alert.email == "un@exemple.fr":
            raise RuntimeError("panne")
        return real(alert, since, until)
    monkeypatch.setattr(alerts, "matching", failing)
    assert alerts.send_due() == 1
    monkeypatch.setattr(alerts, "matching", real)
    assert alerts.send_due() == 1                       # the failed one stayed due
    assert _mails("un@exemple.fr") and _mails("deux@exemple.fr")


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_the_forms_carry_a_csrf_token(client, csrf_on):
    page = client.get("/aides/alertes/nouvelle?theme=sport").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    assert _subscribe_as_visitor(client).status_code == 400
    assert db.session.scalar(select(func.count(AidAlert.id))) == 0


def test_who_manages_an_alert(dept):
    org, _ = dept
    owner, other = factories.make_user(org), factories.make_user(org)
    alert = alerts.subscribe("", AlertFrequency.DAILY, user=owner)
    visitors = alerts.subscribe("", AlertFrequency.DAILY, email="lea@exemple.fr")
    assert visitors is None
    visitors = db.session.scalar(select(AidAlert).where(AidAlert.user_id.is_(None)))
    assert access.can_manage_aid_alert(owner, alert)
    assert not access.can_manage_aid_alert(other, alert)
    assert not access.can_manage_aid_alert(None, alert)
    assert access.can_manage_aid_alert(None, alert, token=alert.token)
    assert not access.can_manage_aid_alert(owner, visitors)       # a visitor's alert has no owner
    assert not access.can_manage_aid_alert(None, visitors, token=alert.token)
    assert access.can_manage_aid_alert(None, visitors, token=visitors.token)


def test_the_same_search_saved_twice_at_once_is_kept_once(client, monkeypatch):
    _subscribe_as_visitor(client)
    monkeypatch.setattr(alerts, "_saved", lambda email, query: None)   # both saw no alert yet
    answer = _subscribe_as_visitor(client)
    assert answer.status_code == 200 and "Confirmez votre adresse" in text(answer)
    assert db.session.scalar(select(func.count(AidAlert.id))) == 1
