"""« Télécharger mes données »: one archive with what the person wrote, sent and set, and
nothing of anyone else's private content."""
import io
import json
import zipfile

from intranet.extensions import db
from intranet.publications.aids import alerts
from intranet.publications.aids.models import AlertFrequency

from ..helpers import text
from .builders import ALICE_FILE, colleagues


def _archive(client) -> zipfile.ZipFile:
    response = client.get("/profil/mes-donnees/archive")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(response.get_data()))


def _all_text(archive: zipfile.ZipFile) -> str:
    return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def test_my_data_page_is_linked_from_my_profile(client, login):
    world = colleagues()
    login(world["alice"])
    assert "/profil/mes-donnees" in text(client.get("/profil"))
    page = text(client.get("/profil/mes-donnees"))
    assert "Télécharger mes données" in page and "Effacer mon compte" in page


def test_the_archive_holds_my_content_and_nothing_private_of_anyone_else(client, login):
    world = colleagues()
    alerts.subscribe("theme=voirie", AlertFrequency.WEEKLY, email="alix.zabrowski@brouillac.fr")
    db.session.commit()
    login(world["alice"])
    archive = _archive(client)
    names = archive.namelist()
    everything = _all_text(archive)
    # Mine: profile, memberships, the page, the message, the file by its name, the sign-in.
    profile = json.loads(archive.read("profil.json"))
    assert profile["last_name"] == "Zabrowski" and profile["email"] == "alix.zabrowski@brouillac.fr"
    memberships = json.loads(archive.read("organisations.json"))
    assert memberships[0]["organisation_id"] == world["org"].id
    assert memberships[0]["role"] == "editor"
    assert "texte-ecrit-par-alix" in archive.read("pages.json").decode()
    assert "message-ecrit-par-alix" in archive.read("messages_ecrits.json").decode()
    assert archive.read("fichiers/compte-rendu-voirie.txt") == ALICE_FILE
    sessions = json.loads(archive.read("historique_connexions.json"))
    assert len(sessions) == 1 and sessions[0]["ip"]
    assert "login.success" in archive.read("journal_connexions.json").decode()
    by_address = json.loads(archive.read("alertes_aides_par_adresse.json"))
    assert [alert["email"] for alert in by_address] == ["alix.zabrowski@brouillac.fr"]
    assert "LISEZMOI.txt" in names and "pages.csv" in names
    assert "Vos données personnelles" in archive.read("LISEZMOI.txt").decode()
    # Not mine: Bob's page in our shared space, Bob's answer in my own conversation.
    assert "secret-ecrit-par-bertrand" not in everything
    assert "reponse-privee-de-bertrand" not in everything
    assert "Quenouille" not in everything
    # Secrets of my account are not in it either.
    assert world["alice"].password_hash not in everything
    assert "key_digest" not in everything and "password_hash" not in everything


def test_another_person_gets_their_own_archive_not_mine(new_client):
    world = colleagues()
    archive = _archive(new_client(world["bob"]))
    everything = _all_text(archive)
    assert "secret-ecrit-par-bertrand" in everything
    assert "reponse-privee-de-bertrand" in everything
    assert "texte-ecrit-par-alix" not in everything
    assert "message-ecrit-par-alix" not in everything
    assert not [n for n in archive.namelist() if n.startswith("fichiers/")]


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/profil/mes-donnees/archive")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]
