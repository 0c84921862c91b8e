"""What ``components/login_hooks.py`` relies on inside Streamlit and Authlib, checked one by one.

An upgrade of either fails here first, loudly, naming the assumption that broke; then read the
new versions' code, adjust the hooks, and change ``PINNED`` with ``requirements.txt``.
"""

from __future__ import annotations

import inspect
import time
from importlib import metadata
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc import jwt
from joserfc.errors import ClaimError
from joserfc.jwk import RSAKey

from components import login_hooks
from lib.store.db import ROOT
from tests.factories import run_coroutine

ISSUER = "https://provider.test"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256"})


def _routes():
    from streamlit.web.server.starlette import starlette_auth_routes

    return starlette_auth_routes


def _pinned_in_requirements() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        spec = line.split("#")[0].strip()
        if "==" in spec:
            name, version = spec.split("==")
            pins[name.split("[")[0].lower()] = version
    return pins


def test_the_hooks_are_written_for_the_versions_pinned_and_installed():
    pins = _pinned_in_requirements()
    for name, version in login_hooks.PINNED.items():
        assert pins[name] == version, f"requirements.txt pins {name} {pins[name]}, the hooks {version}"
        assert metadata.version(name) == version, f"{name} {metadata.version(name)} installed"


def test_install_refuses_another_version(monkeypatch):
    monkeypatch.setattr(login_hooks.metadata, "version", lambda name: "99.0")
    login_hooks.uninstall()
    with pytest.raises(login_hooks.LoginHooksUnavailable):
        login_hooks.install()
    assert not login_hooks.installed()


def test_install_replaces_streamlits_functions_and_uninstall_puts_them_back():
    routes = _routes()
    originals = {name: getattr(routes, name) for name in login_hooks.WRAPPED}
    login_hooks.uninstall()
    login_hooks.install()
    try:
        for name in login_hooks.WRAPPED:
            assert getattr(routes, name) is getattr(login_hooks, name)
    finally:
        login_hooks.uninstall()
    for name, function in originals.items():
        if function.__module__ == routes.__name__:
            assert getattr(routes, name) is function


@pytest.mark.parametrize(
    ("name", "parameters"),
    [
        ("_create_oauth_client", ["provider"]),
        ("_auth_callback", ["request", "base_url"]),
        ("_get_provider_logout_url", ["request"]),
        ("_get_cookie_value_from_request", ["request", "cookie_name"]),
    ],
)
def test_streamlit_still_has_the_functions_the_hooks_wrap(name, parameters):
    function = getattr(_routes(), name)
    assert list(inspect.signature(function).parameters) == parameters


def test_streamlits_routes_look_the_wrapped_functions_up_at_each_request():
    """A route that captured a function when the server started would skip the hooks."""
    routes = _routes()
    callback = {r.path: r.endpoint for r in routes.create_auth_routes("")}["/oauth2callback"]
    assert "_auth_callback" in callback.__code__.co_names
    assert "_create_oauth_client" in routes._auth_login.__code__.co_names
    assert "_create_oauth_client" in routes._auth_callback.__code__.co_names
    assert "_get_provider_logout_url" in routes._auth_logout.__code__.co_names


def test_streamlit_builds_the_identity_from_token_userinfo_and_adds_select_account():
    routes = _routes()
    callback = inspect.getsource(routes._auth_callback)
    # The cookie is ``dict(token["userinfo"], provider=...)``: where the hooks put the claims.
    assert 'user = token.get("userinfo")' in callback
    assert "dict(user, origin=origin, is_logged_in=True, provider=provider)" in callback
    # The tokens cookie keeps the ID token, which the hooks send back as id_token_hint.
    assert '"id_token"' in callback
    # The default prompt the hooks remove for ProConnect.
    assert '"select_account"' in inspect.getsource(routes._create_oauth_client)


def test_the_logout_state_lives_in_streamlits_session_cookie_signed_with_the_cookie_secret():
    from streamlit.web.server.starlette import starlette_app

    assert "SessionMiddleware" in inspect.getsource(starlette_app.create_streamlit_middleware)


# --- Authlib, driven as the hooks drive it, without a network -------------------------------------


class _Request:
    def __init__(self, session: dict, query: dict | None = None):
        self.session = session
        self.query_params = query or {}
        self.scope = {"method": "GET"}


def _client():
    from authlib.integrations.starlette_client import OAuth

    oauth = OAuth()
    oauth.register(
        "proconnect",
        client_id="parcours",
        client_secret="secret",
        client_kwargs={"scope": "openid email"},
        issuer=ISSUER,
        authorization_endpoint=f"{ISSUER}/authorize",
        token_endpoint=f"{ISSUER}/token",
        end_session_endpoint=f"{ISSUER}/session/end",
        jwks={"keys": [KEY.as_dict(private=False)]},
        id_token_signing_alg_values_supported=["RS256"],
    )
    return oauth.create_client("proconnect")


def _id_token(nonce: str) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": "parcours", "sub": "abc", "iat": now, "exp": now + 60, "nonce": nonce}
    return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, KEY)


def test_authlib_sends_the_state_and_nonce_it_is_given_and_keeps_them_for_the_callback():
    client = _client()
    session: dict = {}
    response = run_coroutine(
        client.authorize_redirect(
            _Request(session), "https://app/oauth2callback", state="S" * 64, nonce="N" * 64
        )
    )
    sent = parse_qs(urlsplit(response.headers["location"]).query)
    assert sent["state"] == ["S" * 64] and sent["nonce"] == ["N" * 64]
    saved = run_coroutine(client.framework.get_state_data(session, "S" * 64))
    assert saved["nonce"] == "N" * 64


def test_authlib_checks_the_id_tokens_nonce_and_puts_its_claims_in_token_userinfo():
    for returned_nonce, accepted in (("N" * 64, True), ("old" * 20, False)):
        client = _client()
        session: dict = {}
        run_coroutine(
            client.authorize_redirect(_Request(session), "https://app/cb", state="S" * 64, nonce="N" * 64)
        )

        async def fetch_access_token(nonce=returned_nonce, **kwargs):
            return {"access_token": "at", "token_type": "Bearer", "id_token": _id_token(nonce)}

        client.fetch_access_token = fetch_access_token
        request = _Request(session, {"code": "c", "state": "S" * 64})
        if accepted:
            token = run_coroutine(client.authorize_access_token(request))
            assert token["userinfo"]["nonce"] == "N" * 64 and token["userinfo"]["sub"] == "abc"
        else:
            with pytest.raises(ClaimError) as refused:
                run_coroutine(client.authorize_access_token(request))
            assert refused.value.claim == "nonce"


def test_authlib_builds_proconnects_logout_url_with_exactly_its_three_parameters():
    client = _client()
    logout = run_coroutine(
        client.create_logout_url(
            post_logout_redirect_uri="https://app/oauth2callback", id_token_hint="idt", state="L" * 64
        )
    )
    sent = parse_qs(urlsplit(logout["url"]).query)
    assert sent == {
        "post_logout_redirect_uri": ["https://app/oauth2callback"],
        "id_token_hint": ["idt"],
        "state": ["L" * 64],
    }


def test_authlib_draws_letters_and_digits_and_fetches_keys_on_demand():
    from authlib.common.security import generate_token

    token = generate_token(64)
    assert len(token) == 64 and token.isalnum()
    assert "force" in inspect.signature(_client().fetch_jwk_set).parameters
