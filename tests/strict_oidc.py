"""A local OpenID Connect provider as strict as ProConnect, for tests (never for production).

It enforces what ProConnect's service-provider guide publishes, so a test that passes here
passes the checks ProConnect makes:

- ``/authorize`` refuses any parameter outside ProConnect's list, a ``state`` or ``nonce``
  shorter than 32 characters, a ``prompt`` other than ``login``/``consent``, another
  ``redirect_uri`` than the registered one, and a PKCE challenge other than S256;
- ``/token`` wants the client's credentials in the form body (``client_secret_post``) and the
  PKCE verifier; its ID token carries no e-mail and no name;
- ``/userinfo`` answers only a signed JWT (``application/jwt``): e-mail, given_name,
  usual_name, siret, uid, idp_id;
- ``/session/end`` requires ``id_token_hint`` (one it issued), ``state`` (32+ characters) and the
  registered ``post_logout_redirect_uri``, ends the provider's session and says so in
  ``ended_sessions``.

A login page stands for the identity provider behind ProConnect: type an e-mail declared with
``add_user`` and press "Se connecter". Its session (a cookie) lets the next authorisation
through without the page, as ProConnect's single sign-on does, unless ``prompt=login``.

``faults`` makes it misbehave on purpose, one at a time: ``userinfo_bad_signature`` (signed
with a key it does not publish), ``userinfo_wrong_audience``, ``userinfo_expired``,
``replayed_nonce`` (the ID token repeats an earlier login's nonce).

Every refusal is kept in ``refusals`` (endpoint, reason), so a test can assert there was none.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlencode

import uvicorn
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

AUTHORIZE_PARAMETERS = {
    "response_type", "client_id", "redirect_uri", "scope", "claims", "state", "nonce", "prompt",
    "idp_hint", "login_hint", "acr_values", "code_challenge", "code_challenge_method",
}  # fmt: skip
LOGOUT_PARAMETERS = {"id_token_hint", "state", "post_logout_redirect_uri"}
SCOPES = {"openid", "email", "given_name", "usual_name", "siret", "siren", "uid", "idp_id", "phone",
          "organizational_unit", "belonging_population", "chorusdt"}  # fmt: skip
FAULTS = {"userinfo_bad_signature", "userinfo_wrong_audience", "userinfo_expired", "replayed_nonce"}
SESSION_COOKIE = "strict_idp_session"
LOGIN_BUTTON = "Se connecter"


@dataclass
class StrictProvider:
    client_id: str
    client_secret: str
    redirect_uri: str = ""  # registered later, once the app's port is known
    host: str = "127.0.0.1"
    port: int = 0
    users: dict[str, dict] = field(default_factory=dict)
    faults: set[str] = field(default_factory=set)
    refusals: list[tuple[str, str]] = field(default_factory=list)
    sessions: dict[str, str] = field(default_factory=dict)  # session id -> e-mail
    ended_sessions: list[dict] = field(default_factory=list)
    authorize_requests: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._key = RSAKey.generate_key(2048, parameters={"kid": "strict-1", "alg": "RS256", "use": "sig"})
        # Same kid, not published: a signature made with it must be refused.
        self._rogue_key = RSAKey.generate_key(2048, parameters={"kid": "strict-1", "alg": "RS256"})
        self._pending: dict[str, dict] = {}
        self._codes: dict[str, dict] = {}
        self._tokens: dict[str, dict] = {}
        self._nonces: list[str] = []
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # --- control ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def add_user(self, email: str, given_name: str, usual_name: str, siret: str = "21620510300011") -> None:
        self.users[email.lower()] = {
            "email": email,
            "given_name": given_name,
            "usual_name": usual_name,
            "siret": siret,
            "uid": secrets.token_hex(8),
            "idp_id": "fia1v2",
        }

    def start(self) -> None:
        self._server = uvicorn.Server(
            uvicorn.Config(self.app(), host=self.host, port=self.port, log_level="warning", lifespan="off")
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the strict provider did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)

    # --- the provider ----------------------------------------------------------------------

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks", self.jwks),
                Route("/authorize", self.authorize),
                Route("/login", self.login, methods=["POST"]),
                Route("/token", self.token, methods=["POST"]),
                Route("/userinfo", self.userinfo),
                Route("/session/end", self.end_session),
            ]
        )

    def _refuse(self, endpoint: str, reason: str, status: int = 400) -> Response:
        self.refusals.append((endpoint, reason))
        return HTMLResponse(f"<h1>Y000400 Bad Request</h1><p>{escape(reason)}</p>", status_code=status)

    async def discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.url,
                "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token",
                "userinfo_endpoint": f"{self.url}/userinfo",
                "jwks_uri": f"{self.url}/jwks",
                "end_session_endpoint": f"{self.url}/session/end",
                "response_types_supported": ["code"],
                "scopes_supported": sorted(SCOPES),
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "userinfo_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_post"],
                "code_challenge_methods_supported": ["S256"],
                "claims_supported": ["sub", "email", "given_name", "usual_name", "siret", "uid", "idp_id"],
            }
        )

    async def jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self._key.as_dict(private=False)]})

    async def authorize(self, request: Request) -> Response:
        params = dict(request.query_params)
        self.authorize_requests.append(params)
        unlisted = sorted(set(request.query_params.keys()) - AUTHORIZE_PARAMETERS)
        if unlisted:
            return self._refuse("authorize", f"unlisted parameters: {', '.join(unlisted)}")
        for name in ("state", "nonce"):
            if len(params.get(name, "")) < 32:
                return self._refuse("authorize", f"{name} shorter than 32 characters")
        if params.get("response_type") != "code" or params.get("client_id") != self.client_id:
            return self._refuse("authorize", "response_type or client_id")
        if params.get("redirect_uri") != self.redirect_uri:
            return self._refuse("authorize", f"redirect_uri {params.get('redirect_uri')!r} is not registered")
        scopes = set(params.get("scope", "").split())
        if "openid" not in scopes or not scopes <= SCOPES:
            return self._refuse("authorize", f"scope {params.get('scope')!r}")
        prompts = set(params.get("prompt", "login").split())
        if not prompts or not prompts <= {"login", "consent"}:
            return self._refuse("authorize", f"prompt {params.get('prompt')!r}")
        if "code_challenge" in params and params.get("code_challenge_method") != "S256":
            return self._refuse("authorize", "PKCE other than S256")
        session = self.sessions.get(request.cookies.get(SESSION_COOKIE, ""))
        if session and "login" not in prompts:
            return self._redirect_with_code(params, session, request.cookies[SESSION_COOKIE])
        request_id = secrets.token_urlsafe(16)
        self._pending[request_id] = params
        hint = escape(params.get("login_hint", ""))
        return HTMLResponse(
            f"""<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>ProConnect (test)</title></head><body><main><h1>ProConnect (fournisseur de test)</h1>
<form method="post" action="/login"><input type="hidden" name="request" value="{request_id}">
<label for="email">Adresse e-mail professionnelle</label>
<input id="email" name="email" type="email" value="{hint}" required>
<button type="submit">{LOGIN_BUTTON}</button></form></main></body></html>"""
        )

    async def login(self, request: Request) -> Response:
        form = await request.form()
        params = self._pending.pop(str(form.get("request", "")), None)
        email = str(form.get("email", "")).strip().lower()
        if params is None:
            return self._refuse("login", "unknown authorisation request")
        if email not in self.users:
            return self._refuse("login", f"unknown user {email}", status=403)
        session_id = secrets.token_urlsafe(24)
        self.sessions[session_id] = email
        response = self._redirect_with_code(params, email, session_id)
        response.set_cookie(SESSION_COOKIE, session_id, httponly=True, samesite="lax")
        return response

    def _redirect_with_code(self, params: dict, email: str, session_id: str) -> Response:
        code = secrets.token_urlsafe(32)
        self._codes[code] = {
            "email": email,
            "nonce": params["nonce"],
            "redirect_uri": params["redirect_uri"],
            "challenge": params.get("code_challenge"),
            "session": session_id,
            "expires": time.time() + 30,  # ProConnect's codes live 30 seconds
        }
        query = urlencode({"code": code, "state": params["state"]})
        return RedirectResponse(f"{params['redirect_uri']}?{query}", status_code=302)

    def _subject(self, email: str) -> str:
        return hashlib.sha256(f"{self.client_id}:{email}".encode()).hexdigest()

    def _sign(self, claims: dict, key=None) -> str:
        return jwt.encode({"alg": "RS256", "kid": "strict-1"}, claims, key or self._key)

    async def token(self, request: Request) -> Response:
        if "authorization" in request.headers:
            self.refusals.append(("token", "client_secret_basic: ProConnect reads the form body"))
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        form = await request.form()
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            self.refusals.append(("token", "client credentials"))
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self._codes.pop(str(form.get("code", "")), None) or {"expires": 0}
        if grant["expires"] < time.time() or form.get("redirect_uri") != grant["redirect_uri"]:
            self.refusals.append(("token", "code"))
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        if grant["challenge"]:
            verifier = str(form.get("code_verifier", ""))
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            if digest.rstrip(b"=").decode() != grant["challenge"]:
                self.refusals.append(("token", "PKCE verifier"))
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
        nonce = grant["nonce"]
        if "replayed_nonce" in self.faults:
            nonce = self._nonces[-1] if self._nonces else secrets.token_urlsafe(48)
        self._nonces.append(grant["nonce"])
        now = int(time.time())
        id_token = self._sign(
            {
                "iss": self.url,
                "aud": self.client_id,
                "sub": self._subject(grant["email"]),
                "iat": now,
                "exp": now + 60,
                "nonce": nonce,
                "acr": "eidas1",
                "amr": ["pwd"],
                "sid": grant["session"],
            }
        )
        access_token = secrets.token_urlsafe(32)
        self._tokens[access_token] = {"email": grant["email"], "expires": now + 60}
        return JSONResponse(
            {"access_token": access_token, "token_type": "Bearer", "expires_in": 60, "id_token": id_token}
        )

    async def userinfo(self, request: Request) -> Response:
        scheme, _, access_token = request.headers.get("authorization", "").partition(" ")
        grant = self._tokens.get(access_token) if scheme.lower() == "bearer" else None
        if grant is None or grant["expires"] < time.time():
            self.refusals.append(("userinfo", "access token"))
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        now = int(time.time())
        claims = {
            "iss": self.url,
            "aud": self.client_id,
            "sub": self._subject(grant["email"]),
            "iat": now,
            "exp": now + 60,
            **self.users[grant["email"]],
        }
        key = self._key
        if "userinfo_bad_signature" in self.faults:
            key = self._rogue_key
        if "userinfo_wrong_audience" in self.faults:
            claims["aud"] = "another-service"
        if "userinfo_expired" in self.faults:
            claims["iat"], claims["exp"] = now - 3600, now - 1800
        return Response(self._sign(claims, key), media_type="application/jwt")

    async def end_session(self, request: Request) -> Response:
        params = dict(request.query_params)
        unlisted = sorted(set(request.query_params.keys()) - LOGOUT_PARAMETERS)
        if unlisted:
            return self._refuse("end_session", f"unlisted parameters: {', '.join(unlisted)}")
        if len(params.get("state", "")) < 32:
            return self._refuse("end_session", "state missing or shorter than 32 characters")
        if params.get("post_logout_redirect_uri") != self.redirect_uri:
            return self._refuse("end_session", "post_logout_redirect_uri is not registered")
        try:
            hint = jwt.decode(params.get("id_token_hint", ""), KeySet([self._key]), algorithms=["RS256"])
        except (JoseError, ValueError):
            return self._refuse("end_session", "id_token_hint missing or not ours")
        if hint.claims.get("aud") != self.client_id:
            return self._refuse("end_session", "id_token_hint for another client")
        session_id = hint.claims.get("sid", "")
        email = self.sessions.pop(session_id, None)
        self.ended_sessions.append({"session": session_id, "email": email, "state": params["state"]})
        query = urlencode({"state": params["state"]})
        response = RedirectResponse(f"{params['post_logout_redirect_uri']}?{query}", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response
