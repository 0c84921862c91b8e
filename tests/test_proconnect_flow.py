"""The login hooks against a provider as strict as ProConnect, without a browser: the Authlib
client Streamlit makes, given ProConnect's rules by ``components/login_hooks.py``, talks to
``tests/strict_oidc.py`` over HTTP on 127.0.0.1 (the browser's part is played with httpx)."""

from __future__ import annotations

import re
import socket
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from components import login_hooks
from lib import oidc
from tests.factories import run_coroutine
from tests.strict_oidc import StrictProvider

REDIRECT = "http://127.0.0.1:8599/oauth2callback"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def strict():
    provider = StrictProvider("parcours-flow", "flow-secret", redirect_uri=REDIRECT, port=_free_port())
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture(autouse=True)
def insecure_transport(monkeypatch):
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # plain http on 127.0.0.1 only


class _Request:
    """What Authlib and the hooks read of Starlette's request."""

    def __init__(self, session: dict, query: dict | None = None):
        self.session = session
        self.query_params = query or {}
        self.scope = {"method": "GET"}
        self.state = SimpleNamespace()


def _client(strict: StrictProvider, block_kwargs: dict | None = None):
    from authlib.integrations import starlette_client
    from streamlit.web.server.starlette.starlette_auth_routes import _create_streamlit_oauth_class

    block = {"profile": "proconnect", "client_kwargs": dict(block_kwargs or {"scope": "openid email"})}
    client_kwargs = dict(block["client_kwargs"])
    client_kwargs.setdefault("prompt", "select_account")  # as Streamlit adds it
    oauth = _create_streamlit_oauth_class(starlette_client)()  # Streamlit's own, with its PKCE
    oauth.register(
        "proconnect",
        client_id=strict.client_id,
        client_secret=strict.client_secret,
        server_metadata_url=f"{strict.url}/.well-known/openid-configuration",
        client_kwargs=client_kwargs,
    )
    client = oauth.create_client("proconnect")
    login_hooks._follow_proconnect_rules(client, block)
    return client


def _log_in(strict: StrictProvider, client, email: str):
    """The browser's part: to the provider, through its login page, and back with a code."""
    session: dict = {}
    start = run_coroutine(client.authorize_redirect(_Request(session), REDIRECT))
    sent = {k: v[0] for k, v in parse_qs(urlsplit(start.headers["location"]).query).items()}
    with httpx.Client(base_url=strict.url) as browser:
        page = browser.get(start.headers["location"])
        assert page.status_code == 200, page.text
        request_id = re.search(r'name="request" value="([^"]+)"', page.text).group(1)
        back = browser.post("/login", data={"request": request_id, "email": email})
    query = {k: v[0] for k, v in parse_qs(urlsplit(back.headers["location"]).query).items()}
    callback = _Request(session, query)
    return sent, callback


def test_proconnects_rules_give_a_verified_identity(strict):
    strict.add_user("agent@ville.fr", given_name="Inès", usual_name="Agent")
    client = _client(strict)
    refusals = len(strict.refusals)

    sent, callback = _log_in(strict, client, "agent@ville.fr")
    token = run_coroutine(client.authorize_access_token(callback))

    assert len(sent["state"]) == len(sent["nonce"]) == oidc.RANDOM_LENGTH
    assert "prompt" not in sent and sent["code_challenge_method"] == "S256"
    person = token["userinfo"]
    assert (person["email"], person["given_name"], person["usual_name"]) == (
        "agent@ville.fr",
        "Inès",
        "Agent",
    )
    assert person[oidc.VERIFIED_MARK] == oidc.VERIFIED_VALUE
    assert person["iss"] == strict.url and person["nonce"] == sent["nonce"]  # the ID token's own
    assert len(strict.refusals) == refusals


def test_prompt_login_is_sent_when_the_block_asks_for_it(strict):
    client = _client(strict, {"scope": "openid email", "prompt": "login"})
    start = run_coroutine(client.authorize_redirect(_Request({}), REDIRECT))
    assert parse_qs(urlsplit(start.headers["location"]).query)["prompt"] == ["login"]


def test_a_parameter_proconnect_does_not_list_never_leaves_parcours(strict):
    client = _client(strict, {"scope": "openid email", "response_mode": "query"})
    start = run_coroutine(client.authorize_redirect(_Request({}), REDIRECT))
    assert start.headers["location"] == f"/?{login_hooks.REFUSAL_PARAM}=request"


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("userinfo_bad_signature", "userinfo_signature"),
        ("userinfo_wrong_audience", "userinfo_audience"),
        ("userinfo_expired", "userinfo_expired"),
        ("replayed_nonce", "nonce"),
    ],
)
def test_each_fault_of_the_provider_refuses_the_login_and_says_why(strict, fault, reason):
    strict.add_user("agent@ville.fr", given_name="Inès", usual_name="Agent")
    _log_in(strict, _client(strict), "agent@ville.fr")  # an earlier login, whose nonce may come back
    client = _client(strict)
    _, callback = _log_in(strict, client, "agent@ville.fr")
    strict.faults.add(fault)
    try:
        with pytest.raises(oidc.LoginRefused) as refused:
            run_coroutine(client.authorize_access_token(callback))
    finally:
        strict.faults.discard(fault)
    assert refused.value.reason == reason
    assert callback.state.parcours_login_refused == reason  # what the callback turns into a sentence


def test_the_same_callback_cannot_be_used_twice(strict):
    strict.add_user("agent@ville.fr", given_name="Inès", usual_name="Agent")
    client = _client(strict)
    _, callback = _log_in(strict, client, "agent@ville.fr")
    run_coroutine(client.authorize_access_token(callback))
    with pytest.raises(Exception):  # noqa: B017 - Authlib's state is gone: MismatchingStateError
        run_coroutine(client.authorize_access_token(callback))


def test_proconnects_return_after_logout_is_recognised_by_its_state():
    state = "L" * oidc.RANDOM_LENGTH
    session = {login_hooks._LOGOUT_STATE_KEY: state}
    response = run_coroutine(login_hooks._auth_callback(_Request(session, {"state": state}), ""))
    assert response.status_code == 302 and response.headers["location"] == "/"
    assert login_hooks._LOGOUT_STATE_KEY not in session  # a state serves once
