"""The one place where Parcours reaches inside Streamlit's login, for ProConnect only.

Why: ``st.login`` (Streamlit 1.67.0, on Authlib 1.9.6) cannot meet ProConnect's rules
(``lib/oidc.py``) through its settings: Authlib draws a 30-character ``state`` and a
20-character ``nonce`` (ProConnect wants 32 or more), Streamlit adds ``prompt=select_account``
(ProConnect refuses it), builds ``st.user`` from the ID token only (ProConnect gives the
e-mail in a signed userinfo JWT), and logs out without ``state`` (ProConnect requires it).
Streamlit's login, its signed identity cookie and its session handling are kept; this module
wraps four of its module-level functions, for the provider blocks with ProConnect's profile:

- ``_create_oauth_client(provider)``: the Authlib client of a ProConnect block gets our
  ``authorize_redirect`` (64-character state and nonce, Streamlit's default prompt dropped,
  the URL checked against ProConnect's list before the browser goes) and our
  ``authorize_access_token`` (the ID token's nonce checked again, then the userinfo JWT
  fetched with the access token, verified against the provider's JWKS, and its claims put
  where Streamlit reads the identity: ``token["userinfo"]``);
- ``_auth_callback(request, base_url)``: a refused login lands on the login screen with
  ``?connexion=<reason>`` (a French text), and ProConnect's return after logout is recognised
  by its state;
- ``_get_provider_logout_url(request)``: ProConnect's end-session URL with ``id_token_hint``
  (from Streamlit's tokens cookie), a fresh ``state`` and ``post_logout_redirect_uri``.

Why the callback and not the script: ProConnect's access token lives 60 seconds, and every new
browser tab runs the script afresh; claims read at the callback go into Streamlit's signed
cookie and last as long as it does (``docs/decisions/0018-proconnect-under-st-login.md``).

Pinned: ``install`` refuses other versions than ``PINNED`` (the ProConnect button is then
replaced by a message; other providers work), and ``tests/test_login_hooks.py`` checks every
name and behaviour used here against the installed Streamlit and Authlib, so an upgrade fails
there first. Providers without ProConnect's profile go through Streamlit untouched.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from importlib import metadata
from typing import Any
from urllib.parse import urlencode

from lib import oidc

PINNED = {"streamlit": "1.67.0", "authlib": "1.9.6"}
# The query parameter that carries a refusal's reason to the login screen.
REFUSAL_PARAM = "connexion"
# Where the logout state waits for ProConnect's return, in Streamlit's own (signed) session.
_LOGOUT_STATE_KEY = "_parcours_logout_state"
_REFUSAL_ATTRIBUTE = "parcours_login_refused"
# Streamlit's functions this module replaces (module globals, looked up at each request).
WRAPPED = ("_create_oauth_client", "_auth_callback", "_get_provider_logout_url")

_log = logging.getLogger(__name__)
_originals: dict[str, Any] = {}


class LoginHooksUnavailable(RuntimeError):
    """The installed Streamlit or Authlib is not the one these hooks were written for."""


def installed() -> bool:
    return bool(_originals)


def install() -> None:
    """Wrap Streamlit's login functions (once per process). Raises ``LoginHooksUnavailable``
    when the versions differ from ``PINNED`` or a function we wrap is gone."""
    if _originals:
        return
    found = {name: metadata.version(name) for name in PINNED}
    if found != PINNED:
        raise LoginHooksUnavailable(f"ProConnect login written for {PINNED}, installed: {found}")
    from streamlit.web.server.starlette import starlette_auth_routes as routes

    wanted = (*WRAPPED, "_get_cookie_value_from_request")
    missing = [name for name in wanted if not callable(getattr(routes, name, None))]
    if missing:
        raise LoginHooksUnavailable(f"Streamlit no longer has {missing}")
    _originals.update({name: getattr(routes, name) for name in wanted})
    routes._create_oauth_client = _create_oauth_client
    routes._auth_callback = _auth_callback
    routes._get_provider_logout_url = _get_provider_logout_url


def uninstall() -> None:
    """Put Streamlit's functions back (tests)."""
    if not _originals:
        return
    from streamlit.web.server.starlette import starlette_auth_routes as routes

    for name in WRAPPED:
        setattr(routes, name, _originals[name])
    _originals.clear()


# --- configuration -----------------------------------------------------------------------------


def _auth_section() -> Mapping[str, Any]:
    import streamlit as st

    try:
        auth = st.secrets.to_dict().get("auth")
    except FileNotFoundError:
        return {}
    return auth if isinstance(auth, Mapping) else {}


def _proconnect_block(provider: str | None) -> Mapping[str, Any] | None:
    block = _auth_section().get(provider or "")
    return block if isinstance(block, Mapping) and oidc.is_proconnect(block) else None


def _app_root() -> str:
    from streamlit import config
    from streamlit.url_util import make_url_path

    return make_url_path(config.get_option("server.baseUrlPath") or "", "/")


def refusal_redirect(reason: str):
    """Back to the login screen, which says in plain words why (``auth.refused.<reason>``)."""
    from starlette.responses import RedirectResponse

    return RedirectResponse(f"{_app_root()}?{urlencode({REFUSAL_PARAM: reason})}", status_code=302)


# --- login -------------------------------------------------------------------------------------


def _create_oauth_client(provider: str):
    client, redirect_uri = _originals["_create_oauth_client"](provider)
    block = _proconnect_block(provider)
    if block is not None:
        _follow_proconnect_rules(client, block)
    return client, redirect_uri


def _follow_proconnect_rules(client, block: Mapping[str, Any]) -> None:
    """Give this one client (Streamlit makes a new one per request) ProConnect's behaviour."""
    from authlib.common.security import generate_token

    if "prompt" not in (block.get("client_kwargs") or {}):
        # Streamlit's default ``select_account`` is no value ProConnect accepts.
        client.client_kwargs.pop("prompt", None)
    # ProConnect's token endpoint reads client_id and client_secret from the form body.
    client.client_kwargs.setdefault("token_endpoint_auth_method", "client_secret_post")
    authorize_redirect = client.authorize_redirect
    authorize_access_token = client.authorize_access_token

    async def proconnect_authorize_redirect(request, redirect_uri=None, **kwargs):
        kwargs.setdefault("state", generate_token(oidc.RANDOM_LENGTH))
        kwargs.setdefault("nonce", generate_token(oidc.RANDOM_LENGTH))
        response = await authorize_redirect(request, redirect_uri, **kwargs)
        try:
            oidc.check_authorization_url(response.headers["location"])
        except oidc.LoginRefused as refused:
            _log.error("ProConnect login not started: %s", refused)
            return refusal_redirect(refused.reason)
        return response

    async def proconnect_authorize_access_token(request, **kwargs):
        try:
            return await _verified_token(client, authorize_access_token, request, **kwargs)
        except oidc.LoginRefused as refused:
            _log.warning("ProConnect login refused: %s", refused)
            setattr(request.state, _REFUSAL_ATTRIBUTE, refused.reason)
            raise

    client.authorize_redirect = proconnect_authorize_redirect
    client.authorize_access_token = proconnect_authorize_access_token


async def _verified_token(client, authorize_access_token, request, **kwargs) -> dict:
    from joserfc.errors import ClaimError, JoseError

    state = request.query_params.get("state")
    sent = await client.framework.get_state_data(request.session, state) if state else None
    sent_nonce = (sent or {}).get("nonce")
    try:
        token = await authorize_access_token(request, **kwargs)
    except ClaimError as exc:  # Authlib checked the ID token against the nonce it saved
        raise oidc.LoginRefused("nonce" if exc.claim == "nonce" else "id_token", str(exc)) from exc
    except JoseError as exc:
        raise oidc.LoginRefused("id_token", str(exc)) from exc
    id_claims = dict(token.get("userinfo") or {})
    # Checked again here rather than trusted to Authlib: it skips the check when its saved
    # state has no nonce, and a replayed ID token must never log anyone in.
    oidc.check_id_token_nonce(id_claims, sent_nonce)
    userinfo = await _signed_userinfo(client, token, id_claims.get("sub"))
    token["userinfo"] = oidc.identity_claims(id_claims, userinfo)
    return token


async def _signed_userinfo(client, token: dict, subject: str | None) -> dict[str, Any]:
    import httpx

    server = await client.load_server_metadata()
    # Not Authlib's ``client.get``: it treats a token within 60 s of expiry as expired, and
    # ProConnect's access tokens live 60 s, so it would never send one.
    headers = {"Authorization": f"Bearer {token.get('access_token', '')}", "Accept": "application/jwt"}
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            response = await http.get(server["userinfo_endpoint"], headers=headers)
    except Exception as exc:  # network, TLS, missing endpoint: the provider did not answer
        raise oidc.LoginRefused("userinfo_unavailable", str(exc)) from exc
    if response.status_code != 200:
        raise oidc.LoginRefused("userinfo_unavailable", f"HTTP {response.status_code}")
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/jwt":
        raise oidc.LoginRefused("userinfo_format", f"content type {content_type!r}, not a signed JWT")
    raw = response.text
    jwks = await client.fetch_jwk_set()
    if oidc.userinfo_key_id(raw) not in {k.get("kid") for k in jwks.get("keys", [])}:
        jwks = await client.fetch_jwk_set(force=True)  # the provider may have rotated its keys
    return oidc.verify_userinfo(
        raw,
        jwks=jwks,
        issuer=server.get("issuer", ""),
        client_id=client.client_id,
        subject=str(subject or ""),
        algorithms=server.get("userinfo_signing_alg_values_supported"),
        now=time.time(),
    )


async def _auth_callback(request, base_url: str):
    state = request.query_params.get("state")
    if state and "code" not in request.query_params and request.session.get(_LOGOUT_STATE_KEY) == state:
        # ProConnect sends the browser back here after logout, with the state we gave it.
        request.session.pop(_LOGOUT_STATE_KEY, None)
        from starlette.responses import RedirectResponse

        return RedirectResponse(_app_root(), status_code=302)
    response = await _originals["_auth_callback"](request, base_url)
    reason = getattr(request.state, _REFUSAL_ATTRIBUTE, None)
    if reason:
        # Streamlit has cleared the identity cookie: only the address changes.
        response.headers["location"] = f"{_app_root()}?{urlencode({REFUSAL_PARAM: reason})}"
    return response


# --- logout ------------------------------------------------------------------------------------


def _cookie_json(request, name: str) -> dict[str, Any]:
    raw = _originals["_get_cookie_value_from_request"](request, name)
    try:
        value = json.loads(raw) if raw else {}
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


async def _get_provider_logout_url(request) -> str | None:
    from streamlit.web.server.starlette.starlette_server_config import TOKENS_COOKIE_NAME, USER_COOKIE_NAME

    provider = _cookie_json(request, USER_COOKIE_NAME).get("provider")
    if _proconnect_block(provider) is None:
        return await _originals["_get_provider_logout_url"](request)
    try:
        from authlib.common.security import generate_token
        from streamlit.auth_util import get_validated_redirect_uri

        id_token = _cookie_json(request, TOKENS_COOKIE_NAME).get("id_token")
        return_to = get_validated_redirect_uri()
        if not id_token or not return_to:
            _log.warning("ProConnect logout without id_token or redirect_uri: local logout only")
            return None
        client, _ = _create_oauth_client(provider)
        state = generate_token(oidc.RANDOM_LENGTH)
        request.session[_LOGOUT_STATE_KEY] = state
        logout = await client.create_logout_url(
            post_logout_redirect_uri=return_to, id_token_hint=id_token, state=state
        )
        return logout["url"]
    except Exception:  # as Streamlit does: a provider that fails never keeps anyone logged in here
        _log.warning("ProConnect logout URL failed: local logout only", exc_info=True)
        return None
