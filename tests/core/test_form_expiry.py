"""A form sent with a token that is no longer valid is shown again with what was typed."""
import re
import time

import pytest
from sqlalchemy import func, select

from intranet import create_app
from intranet.core.types import Role
from intranet.documents.models import Page
from intranet.extensions import db

from .. import factories
from ..helpers import visible_text


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def _token(client, url):
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _signed_in(client, user):
    token = _token(client, "/connexion")
    assert client.post("/connexion", data={"email": user.email, "password": factories.PASSWORD,
                                           "csrf_token": token}).status_code == 302


def _pages() -> int:
    return db.session.scalar(select(func.count()).select_from(Page))


TYPED = {"title": "Compte rendu du conseil du 4 décembre",
         "body": "<p>Présents : <strong>12</strong> conseillers. Ordre du jour : voirie…</p>",
         "body_format": "html", "visibility": "", "note": "première version"}


def test_an_expired_form_comes_back_with_everything_typed(app, client, csrf_on):
    org = factories.make_org("Agmé")
    editor = factories.make_user(org, Role.EDITOR)
    _signed_in(client, editor)
    url = f"/espaces/{factories.org_space(org).slug}/pages/nouvelle"
    before = _pages()
    response = client.post(url, data={**TYPED, "csrf_token": "un-jeton-perime"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Votre formulaire a expiré avant d'être envoyé" in visible_text(response)
    assert 'value="Compte rendu du conseil du 4 décembre"' in page
    assert "Présents : &lt;strong&gt;12&lt;/strong&gt; conseillers" in page   # rich text kept
    assert _pages() == before
    # The page carries a fresh token: sending it again works.
    fresh = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    again = client.post(url, data={**TYPED, "csrf_token": fresh})
    assert again.status_code == 302 and _pages() == before + 1


def test_a_token_past_its_time_limit_is_the_same(app, client, csrf_on):
    org = factories.make_org()
    editor = factories.make_user(org, Role.EDITOR)
    _signed_in(client, editor)
    url = f"/espaces/{factories.org_space(org).slug}/pages/nouvelle"
    token = _token(client, url)
    app.config["WTF_CSRF_TIME_LIMIT"] = 1
    try:
        time.sleep(2.1)   # itsdangerous counts whole seconds
        response = client.post(url, data={**TYPED, "csrf_token": token})
    finally:
        app.config["WTF_CSRF_TIME_LIMIT"] = int(app.config["PERMANENT_SESSION_LIFETIME"]
                                                .total_seconds())
    assert response.status_code == 400
    assert 'value="Compte rendu du conseil du 4 décembre"' in response.get_data(as_text=True)


def test_the_token_lives_as_long_as_the_session(app):
    assert app.config["WTF_CSRF_TIME_LIMIT"] == \
        app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()


def test_a_button_without_a_valid_token_changes_nothing_and_says_so(client, csrf_on):
    org = factories.make_org()
    editor = factories.make_user(org, Role.EDITOR)
    _signed_in(client, editor)
    response = client.post("/deconnexion", data={"csrf_token": "faux"})
    assert response.status_code == 400
    assert "Requête invalide" in visible_text(response)
    assert client.get("/profil").status_code == 200          # still signed in


def test_a_form_page_that_would_write_without_validating_writes_nothing(test_config):
    """The safety net: a view that ignores its form's token is run read-only."""
    twin = create_app({**test_config, "WTF_CSRF_ENABLED": True})

    @twin.route("/essai-ecriture", methods=["GET", "POST"])
    def careless():
        factories.make_org("Écrite sans jeton")
        return "écrit"

    with twin.app_context():
        try:
            response = twin.test_client().post("/essai-ecriture", data={"csrf_token": "faux"})
            assert response.status_code == 400
            assert "Requête invalide" in response.get_data(as_text=True)
            from intranet.accounts.models import Organisation
            assert db.session.scalar(select(Organisation).where(
                Organisation.name == "Écrite sans jeton")) is None
        finally:
            db.session.remove()
            db.engine.dispose()     # PostgreSQL warns about a connection left open otherwise
