"""Every form carries a CSRF token; a POST without it changes nothing."""
import re

import pytest

from intranet import create_app
from intranet.extensions import db

from .. import factories
from ..helpers import text


@pytest.fixture
def csrf_client(test_config):
    app = create_app(dict(test_config, WTF_CSRF_ENABLED=True))
    yield app.test_client()
    with app.app_context():
        db.engine.dispose()


def _token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_login_without_token_is_refused_in_french(csrf_client):
    user = factories.make_user()
    response = csrf_client.post("/connexion", data={"email": user.email,
                                                    "password": factories.PASSWORD})
    assert response.status_code == 400
    page = text(response)
    assert "Votre formulaire a expiré avant d'être envoyé" in page
    assert f'value="{user.email}"' in page           # the address typed is kept
    assert factories.PASSWORD not in page             # never the password
    assert csrf_client.get("/profil").status_code == 302


def test_login_with_token_works(csrf_client):
    user = factories.make_user()
    token = _token(text(csrf_client.get("/connexion")))
    response = csrf_client.post("/connexion", data={"email": user.email, "csrf_token": token,
                                                    "password": factories.PASSWORD})
    assert response.status_code == 302


def test_plain_post_routes_without_token_get_400_and_change_nothing(csrf_client):
    user = factories.make_user()
    token = _token(text(csrf_client.get("/connexion")))
    csrf_client.post("/connexion", data={"email": user.email, "csrf_token": token,
                                         "password": factories.PASSWORD})
    response = csrf_client.post("/deconnexion")
    assert response.status_code == 400
    assert "Requête invalide" in text(response)
    assert csrf_client.get("/profil").status_code == 200  # still signed in
