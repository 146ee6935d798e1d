"""Sign in with ProConnect, against a local OpenID Connect provider (``oidc_provider.py``)."""
import socket
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from intranet.accounts import oidc, proconnect, signin
from intranet.accounts.proconnect import ExternalIdentity, is_multi_factor
from intranet.core.audit import AuditEvent
from intranet.core.types import Role
from intranet.extensions import db
from intranet.mail.models import OutboxMessage
from intranet.notifications.models import Notification

from .. import factories
from ..helpers import text, visible_text
from .oidc_provider import OIDCProvider


@pytest.fixture(scope="module")
def provider():
    with OIDCProvider() as running:
        yield running


@pytest.fixture
def proconnect_on(app, provider, monkeypatch):
    """The app configured for the local provider, which answers as after ``reset()``."""
    provider.reset()
    oidc.forget_cache()
    for key, value in (("PROCONNECT_ISSUER", provider.issuer),
                       ("PROCONNECT_CLIENT_ID", provider.client_id),
                       ("PROCONNECT_CLIENT_SECRET", provider.client_secret)):
        monkeypatch.setitem(app.config, key, value)
    yield provider
    oidc.forget_cache()


def _sign_in(client, next_page=None):
    """The whole flow: our start page, the provider's authorize (over HTTP), back to us."""
    start = client.get("/connexion/proconnect", query_string={"next": next_page} if next_page else {})
    assert start.status_code == 302
    at_provider = requests.get(start.headers["Location"], allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302
    back = urlsplit(at_provider.headers["Location"])
    assert back.path == "/connexion/proconnect/retour"
    return client.get(f"{back.path}?{back.query}")


def _signed_in_as(client):
    """The id (as text) of the person the client's session is open for, or None: the cookie
    holds a session key (accounts/sessions.py), looked up as the application does."""
    from intranet.accounts.sessions import UserSession, _digest
    with client.session_transaction() as session:
        key = session.get("_user_id")
    if key is None:
        return None
    record = db.session.scalar(select(UserSession).where(UserSession.key_digest == _digest(key),
                                                         UserSession.ended_at.is_(None)))
    return str(record.user_id) if record else None


def _actions():
    return [event.action for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_the_button_shows_only_when_configured(client, app, provider, monkeypatch):
    assert "S'identifier avec ProConnect" not in text(client.get("/connexion"))
    # Off: the address is unknown (a signed-out visitor's 404 is the sign-in page).
    assert client.get("/connexion/proconnect").headers["Location"].startswith("/connexion?")
    monkeypatch.setitem(app.config, "PROCONNECT_ISSUER", provider.issuer)
    monkeypatch.setitem(app.config, "PROCONNECT_CLIENT_ID", "id")
    monkeypatch.setitem(app.config, "PROCONNECT_CLIENT_SECRET", "secret")
    page = text(client.get("/connexion"))
    assert "S'identifier avec ProConnect" in page and "Qu'est-ce que ProConnect ?" in page


@pytest.mark.parametrize("userinfo_as_jwt", [True, False], ids=["userinfo-jwt", "userinfo-json"])
def test_a_good_sign_in_opens_the_session_and_remembers_the_link(client, proconnect_on,
                                                                 userinfo_as_jwt):
    proconnect_on.userinfo_as_jwt = userinfo_as_jwt
    user = factories.make_user(factories.make_org("Agen"), email="Agent@exemple.fr")
    response = _sign_in(client, next_page="/profil")
    assert response.status_code == 302 and response.headers["Location"] == "/profil"
    assert _signed_in_as(client) == str(user.id)
    asked = proconnect_on.last_authorize
    assert "siret" in asked["scope"].split() and asked["code_challenge_method"] == "S256"
    link = db.session.scalar(select(ExternalIdentity))
    assert (link.provider, link.subject, link.user_id) == ("proconnect", "sub-agent-1", user.id)
    assert link.last_used_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "login.proconnect"))
    assert event.actor_id == user.id and "SIRET 21470001500012" in event.detail


@pytest.mark.parametrize("flaw", ["wrong nonce", "expired", "other key"])
def test_a_forged_or_stale_id_token_is_refused_with_a_french_page(client, proconnect_on, flaw):
    factories.make_user(email="agent@exemple.fr")
    if flaw == "wrong nonce":
        proconnect_on.id_token_changes = {"nonce": "un-autre-nonce"}
    elif flaw == "expired":
        now = int(time.time())
        proconnect_on.id_token_changes = {"iat": now - 3600, "exp": now - 600}
    else:
        proconnect_on.sign_with_other_key = True
    response = _sign_in(client)
    assert response.status_code == 400
    assert "n'a pas pu être vérifiée" in text(response)
    assert _signed_in_as(client) is None
    assert db.session.scalar(select(ExternalIdentity)) is None
    failure = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "login.proconnect_failure"))
    expected = {"wrong nonce": "id_token_claim: nonce", "expired": "id_token_expired",
                "other key": "bad_signature"}[flaw]
    assert failure.detail == expected
    assert "login.proconnect" not in _actions()


def test_a_state_that_does_not_match_is_refused(client, proconnect_on):
    factories.make_user(email="agent@exemple.fr")
    start = client.get("/connexion/proconnect")
    at_provider = requests.get(start.headers["Location"], allow_redirects=False, timeout=5)
    back = urlsplit(at_provider.headers["Location"])
    code = parse_qs(back.query)["code"][0]
    response = client.get(back.path, query_string={"code": code, "state": "pas-le-bon"})
    assert response.status_code == 400
    assert "ne correspond à aucune connexion en cours" in text(response)
    assert _signed_in_as(client) is None
    # The attempt is spent: even the right state is refused now.
    assert client.get(f"{back.path}?{back.query}").status_code == 400
    assert _actions() == ["login.proconnect_failure", "login.proconnect_failure"]


def test_cancelling_at_the_provider_says_so(client, proconnect_on):
    proconnect_on.deny = True
    response = _sign_in(client)
    assert response.status_code == 400 and "Vous avez annulé la connexion" in text(response)
    assert _signed_in_as(client) is None


def test_a_provider_that_does_not_answer_gives_a_french_page(client, app, monkeypatch):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    oidc.forget_cache()
    for key, value in (("PROCONNECT_ISSUER", f"http://127.0.0.1:{port}"),
                       ("PROCONNECT_CLIENT_ID", "id"), ("PROCONNECT_CLIENT_SECRET", "secret")):
        monkeypatch.setitem(app.config, key, value)
    response = client.get("/connexion/proconnect")
    assert response.status_code == 502 and "ne répond pas" in text(response)
    assert _actions() == ["login.proconnect_failure"]


def test_the_next_sign_in_matches_by_sub_even_with_another_address(client, new_client,
                                                                   proconnect_on):
    user = factories.make_user(email="agent@exemple.fr")
    _sign_in(client)
    proconnect_on.claims["email"] = "nouvelle-adresse@exemple.fr"
    other = new_client()
    assert _sign_in(other).status_code == 302
    assert _signed_in_as(other) == str(user.id)
    assert len(db.session.scalars(select(ExternalIdentity)).all()) == 1


def test_an_unknown_agent_is_not_signed_in_and_their_organisation_admins_are_told(
        client, new_client, proconnect_on):
    org = factories.make_org("Mairie d'Agen", siren="214700015")
    admin = factories.make_user(org, Role.ADMIN)
    member = factories.make_user(org, Role.MEMBER)
    response = _sign_in(client)
    assert response.status_code == 403
    page = text(response)
    assert "pas encore de compte" in page and "Mairie d'Agen" in page
    assert _signed_in_as(client) is None
    notes = db.session.scalars(select(Notification)).all()
    assert [note.user_id for note in notes] == [admin.id]
    assert "Camille Martin (agent@exemple.fr), SIRET 21470001500012" in notes[0].title
    assert notes[0].url == f"/admin/organisations/{org.slug}/membres"
    assert [m.recipient for m in db.session.scalars(select(OutboxMessage))] == [admin.email]
    assert member.id not in [note.user_id for note in notes]
    request_event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "proconnect.access_request"))
    assert request_event.organisation_id == org.id and request_event.target == "agent@exemple.fr"
    # A second try the same day does not notify again.
    assert _sign_in(new_client()).status_code == 403
    assert len(db.session.scalars(select(Notification)).all()) == 1


def test_an_agent_of_an_organisation_not_on_the_platform_is_told_so(client, proconnect_on):
    response = _sign_in(client)
    assert response.status_code == 403 and "n'est pas inscrite" in visible_text(response)
    assert db.session.scalars(select(Notification)).all() == []


def test_a_deactivated_account_is_refused(client, proconnect_on):
    factories.make_user(email="agent@exemple.fr", active=False)
    response = _sign_in(client)
    assert response.status_code == 403 and "désactivé" in text(response)
    assert _signed_in_as(client) is None


@pytest.mark.parametrize("acr, amr, expected", [
    ("eidas1", ["pwd"], False),
    (None, None, False),
    ("https://proconnect.gouv.fr/assurance/self-asserted", ["pwd", "mail"], False),
    ("eidas1", ["pwd", "totp", "mfa"], True),
    ("eidas2", None, True),
    ("eidas3", ["pop"], True),
    ("https://proconnect.gouv.fr/assurance/consistency-checked-2fa", ["pwd"], True),
    ("https://proconnect.gouv.fr/assurance/self-asserted-2fa", [], True),
])
def test_multi_factor_only_when_the_provider_says_so(acr, amr, expected):
    assert is_multi_factor({"acr": acr, "amr": amr}) is expected


@pytest.mark.parametrize("acr, amr, expected", [("eidas1", ["pwd"], False),
                                                ("eidas1", ["pwd", "mfa"], True)])
def test_the_sign_in_tells_signin_begin_whether_it_was_multi_factor(client, proconnect_on,
                                                                    monkeypatch, acr, amr,
                                                                    expected):
    factories.make_user(email="agent@exemple.fr")
    proconnect_on.acr, proconnect_on.amr = acr, amr
    seen = []
    real_begin = signin.begin

    def begin(user, **kwargs):
        seen.append(kwargs)
        return real_begin(user, **kwargs)
    monkeypatch.setattr(signin, "begin", begin)
    assert _sign_in(client).status_code == 302
    assert seen == [{"method": "proconnect", "multi_factor": expected}]


def test_a_second_factor_step_is_followed(client, proconnect_on, monkeypatch):
    factories.make_user(email="agent@exemple.fr")
    monkeypatch.setattr(signin, "begin", lambda user, **kwargs: "/connexion/second-facteur")
    response = _sign_in(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/connexion/second-facteur"


def test_signing_out_also_ends_the_session_at_the_provider(client, new_client, proconnect_on):
    user = factories.make_user(email="agent@exemple.fr")
    _sign_in(client)
    response = client.post("/deconnexion")
    assert _signed_in_as(client) is None
    to_provider = urlsplit(response.headers["Location"])
    assert f"{to_provider.scheme}://{to_provider.netloc}" == proconnect_on.issuer
    query = parse_qs(to_provider.query)
    assert query["id_token_hint"][0].count(".") == 2
    assert query["post_logout_redirect_uri"] == ["http://territoires.test/deconnexion/proconnect"]
    back = client.get("/deconnexion/proconnect")
    assert back.status_code == 302 and back.headers["Location"] == "/"
    # Signed in with a password: signing out stays here.
    password_client = new_client(user)
    assert password_client.post("/deconnexion").headers["Location"] == "/"


def test_proconnect_module_reads_the_siren_from_the_siret():
    assert proconnect.siren_of({"siret": "214 700 015 00012"}) == "214700015"
    assert proconnect.siren_of({"siret": ""}) is None


def test_an_organisation_without_admin_has_the_platform_admins_told(client, proconnect_on):
    org = factories.make_org("Syndicat des eaux", siren="214700015")
    factories.make_user(org, Role.MEMBER)
    platform_admin = factories.make_user(platform_admin=True)
    assert _sign_in(client).status_code == 403
    assert [note.user_id for note in db.session.scalars(select(Notification))] == [platform_admin.id]


def test_the_proconnect_pages_are_valid_html(client, new_client, proconnect_on, tmp_path):
    from ..test_valid_html import check
    factories.make_org("Mairie d'Agen", siren="214700015")
    pages = {"login": client.get("/connexion?next=/profil"),
             "unknown": _sign_in(new_client())}
    proconnect_on.deny = True
    pages["cancelled"] = _sign_in(new_client())
    files = []
    for name, response in pages.items():
        files.append(tmp_path / f"{name}.html")
        files[-1].write_text(response.get_data(as_text=True))
    assert [m for m in check(files) if m.get("type") == "error"] == []


def test_a_made_up_code_or_next_address_leads_nowhere(client, proconnect_on):
    factories.make_user(email="agent@exemple.fr")
    start = client.get("/connexion/proconnect", query_string={"next": "//ailleurs.example/"})
    state = parse_qs(urlsplit(start.headers["Location"]).query)["state"][0]
    response = client.get("/connexion/proconnect/retour",
                          query_string={"state": state, "code": "invente"})
    assert response.status_code == 400 and "n'a pas pu être vérifiée" in text(response)
    assert _signed_in_as(client) is None
    # The next address is kept only when it is one of ours.
    response = _sign_in(client, next_page="//ailleurs.example/")
    assert response.headers["Location"] == "/"
