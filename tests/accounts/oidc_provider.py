"""A small OpenID Connect provider for tests, served over real HTTP on a free 127.0.0.1 port
from a thread, with an RSA key it generates: discovery, JWKS, authorize (which sends the
browser straight back with a code, as if the person had signed in), token (checking the client
secret, the redirect URI and the PKCE S256 verifier), userinfo (a signed JWT like ProConnect's,
or JSON) and end_session.

What it answers is steered by attributes a test sets (``reset()`` puts them back):
``claims`` (the person), ``id_token_changes`` (claims to override in the ID token, ``None``
removes one), ``sign_with_other_key``, ``userinfo_as_jwt``, ``deny`` (answer
``error=access_denied``).

    with OIDCProvider() as provider:
        provider.issuer  # http://127.0.0.1:<port>
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

CLIENT_ID = "territoires-test"
CLIENT_SECRET = "secret-de-test"


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


class OIDCProvider:
    def __init__(self, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET):
        self.client_id = client_id
        self.client_secret = client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": "cle-1", "use": "sig",
                                                         "alg": "RS256"})
        # Same key id, never published: what a forger would sign with.
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "cle-1"})
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True,
                                   request_handler=_Quiet)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.reset()

    # --- lifecycle ------------------------------------------------------------------------------

    def __enter__(self) -> OIDCProvider:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def reset(self) -> None:
        self.claims = {"sub": "sub-agent-1", "email": "agent@exemple.fr",
                       "given_name": "Camille", "usual_name": "Martin",
                       "siret": "21470001500012", "uid": "1234", "idp_id": "idp-test"}
        self.acr = "eidas1"
        self.amr = ["pwd"]
        self.id_token_changes: dict = {}
        self.sign_with_other_key = False
        self.userinfo_as_jwt = True
        self.deny = False
        self._codes: dict[str, dict] = {}
        self._tokens: dict[str, dict] = {}
        self.last_authorize: dict = {}

    # --- tokens ---------------------------------------------------------------------------------

    def sign(self, claims: dict) -> str:
        key = self.other_key if self.sign_with_other_key else self.key
        return jwt.encode({"alg": "RS256", "kid": "cle-1"}, claims, key)

    def _id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.client_id, "sub": self.claims["sub"],
                  "iat": now, "exp": now + 60, "nonce": nonce, "acr": self.acr,
                  "amr": self.amr, "idp_id": self.claims.get("idp_id")}
        claims.update(self.id_token_changes)
        return self.sign({k: v for k, v in claims.items() if v is not None})

    # --- HTTP -----------------------------------------------------------------------------------

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        handler = {
            "/.well-known/openid-configuration": self._discovery,
            "/jwks": self._jwks,
            "/authorize": self._authorize,
            "/token": self._token,
            "/userinfo": self._userinfo,
            "/session/end": self._end_session,
        }.get(request.path)
        response = handler(request) if handler else Response("not found", 404)
        return response(environ, start_response)

    @staticmethod
    def _json(data, status: int = 200) -> Response:
        return Response(json.dumps(data), status, content_type="application/json")

    def _discovery(self, request) -> Response:
        return self._json({
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/session/end",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        })

    def _jwks(self, request) -> Response:
        return self._json({"keys": [self.key.as_dict(private=False)]})

    def _authorize(self, request) -> Response:
        args = request.args
        self.last_authorize = dict(args)
        assert args["client_id"] == self.client_id and args["response_type"] == "code"
        assert args["code_challenge_method"] == "S256" and args["nonce"] and args["state"]
        if self.deny:
            query = {"error": "access_denied", "state": args["state"]}
        else:
            code = secrets.token_urlsafe(16)
            self._codes[code] = dict(args)
            query = {"code": code, "state": args["state"]}
        return Response(status=302, headers={"Location": f"{args['redirect_uri']}?{urlencode(query)}"})

    def _token(self, request) -> Response:
        form = request.form
        asked = self._codes.pop(form.get("code", ""), None)   # a code works once
        if (asked is None or form.get("client_id") != self.client_id
                or form.get("client_secret") != self.client_secret
                or form.get("redirect_uri") != asked["redirect_uri"]):
            return self._json({"error": "invalid_grant"}, 400)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if challenge.rstrip(b"=").decode() != asked["code_challenge"]:
            return self._json({"error": "invalid_grant", "error_description": "PKCE"}, 400)
        access = secrets.token_urlsafe(16)
        self._tokens[access] = dict(self.claims)
        return self._json({"access_token": access, "token_type": "Bearer", "expires_in": 60,
                           "id_token": self._id_token(asked["nonce"])})

    def _userinfo(self, request) -> Response:
        claims = self._tokens.get(request.headers.get("Authorization", "").removeprefix("Bearer "))
        if claims is None:
            return self._json({"error": "invalid_token"}, 401)
        if self.userinfo_as_jwt:
            return Response(self.sign({**claims, "iss": self.issuer, "aud": self.client_id}),
                            content_type="application/jwt")
        return self._json(claims)

    def _end_session(self, request) -> Response:
        return Response(status=302, headers={"Location": request.args["post_logout_redirect_uri"]})
