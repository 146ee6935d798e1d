"""An OpenID Connect relying party: the authorization code flow with PKCE (S256), ``state`` and
``nonce``, as ProConnect (``accounts/proconnect.py``) uses it. Nothing here knows Flask's
session or the database: the caller keeps the ``Attempt`` between the two legs of the flow.

- Discovery (``{issuer}/.well-known/openid-configuration``) and the provider's keys (JWKS) are
  kept per process for ``max_age``; an ID token signed with a key id we do not know makes us
  read the keys once more (the provider rotated them) before refusing it.
- The authorization request and the token request go through Authlib's ``OAuth2Session``
  (PKCE, client authentication); signatures and claims are checked with joserfc.
- The ID token must be signed by one of the provider's keys with an asymmetric algorithm, and
  its ``iss``, ``aud`` (and ``azp`` when there are several audiences), ``exp``, ``iat``,
  ``sub`` and ``nonce`` must be right.
- The userinfo answer may be JSON or a signed JWT (``application/jwt``, ProConnect's): a JWT is
  checked like the ID token (signature, ``iss`` and ``aud`` when present); either way its
  ``sub`` must be the ID token's.

Every refusal raises ``OIDCError`` with a short ``reason`` (for the audit log) and a French
message (for the page)."""
from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import (BadSignatureError, ClaimError, ExpiredTokenError, InvalidClaimError,
                            InvalidKeyIdError, JoseError, MissingClaimError)
from joserfc.jwk import KeySet

# Signature algorithms accepted for ID tokens and userinfo: asymmetric ones only (never "none",
# never HS256, whose key would be the client secret).
ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
                         "ES512")

UNREACHABLE = ("Le service d'identification ne répond pas pour le moment. Réessayez dans quelques "
               "minutes, ou connectez-vous avec votre adresse et votre mot de passe.")
REFUSED = ("La réponse du service d'identification n'a pas pu être vérifiée : par sécurité, vous "
           "n'êtes pas connecté(e). Recommencez la connexion depuis la page de connexion.")

_CACHE: dict[str, tuple[float, object]] = {}


class OIDCError(Exception):
    """A sign-in through the provider failed. ``reason`` goes to the audit log, ``message`` (in
    French) to the person."""

    def __init__(self, reason: str, message: str = REFUSED):
        super().__init__(reason)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Attempt:
    """What one sign-in attempt must remember between the redirect to the provider and the
    return from it: all three are random and used once."""
    state: str
    nonce: str
    code_verifier: str

    @classmethod
    def new(cls) -> Attempt:
        return cls(state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32),
                   code_verifier=generate_token(64))


@dataclass(frozen=True)
class Identity:
    """A verified sign-in: the ID token's claims merged with userinfo's, and the raw ID token
    (needed to end the session at the provider)."""
    claims: dict
    id_token: str


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str = "openid email"
    timeout: float = 10
    max_age: float = 3600
    leeway: int = 60

    # --- what the provider publishes ----------------------------------------------------------

    def metadata(self) -> dict:
        url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
        metadata = self._cached(url, lambda: self._get_json(url))
        if metadata.get("issuer") != self.issuer:
            # OpenID Connect Discovery §4.3: the published issuer is exactly the one configured.
            raise OIDCError("discovery_issuer_mismatch")
        return metadata

    def keys(self, *, refresh: bool = False) -> KeySet:
        url = self.metadata().get("jwks_uri")
        if not url:
            raise OIDCError("discovery_without_jwks")
        if refresh:
            _CACHE.pop(url, None)
        data = self._cached(url, lambda: self._get_json(url))
        try:
            return KeySet.import_key_set(data)
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise OIDCError("jwks_unreadable") from exc

    # --- the two legs of the flow -------------------------------------------------------------

    def authorization_url(self, attempt: Attempt, redirect_uri: str, **extra) -> str:
        endpoint = self.metadata().get("authorization_endpoint")
        if not endpoint:
            raise OIDCError("discovery_without_authorization_endpoint")
        url, _ = self._session(redirect_uri).create_authorization_url(
            endpoint, state=attempt.state, code_verifier=attempt.code_verifier,
            nonce=attempt.nonce, **extra)
        return url

    def complete(self, code: str, attempt: Attempt, redirect_uri: str) -> Identity:
        """Exchange the code, verify the ID token, read userinfo."""
        metadata = self.metadata()
        try:
            token = self._session(redirect_uri).fetch_token(
                metadata["token_endpoint"], grant_type="authorization_code", code=code,
                code_verifier=attempt.code_verifier, timeout=self.timeout)
        except requests.RequestException as exc:
            raise OIDCError("token_endpoint_unreachable", UNREACHABLE) from exc
        except (AuthlibBaseError, KeyError, ValueError) as exc:
            raise OIDCError(f"token_refused: {exc}"[:200]) from exc
        id_token = token.get("id_token")
        if not id_token:
            raise OIDCError("no_id_token")
        claims = self.verify_id_token(id_token, nonce=attempt.nonce)
        if metadata.get("userinfo_endpoint") and token.get("access_token"):
            userinfo = self.userinfo(token["access_token"], claims["sub"])
            claims = {**userinfo, **claims}   # the ID token's own claims win
        return Identity(claims=claims, id_token=id_token)

    def verify_id_token(self, id_token: str, *, nonce: str) -> dict:
        claims = self._decode(id_token)
        registry = jwt.JWTClaimsRegistry(
            leeway=self.leeway,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce})
        try:
            registry.validate(claims)
        except ExpiredTokenError as exc:
            raise OIDCError("id_token_expired") from exc
        except (InvalidClaimError, MissingClaimError) as exc:
            raise OIDCError(f"id_token_claim: {exc.claim}") from exc
        except (ClaimError, JoseError) as exc:
            raise OIDCError(f"id_token_claims: {exc}"[:200]) from exc
        audience = claims["aud"]
        if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != self.client_id:
            raise OIDCError("id_token_claim: azp")
        return claims

    def userinfo(self, access_token: str, subject: str) -> dict:
        url = self.metadata()["userinfo_endpoint"]
        try:
            response = requests.get(url, timeout=self.timeout, headers={
                "Authorization": f"Bearer {access_token}",
                "Accept": "application/jwt, application/json"})
        except requests.RequestException as exc:
            raise OIDCError("userinfo_unreachable", UNREACHABLE) from exc
        if response.status_code != 200:
            raise OIDCError(f"userinfo_status_{response.status_code}")
        kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if kind == "application/jwt":
            claims = self._decode(response.text.strip())
            registry = jwt.JWTClaimsRegistry(leeway=self.leeway, iss={"value": self.issuer},
                                             aud={"value": self.client_id})
            try:
                registry.validate(claims)
            except JoseError as exc:
                raise OIDCError(f"userinfo_claims: {exc}"[:200]) from exc
        else:
            try:
                claims = response.json()
            except ValueError as exc:
                raise OIDCError("userinfo_unreadable") from exc
        if not isinstance(claims, dict) or claims.get("sub") != subject:
            raise OIDCError("userinfo_sub_mismatch")
        return claims

    # --- signing out --------------------------------------------------------------------------

    def end_session_url(self, id_token: str, post_logout_redirect_uri: str) -> str | None:
        """Where to send the browser so that the provider ends its session too (OpenID Connect
        RP-Initiated Logout), or None when the provider publishes no such endpoint."""
        endpoint = self.metadata().get("end_session_endpoint")
        if not endpoint:
            return None
        query = urlencode({"id_token_hint": id_token, "state": secrets.token_urlsafe(16),
                           "post_logout_redirect_uri": post_logout_redirect_uri})
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"

    # --- helpers ------------------------------------------------------------------------------

    def _session(self, redirect_uri: str) -> OAuth2Session:
        methods = self.metadata().get("token_endpoint_auth_methods_supported") or []
        method = "client_secret_post" if "client_secret_post" in methods else "client_secret_basic"
        return OAuth2Session(self.client_id, self.client_secret, scope=self.scopes,
                             redirect_uri=redirect_uri, code_challenge_method="S256",
                             token_endpoint_auth_method=method)

    def _algorithms(self) -> list[str]:
        published = self.metadata().get("id_token_signing_alg_values_supported") or ["RS256"]
        return [name for name in published if name in ASYMMETRIC_ALGORITHMS] or ["RS256"]

    def _decode(self, value: str) -> dict:
        algorithms = self._algorithms()
        try:
            try:
                token = jwt.decode(value, self.keys(), algorithms=algorithms)
            except InvalidKeyIdError:   # keys rotated since we read them: read them again, once
                token = jwt.decode(value, self.keys(refresh=True), algorithms=algorithms)
        except BadSignatureError as exc:
            raise OIDCError("bad_signature") from exc
        except InvalidKeyIdError as exc:
            raise OIDCError("unknown_signing_key") from exc
        except (JoseError, ValueError, TypeError) as exc:
            raise OIDCError(f"token_unreadable: {exc}"[:200]) from exc
        return dict(token.claims)

    def _get_json(self, url: str) -> dict:
        try:
            response = requests.get(url, timeout=self.timeout,
                                    headers={"Accept": "application/json"})
        except requests.RequestException as exc:
            raise OIDCError("provider_unreachable", UNREACHABLE) from exc
        if response.status_code != 200:
            raise OIDCError(f"provider_status_{response.status_code}", UNREACHABLE)
        try:
            data = response.json()
        except ValueError as exc:
            raise OIDCError("provider_unreadable", UNREACHABLE) from exc
        if not isinstance(data, dict):
            raise OIDCError("provider_unreadable", UNREACHABLE)
        return data

    def _cached(self, url: str, load):
        now = time.monotonic()
        hit = _CACHE.get(url)
        if hit is not None and now - hit[0] < self.max_age:
            return hit[1]
        value = load()
        _CACHE[url] = (now, value)
        return value


def forget_cache() -> None:
    """Drop what was read from providers (tests, or after changing the issuer)."""
    _CACHE.clear()
