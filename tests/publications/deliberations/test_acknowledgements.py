"""The préfecture's acknowledgements of many acts at once, from a CSV file: all or nothing,
every problem by its line; for the organisation's own acts only."""
import io
from datetime import timedelta

from sqlalchemy import func, select

from intranet.core.audit import AuditEvent
from intranet.core.types import Role
from intranet.extensions import db
from intranet.publications.deliberations.models import Deliberation, today_paris

from ... import factories
from ...helpers import text
from .builders import make_act

URL = "/deliberations/accuses-de-reception"


def _world():
    org = factories.make_org("Nérac")
    editor = factories.make_user(org, Role.EDITOR)
    day = today_paris() - timedelta(days=20)
    for number in ("2026_001", "2026_002"):
        make_act(org, editor, number=number, sitting_date=day, publish=True)
    return org, editor, day


def _send(client, org, content: str):
    return client.post(URL, data={"organisation": str(org.id),
                                  "file": (io.BytesIO(content.encode()), "ar.csv")})


def _acks() -> dict:
    db.session.expire_all()
    return {a.number: (a.transmitted_on, a.acknowledgement_id)
            for a in db.session.scalars(select(Deliberation))}


def test_editor_records_acknowledgements_of_many_acts(client, login):
    org, editor, day = _world()
    login(editor)
    sent = day + timedelta(days=2)
    response = _send(client, org, "numero;date_transmission;identifiant_accuse\n"
                     f"2026_001;{sent.strftime('%d/%m/%Y')};047-214700015-20260101-2026_001-DE\n"
                     f"2026_002;{sent.isoformat()};047-214700015-20260101-2026_002-DE\n")
    page = text(response)
    assert "2 accusés de réception enregistrés." in page
    assert "047-214700015-20260101-2026_002-DE" in page
    assert _acks() == {"2026_001": (sent, "047-214700015-20260101-2026_001-DE"),
                       "2026_002": (sent, "047-214700015-20260101-2026_002-DE")}
    act = db.session.scalar(select(Deliberation).where(Deliberation.number == "2026_001"))
    assert "047-214700015-20260101-2026_001-DE" in text(client.get(f"/deliberations/{act.id}"))
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "deliberation.acknowledgements_imported")) == 1


def test_one_bad_line_refuses_the_whole_file_with_every_problem_by_line(client, login):
    org, editor, day = _world()
    other = factories.make_org("Mézin")
    make_act(other, factories.make_user(other, Role.EDITOR), number="2026_777",
             sitting_date=day, publish=True)
    login(editor)
    sent = (day + timedelta(days=1)).strftime("%d/%m/%Y")
    response = _send(client, org, "numero,date_transmission,identifiant_accuse\n"
                     f"2026_001,{sent},AR-1\n"
                     f"2026_777,{sent},AR-2\n"
                     f"2026_002,31/02/2026,AR-3\n"
                     f"2026_001,{sent},AR-4\n"
                     f"2026_002,{(day - timedelta(days=1)).isoformat()},AR 5\n")
    page = text(response)
    assert "rien n'a été importé" in page
    assert "ligne 3, colonne « numero » : aucun acte n° 2026_777 de Nérac." in page
    assert "ligne 4, colonne « date_transmission » : date illisible « 31/02/2026 »" in page
    assert "ligne 5, colonne « numero » : l'acte n° 2026_001 est déjà à la ligne 2." in page
    assert ("ligne 6, colonne « date_transmission » : L'acte ne peut pas avoir été transmis en "
            "préfecture avant la séance") in page
    assert "ligne 6, colonne « identifiant_accuse »" in page
    assert all(value == (None, None) for value in _acks().values())


def test_plain_members_may_not_import_acknowledgements(client, login):
    org, editor, day = _world()
    login(factories.make_user(org, Role.MEMBER))
    assert client.get(URL).status_code == 403
    assert _send(client, org, "numero;date_transmission;identifiant_accuse\n"
                              f"2026_001;{day.isoformat()};AR-1\n").status_code == 403
    assert all(value == (None, None) for value in _acks().values())
