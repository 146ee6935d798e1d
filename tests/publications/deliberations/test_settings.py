"""Each organisation's settings for its acts: SIRET (for the SCDL export) and, for communes under
3,500 inhabitants, the publication mode chosen by deliberation."""
from datetime import timedelta

from sqlalchemy import func, select

from intranet.accounts.models import OrgKind
from intranet.core.types import Role
from intranet.core.audit import AuditEvent
from intranet.extensions import db
from intranet.publications.deliberations.models import (DeliberationSettings, PublicationMode,
                                                        today_paris)

from ... import factories
from ...helpers import text
from .builders import make_act, valid_siret


def _post(client, org, **data):
    values = {"siret": "", "publication_mode": "electronique", "mode_chosen_on": "",
              "mode_deliberation_number": ""}
    values.update(data)
    return client.post(f"/deliberations/organisations/{org.slug}/parametres", data=values,
                       follow_redirects=True)


def test_small_commune_admin_records_posting_as_its_publication_mode(client, login):
    commune = factories.make_org("Saint-Pierre-de-Buzet", population=370)
    admin = factories.make_user(commune, Role.ADMIN)
    login(admin)
    assert "Mode de publication" in text(client.get(
        f"/deliberations/organisations/{commune.slug}/parametres"))

    refused = _post(client, commune, publication_mode="affichage")
    assert "Indiquez la date de la délibération qui a choisi ce mode" in text(refused)
    assert db.session.get(DeliberationSettings, commune.id) is None

    chosen_on = today_paris() - timedelta(days=30)
    saved = _post(client, commune, publication_mode="affichage",
                  mode_chosen_on=chosen_on.isoformat(), mode_deliberation_number="2022_015")
    assert "Paramètres des actes enregistrés." in text(saved)
    settings = db.session.get(DeliberationSettings, commune.id)
    assert settings.publication_mode == PublicationMode.POSTING
    assert settings.mode_chosen_on == chosen_on and settings.mode_deliberation_number == "2022_015"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "deliberation.settings_updated")) == 1
    client.post("/deconnexion")

    # Visitors are told how the commune's acts are made enforceable.
    page = text(client.get(f"/organisations/{commune.slug}"))
    assert "Affichage (en mairie)" in page
    act = make_act(commune, factories.make_user(commune, Role.EDITOR), publish=True)
    shown = text(client.get(f"/deliberations/{act.id}"))
    assert "a choisi la publication de ses actes par affichage" in shown


def test_larger_organisations_publish_electronically(client, login):
    town = factories.make_org("Agen", population=32000)
    login(factories.make_user(town, Role.ADMIN))
    page = text(client.get(f"/deliberations/organisations/{town.slug}/parametres"))
    assert "réservé aux communes de moins de 3 500 habitants" in page
    # Even a hand-made request cannot choose another mode.
    _post(client, town, publication_mode="papier", mode_chosen_on="2022-06-30")
    settings = db.session.get(DeliberationSettings, town.id)
    assert settings.publication_mode == PublicationMode.ELECTRONIC

    from intranet.publications.deliberations import services
    epci = factories.make_org("Agglomération d'Agen", kind=OrgKind.EPCI, population=1000)
    try:
        services.save_settings(epci, by=factories.make_user(epci, Role.ADMIN), siret=None,
                               publication_mode=PublicationMode.PAPER,
                               mode_chosen_on=today_paris(), mode_deliberation_number=None)
    except services.DeliberationError as exc:
        assert "Seules les communes de moins de 3 500 habitants" in str(exc)
    else:
        raise AssertionError("an EPCI may not choose paper publication")


def test_siret_is_checked(client, login):
    org = factories.make_org("Nérac", siren="214701955")
    login(factories.make_user(org, Role.ADMIN))
    assert "Ce SIRET n'existe pas : sa clé de contrôle est fausse" in text(_post(client, org, siret="21470195500017"))
    assert "Le SIRET compte 14 chiffres" in text(_post(client, org, siret="2147"))
    other = valid_siret("2000000000001")
    assert "doit commencer par le SIREN de l'organisation (214701955)" in text(
        _post(client, org, siret=other))
    assert db.session.get(DeliberationSettings, org.id) is None
    good = valid_siret("2147019550001")
    _post(client, org, siret=good[:3] + " " + good[3:])
    assert db.session.get(DeliberationSettings, org.id).siret == good


def test_only_the_organisations_admins_change_its_settings(client, login):
    org = factories.make_org("Nérac", population=7000)
    login(factories.make_user(org, Role.EDITOR))
    assert client.get(f"/deliberations/organisations/{org.slug}/parametres").status_code == 403
    assert _post(client, org, siret=valid_siret()).status_code == 403
    assert db.session.get(DeliberationSettings, org.id) is None
