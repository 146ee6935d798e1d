"""The accessibility statement follows the RGAA model (issue 12.10): « non conforme » until an
audit is recorded, then the level the audit's rate gives, shown on every page's footer."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from intranet.core import accessibility
from intranet.core.audit import AuditEvent
from intranet.core.timeutil import utcnow
from intranet.extensions import db

from .. import factories
from ..helpers import text


@pytest.mark.parametrize("rate, level", [
    (None, "non conforme"), (Decimal("0"), "non conforme"), (Decimal("49.99"), "non conforme"),
    (Decimal("50"), "partiellement conforme"), (Decimal("99.99"), "partiellement conforme"),
    (Decimal("100"), "totalement conforme"),
])
def test_the_rgaa_rule_gives_the_level(rate, level):
    assert accessibility.compliance_level(rate) == level


def test_without_an_audit_the_site_is_declared_non_compliant(client):
    page = " ".join(text(client.get("/accessibilite")).split())
    assert "<strong>non conforme</strong>" in page and "le site n'a pas encore été audité" in page
    assert "Établie le" in page and "5 décembre 2026" in page
    assert "Accessibilité : non conforme" in text(client.get("/"))


def test_the_statement_names_the_contact_and_the_defenseur_des_droits(client, app):
    app.config["ACCESSIBILITY_CONTACT_URL"] = "https://exemple.fr/contact-accessibilite"
    try:
        page = text(client.get("/accessibilite"))
    finally:
        app.config["ACCESSIBILITY_CONTACT_URL"] = None
    assert 'href="mailto:accessibilite@territoires47.fr"' in page
    assert 'href="https://exemple.fr/contact-accessibilite"' in page
    assert 'href="https://formulaire.defenseurdesdroits.fr/"' in page
    assert 'href="https://www.defenseurdesdroits.fr/saisir/delegues"' in page
    assert "Défenseur des droits<br>Libre réponse 71120<br>75342 Paris CEDEX 07" in page


def _record(admin, **fields):
    values = dict(audited_on=date(2026, 11, 2), auditor="Cabinet Access47",
                  compliance_rate=Decimal("76.5"),
                  non_compliances="- Les graphiques des tableaux de bord n'ont pas d'alternative\n\n"
                                  "Certains PDF anciens ne sont pas balisés",
                  derogations="Les plans cadastraux numérisés", by=admin)
    values.update(fields)
    return accessibility.record_audit(**values)


def test_a_recorded_audit_gives_the_level_the_date_and_the_content_not_accessible(client):
    admin = factories.make_user(platform_admin=True)
    _record(admin)
    page = text(client.get("/accessibilite"))
    assert "<strong>partiellement conforme</strong>" in page
    assert "<strong>76,5 %</strong>" in page and "Cabinet Access47" in page
    assert "<li>Les graphiques des tableaux de bord n'ont pas d'alternative</li>" in page
    assert "<li>Certains PDF anciens ne sont pas balisés</li>" in page
    assert "<li>Les plans cadastraux numérisés</li>" in page
    assert f"Établie le <time datetime=\"{utcnow().date().isoformat()}\">" in page
    assert "Accessibilité : partiellement conforme" in text(client.get("/"))
    _record(admin, compliance_rate=Decimal("100"), non_compliances="", derogations="")
    assert "Accessibilité : totalement conforme" in text(client.get("/accessibilite"))
    _record(admin, compliance_rate=Decimal("31"))
    assert "Accessibilité : non conforme" in text(client.get("/"))
    assert db_events() == 3


def db_events() -> int:
    return len(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "accessibility.audit_recorded")).all())


def test_impossible_audits_are_refused():
    admin = factories.make_user(platform_admin=True)
    tomorrow = utcnow().date() + timedelta(days=1)
    for fields in ({"compliance_rate": Decimal("100.5")}, {"compliance_rate": Decimal("-1")},
                   {"auditor": "  "}, {"audited_on": tomorrow},
                   {"statement_date": date(2026, 10, 1)}):
        with pytest.raises(accessibility.AccessibilityError):
            _record(admin, **fields)
    assert accessibility.latest_audit() is None and db_events() == 0


def test_the_platform_admin_records_an_audit_in_the_form(client, login):
    login(factories.make_user(platform_admin=True))
    form = text(client.get("/admin/accessibilite"))
    assert "Aucun audit enregistré." in form
    response = client.post("/admin/accessibilite", data={
        "audited_on": "2026-11-02", "auditor": "Cabinet Access47", "compliance_rate": "76,5 %",
        "non_compliances": "Les graphiques n'ont pas d'alternative"})
    assert response.status_code == 302
    assert "partiellement conforme" in text(client.get(response.headers["Location"]))
    assert accessibility.latest_audit().compliance_rate == Decimal("76.50")
    refused = text(client.post("/admin/accessibilite", data={
        "audited_on": "2026-11-02", "auditor": "X", "compliance_rate": "cent"}))
    assert "Saisissez un nombre" in refused
    refused = text(client.post("/admin/accessibilite", data={
        "audited_on": "2026-11-02", "auditor": "X", "compliance_rate": "120"}))
    assert "entre 0 et 100" in refused


def test_only_the_platform_admin_records_audits(client, login):
    org = factories.make_org()
    login(factories.make_user(org, platform_admin=False))
    assert client.get("/admin/accessibilite").status_code == 403
    assert client.post("/admin/accessibilite", data={
        "audited_on": "2026-11-02", "auditor": "X", "compliance_rate": "100"}).status_code == 403
    assert accessibility.latest_audit() is None


def test_the_footer_claims_nothing_when_the_database_does_not_answer(data_app, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def down(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("connexion refusée"))
    monkeypatch.setattr(db.session, "scalar", down)
    with data_app.test_request_context("/"):
        assert accessibility.current_level() == "non conforme"
