"""Links shared with someone outside the network (an architect, a contractor): one document's
current version, until an expiry date, with an optional password; revocable; every download
counted and in the audit log; never a way into anything else."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from intranet.core import limits
from intranet.core.audit import AuditEvent
from intranet.core.timeutil import today_paris, utcnow
from intranet.core.types import Role
from intranet.documents import services
from intranet.documents.models import ShareLink
from intranet.extensions import db

from .. import factories
from ..helpers import text

PLAN = b"%PDF-1.4\n% plan de la salle des fetes\n%%EOF\n"
OTHER = b"%PDF-1.4\n% deliberation confidentielle\n%%EOF\n"


@pytest.fixture
def world():
    org = factories.make_org("Pont-du-Casse")
    space = factories.org_space(org)
    editor = factories.make_user(org, Role.EDITOR, first_name="Anne")
    member = factories.make_user(org, Role.MEMBER)
    plan = services.upload(space, None, (PLAN, "plan-salle-des-fetes.pdf"), by=editor)
    other = services.upload(space, None, (OTHER, "confidentiel.pdf"), by=editor)
    return {"space": space, "editor": editor, "member": member, "plan": plan, "other": other}


def _create(client, world, **fields):
    space, plan = world["space"], world["plan"]
    data = {"label": "Cabinet d'architecte Durand",
            "expires_on": (today_paris() + timedelta(days=10)).strftime("%d/%m/%Y"), **fields}
    response = client.post(f"/espaces/{space.slug}/documents/{plan.id}/partages", data=data)
    found = re.search(r"http://territoires\.test/partage/([A-Za-z0-9_-]+)", text(response))
    return response, found.group(1) if found else None


def test_someone_outside_downloads_the_current_version_and_it_is_counted_and_audited(
        client, login, new_client, world):
    login(world["editor"])
    response, token = _create(client, world)
    assert "Lien de partage créé" in text(response) and token
    outside = new_client()
    page = outside.get(f"/partage/{token}")
    assert page.status_code == 200
    assert "plan-salle-des-fetes.pdf" in text(page) and "Télécharger" in text(page)
    assert "confidentiel" not in text(page)
    download = outside.post(f"/partage/{token}")
    assert download.status_code == 200 and download.data == PLAN
    services.add_version(world["plan"], (OTHER, "plan-v2.pdf"), by=world["editor"])
    assert outside.post(f"/partage/{token}").data == OTHER   # always the current version
    link = db.session.scalar(select(ShareLink))
    assert link.downloads == 2
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "document.shared_download")).all()
    assert len(events) == 2 and events[1].detail == f"lien n° {link.id}, téléchargement n° 2"
    assert events[0].target.endswith(f"/documents/{world['plan'].id}")
    listing = text(client.get(f"/espaces/{world['space'].slug}/documents/{world['plan'].id}"))
    assert "Cabinet d'architecte Durand" in listing and ">2 (dernier" in listing


def test_a_wrong_password_is_refused_in_french_and_the_right_one_downloads(
        client, login, new_client, world):
    login(world["editor"])
    _, token = _create(client, world, password="salle-2027")
    outside = new_client()
    assert "protégé par un mot de passe" in text(outside.get(f"/partage/{token}"))
    wrong = outside.post(f"/partage/{token}", data={"password": "devine"})
    assert wrong.status_code == 403 and "Mot de passe incorrect." in text(wrong)
    assert PLAN not in wrong.data
    assert outside.post(f"/partage/{token}").status_code == 403   # no password at all
    assert outside.post(f"/partage/{token}", data={"password": "salle-2027"}).data == PLAN
    assert db.session.scalar(select(ShareLink)).downloads == 1
    assert db.session.scalar(select(ShareLink)).password_hash != "salle-2027"


def test_wrong_passwords_count_against_the_limit(app, client, login, new_client, world):
    login(world["editor"])
    _, token = _create(client, world, password="salle-2027")
    app.config["LIMITS_ENABLED"] = True
    limits.reset()
    try:
        outside = new_client()
        statuses = [outside.post(f"/partage/{token}", data={"password": f"essai-{n}"}).status_code
                    for n in range(11)]
        assert statuses[:10] == [403] * 10 and statuses[10] == 429
        assert outside.post(f"/partage/{token}",
                            data={"password": "salle-2027"}).status_code == 429
    finally:
        app.config["LIMITS_ENABLED"] = False
        limits.reset()


def test_an_expired_revoked_or_unknown_link_gets_the_same_404(client, login, new_client, world):
    login(world["editor"])
    _, expired = _create(client, world)
    _, revoked = _create(client, world, label="Entreprise Martin")
    links = db.session.scalars(select(ShareLink).order_by(ShareLink.id)).all()
    links[0].expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.post(f"/espaces/{world['space'].slug}/documents/{world['plan'].id}"
                           f"/partages/{links[1].id}/revoquer", follow_redirects=True)
    assert "Lien révoqué" in text(response)
    outside = new_client()
    answers = [outside.get(f"/partage/{token}") for token in (expired, revoked, "inconnu")]
    assert {a.status_code for a in answers} == {404}
    assert len({a.data for a in answers}) == 1
    assert all(PLAN not in outside.post(f"/partage/{t}").data for t in (expired, revoked))
    assert outside.post(f"/partage/{revoked}").status_code == 404
    # a document in the bin is not shared any more either
    _, live = _create(client, world)
    services.delete_document(world["plan"], by=world["editor"])
    assert outside.get(f"/partage/{live}").status_code == 404


def test_a_link_never_reaches_another_document(client, login, new_client, world):
    login(world["editor"])
    _, token = _create(client, world)
    other, space = world["other"], world["space"]
    outside = new_client()
    for url in (f"/partage/{token}/{other.id}", f"/partage/{token}?doc_id={other.id}",
                f"/espaces/{space.slug}/documents/{other.id}/telecharger",
                f"/espaces/{space.slug}/documents/{other.id}"):
        assert OTHER not in outside.get(url).data
    assert outside.post(f"/partage/{token}", data={"doc_id": other.id}).data == PLAN
    # the link's revocation address with another document's id is a 404, even for its editor
    link = db.session.scalar(select(ShareLink))
    assert client.post(f"/espaces/{space.slug}/documents/{other.id}/partages/{link.id}"
                       "/revoquer").status_code == 404


def test_only_those_who_may_edit_share_and_an_expiry_is_required_and_bounded(
        app, client, login, world):
    space, plan = world["space"], world["plan"]
    login(world["member"])
    assert client.post(f"/espaces/{space.slug}/documents/{plan.id}/partages",
                       data={"expires_on": "01/01/2030"}).status_code == 403
    assert "Partager avec une personne extérieure" not in text(
        client.get(f"/espaces/{space.slug}/documents/{plan.id}"))
    client.post("/deconnexion")
    login(world["editor"])
    response, token = _create(client, world, expires_on="")
    assert token is None and "Indiquez jusqu'à quand le lien est valable." in text(response)
    far = today_paris() + timedelta(days=app.config["DOCUMENTS_SHARE_MAX_DAYS"] + 1)
    response, token = _create(client, world, expires_on=far.strftime("%d/%m/%Y"),
                              label="Bureau d'études")
    assert token is None and "valable au plus 90 jours" in text(response)
    assert 'value="Bureau d\'études"' in text(response)   # what was typed comes back
    response, token = _create(client, world, password="court")
    assert token is None and "au moins 8 caractères" in text(response)
    assert db.session.scalar(select(ShareLink)) is None
