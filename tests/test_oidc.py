"""ProConnect's rules as checks (lib/oidc.py): what Parcours sends, and what it accepts back."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

from lib import oidc
from lib.i18n import catalogue

ISSUER = "https://auth.example.gouv.fr/api/v2"
CLIENT = "parcours-client"
SUBJECT = "b8c2a1f0"
NOW = 1_800_000_000
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256", "use": "sig"})
JWKS = {"keys": [KEY.as_dict(private=False)]}


def _url(**params) -> str:
    base = {
        "response_type": "code",
        "client_id": CLIENT,
        "redirect_uri": "https://parcours.example.org/oauth2callback",
        "scope": "openid email given_name usual_name",
        "state": "s" * 64,
        "nonce": "n" * 64,
        "code_challenge": "abc",
        "code_challenge_method": "S256",
    }
    base.update(params)
    return f"{ISSUER}/authorize?{urlencode({k: v for k, v in base.items() if v is not None})}"


def _userinfo(key=KEY, **claims) -> str:
    body = {"iss": ISSUER, "aud": CLIENT, "sub": SUBJECT, "iat": NOW, "exp": NOW + 60}
    body.update({"email": "agent@ville.fr", "given_name": "Inès", "usual_name": "Agent", "siret": "1" * 14})
    body.update(claims)
    alg = "HS256" if isinstance(key, OctKey) else "RS256"
    return jwt.encode({"alg": alg, "kid": "k1"}, {k: v for k, v in body.items() if v is not None}, key)


def _verify(raw: str, **overrides):
    args = {"jwks": JWKS, "issuer": ISSUER, "client_id": CLIENT, "subject": SUBJECT, "algorithms": None}
    args.update(overrides)
    return oidc.verify_userinfo(raw, now=NOW, **args)


def _reason(call) -> str:
    with pytest.raises(oidc.LoginRefused) as refused:
        call()
    return refused.value.reason


# --- what goes out ---------------------------------------------------------------------------


def test_a_request_with_only_proconnects_parameters_and_long_random_values_passes():
    oidc.check_authorization_url(_url())
    oidc.check_authorization_url(_url(prompt="login", login_hint="agent@ville.fr", acr_values="eidas1"))


@pytest.mark.parametrize(
    "params",
    [
        {"state": "s" * 30},  # Authlib's own length
        {"nonce": "n" * 20},  # Authlib's own length
        {"nonce": None},
        {"prompt": "select_account"},  # Streamlit's default
        {"response_mode": "query"},
        {"access_type": "offline"},
        {"scope": "email"},
    ],
)
def test_a_request_proconnect_would_answer_y000400_is_refused_before_the_browser_goes(params):
    assert _reason(lambda: oidc.check_authorization_url(_url(**params))) == "request"


def test_what_parcours_draws_is_twice_proconnects_minimum():
    assert oidc.RANDOM_LENGTH >= 2 * oidc.MIN_RANDOM_LENGTH == 64


# --- what comes back -------------------------------------------------------------------------


def test_a_signed_userinfo_gives_the_person_and_the_mark_of_its_check():
    claims = _verify(_userinfo())
    assert claims["email"] == "agent@ville.fr" and claims["usual_name"] == "Agent"
    identity = oidc.identity_claims({"sub": SUBJECT, "iss": ISSUER, "nonce": "n" * 64}, claims)
    assert identity["email"] == "agent@ville.fr" and identity["given_name"] == "Inès"
    assert identity["iss"] == ISSUER and identity["nonce"] == "n" * 64  # the ID token's own, kept
    assert identity[oidc.VERIFIED_MARK] == oidc.VERIFIED_VALUE


def test_a_userinfo_signed_with_a_key_the_provider_does_not_publish_is_refused():
    rogue = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    assert _reason(lambda: _verify(_userinfo(key=rogue))) == "userinfo_signature"


def test_a_userinfo_signed_with_the_client_secret_is_refused():
    # HS256 proves nothing the app could not have written itself.
    secret = OctKey.import_key("a-client-secret-of-some-length-0123456789")
    jwks = {"keys": [*JWKS["keys"], {**secret.as_dict(), "kid": "k1"}]}
    assert _reason(lambda: _verify(_userinfo(key=secret), jwks=jwks)) == "userinfo_signature"


def test_a_userinfo_for_another_service_is_refused():
    assert _reason(lambda: _verify(_userinfo(aud="another-service"))) == "userinfo_audience"
    assert _reason(lambda: _verify(_userinfo(aud=None))) == "userinfo_audience"
    assert _verify(_userinfo(aud=["another-service", CLIENT]))["email"] == "agent@ville.fr"


def test_an_expired_userinfo_is_refused():
    assert _reason(lambda: _verify(_userinfo(iat=NOW - 3600, exp=NOW - 1800))) == "userinfo_expired"
    assert _reason(lambda: _verify(_userinfo(exp=None))) == "userinfo_expired"
    assert _verify(_userinfo(exp=NOW - 30))["email"]  # within the clock leeway


def test_a_userinfo_from_another_issuer_or_about_someone_else_is_refused():
    assert _reason(lambda: _verify(_userinfo(iss="https://evil.example"))) == "userinfo_issuer"
    assert _reason(lambda: _verify(_userinfo(sub="someone-else"))) == "userinfo_subject"


def test_a_userinfo_that_is_no_jwt_is_refused():
    assert _reason(lambda: _verify('{"email": "agent@ville.fr"}')) == "userinfo_format"


def test_an_id_token_with_another_logins_nonce_is_refused():
    oidc.check_id_token_nonce({"nonce": "n" * 64}, "n" * 64)
    assert _reason(lambda: oidc.check_id_token_nonce({"nonce": "old" * 20}, "n" * 64)) == "nonce"
    assert _reason(lambda: oidc.check_id_token_nonce({}, "n" * 64)) == "nonce"
    assert _reason(lambda: oidc.check_id_token_nonce({"nonce": "short"}, "short")) == "nonce"


def test_the_key_id_is_read_to_refresh_the_providers_keys():
    assert oidc.userinfo_key_id(_userinfo()) == "k1"
    assert oidc.userinfo_key_id("not a jwt") is None


# --- configuration and texts -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ({"profile": "proconnect", "server_metadata_url": "http://127.0.0.1:9400/x"}, True),
        ({"server_metadata_url": "https://auth.agentconnect.gouv.fr/api/v2/.well-known/x"}, True),
        ({"server_metadata_url": "https://fca.integ01.dev-agentconnect.fr/api/v2/.well-known/x"}, True),
        ({"server_metadata_url": "https://proconnect.gouv.fr.evil.example/x"}, False),
        ({"server_metadata_url": "https://accounts.google.com/.well-known/openid-configuration"}, False),
        ({"profile": "standard", "server_metadata_url": "https://auth.agentconnect.gouv.fr/x"}, False),
    ],
)
def test_a_block_follows_proconnects_rules_when_it_says_so_or_points_at_proconnect(block, expected):
    assert oidc.is_proconnect(block) is expected


def test_every_refusal_is_explained_in_both_languages():
    texts = catalogue()
    for reason in oidc.REASONS:
        assert texts[f"auth.refused.{reason}"]["fr"] and texts[f"auth.refused.{reason}"]["en"]
