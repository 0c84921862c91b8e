"""ProConnect's rules for a service provider, as checks on what goes out and what comes back.

ProConnect (the French State's identity federation) is stricter than the OpenID Connect that
``st.login`` speaks (its service-provider guide, "Implémentation technique"):

- the authorisation request carries ``state`` and ``nonce`` of at least 32 characters, and no
  parameter outside its list (anything else answers "Y000400 Bad Request");
- the person's claims (e-mail, names, SIRET) come from the userinfo endpoint, as a JWT signed
  with the provider's keys (``application/jwt``), not from the ID token;
- logout goes through its ``end_session_endpoint`` with ``id_token_hint``, ``state`` and
  ``post_logout_redirect_uri``.

This module only decides (no network, no Streamlit): ``components/login_hooks.py`` feeds it
what Streamlit's login exchanges with the provider. A refusal is a ``LoginRefused`` whose
``reason`` names a text ``auth.refused.<reason>`` shown on the login screen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from joserfc import jws, jwt
from joserfc.errors import DecodeError, JoseError
from joserfc.jwk import KeySet

# The value of a provider block's own key ``profile`` that switches ProConnect's rules on.
PROCONNECT = "proconnect"
# ProConnect's hosts, for a block that does not say its profile (its discovery URL says it).
_PROCONNECT_HOSTS = ("proconnect.gouv.fr", "agentconnect.gouv.fr", "dev-proconnect.fr", "dev-agentconnect.fr")

# The authorisation request's parameters ProConnect accepts: its guide's list (response_type,
# client_id, redirect_uri, scope, claims, state, nonce, prompt, idp_hint), login_hint and
# acr_values (documented on their own pages), and PKCE's two, which ProConnect advertises in
# its discovery document and accepts since 2025 (Streamlit sends them whenever S256 is
# advertised).
AUTHORIZE_PARAMETERS = frozenset(
    {
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "claims",
        "state",
        "nonce",
        "prompt",
        "idp_hint",
        "login_hint",
        "acr_values",
        "code_challenge",
        "code_challenge_method",
    }
)
PROMPTS = frozenset({"login", "consent"})
MIN_RANDOM_LENGTH = 32
# What Parcours sends: 64 letters and digits (about 380 bits), twice ProConnect's minimum.
RANDOM_LENGTH = 64

# Asymmetric signatures only: with HS256 the key is the client secret, which the app holds too,
# so a signature would not prove that the provider wrote the claims. Register RS256 or ES256.
USERINFO_ALGORITHMS = ("RS256", "ES256", "PS256", "RS384", "ES384", "RS512", "ES512")
# Claims about the JWT itself, not about the person: the ID token's own stay in the identity.
_JWT_CLAIMS = frozenset({"iss", "aud", "exp", "iat", "nbf", "jti", "azp", "nonce", "at_hash", "c_hash"})

# Written by Parcours next to the claims, in the identity Streamlit signs, once the userinfo
# JWT has been verified: a ProConnect identity without it is refused.
VERIFIED_MARK = "parcours_userinfo"
VERIFIED_VALUE = "verified-jwt"

# Why a login is refused; each has its text ``auth.refused.<reason>``.
REASONS = (
    "request",
    "id_token",
    "nonce",
    "userinfo_unavailable",
    "userinfo_format",
    "userinfo_signature",
    "userinfo_issuer",
    "userinfo_audience",
    "userinfo_expired",
    "userinfo_subject",
)


class LoginRefused(Exception):
    """The provider's answer (or our own request) breaks a rule: nobody is logged in."""

    def __init__(self, reason: str, detail: str = ""):
        assert reason in REASONS, reason
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def is_proconnect(block: Mapping[str, Any]) -> bool:
    """Whether a ``[auth.<name>]`` block follows ProConnect's rules: ``profile = "proconnect"``,
    or a discovery URL on ProConnect's own hosts."""
    profile = str(block.get("profile") or "").strip().lower()
    if profile:
        return profile == PROCONNECT
    host = (urlsplit(str(block.get("server_metadata_url") or "")).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in _PROCONNECT_HOSTS)


def check_authorization_url(url: str) -> None:
    """Refuse an authorisation request ProConnect would reject, before the browser goes there."""
    params = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    names = [name for name, _ in params]
    unlisted = sorted(set(names) - AUTHORIZE_PARAMETERS)
    if unlisted:
        raise LoginRefused("request", f"parameters ProConnect does not accept: {', '.join(unlisted)}")
    if len(names) != len(set(names)):
        raise LoginRefused("request", "a parameter is repeated")
    values = dict(params)
    for name in ("state", "nonce"):
        if len(values.get(name, "")) < MIN_RANDOM_LENGTH:
            raise LoginRefused("request", f"{name} shorter than {MIN_RANDOM_LENGTH} characters")
    if "openid" not in values.get("scope", "").split():
        raise LoginRefused("request", "scope without openid")
    prompts = set(values.get("prompt", "login").split())
    if not prompts or not prompts <= PROMPTS:
        raise LoginRefused("request", f"prompt {values.get('prompt')!r}: ProConnect knows login and consent")


def check_id_token_nonce(claims: Mapping[str, Any], sent_nonce: str | None) -> None:
    """The ID token answers this very login: its nonce is the one this browser sent."""
    if not sent_nonce or len(sent_nonce) < MIN_RANDOM_LENGTH:
        raise LoginRefused("nonce", "no nonce of ours for this login")
    if claims.get("nonce") != sent_nonce:
        raise LoginRefused("nonce", "the ID token carries another login's nonce")


def userinfo_key_id(raw: str) -> str | None:
    """The ``kid`` a userinfo JWT names, to refresh the provider's keys when it is unknown."""
    try:
        return jws.extract_compact(raw.encode()).protected.get("kid")
    except (JoseError, ValueError):
        return None


def verify_userinfo(
    raw: str,
    *,
    jwks: Mapping[str, Any],
    issuer: str,
    client_id: str,
    subject: str,
    algorithms: Iterable[str] | None,
    now: float,
    leeway: int = 60,
) -> dict[str, Any]:
    """The claims of a userinfo JWT, once its signature (against the provider's published keys),
    issuer, audience, expiry and subject are checked; refuses otherwise.

    ``algorithms``: the provider's ``userinfo_signing_alg_values_supported`` (asymmetric ones
    only are kept). ``subject``: the ID token's ``sub``, which the userinfo must repeat.
    """
    allowed = [a for a in (algorithms or USERINFO_ALGORITHMS) if a in USERINFO_ALGORITHMS]
    try:
        token = jwt.decode(raw.strip(), KeySet.import_key_set(dict(jwks)), algorithms=allowed or ["RS256"])
    except DecodeError as exc:  # not a compact JWS at all
        raise LoginRefused("userinfo_format", str(exc)) from exc
    except JoseError as exc:
        raise LoginRefused("userinfo_signature", type(exc).__name__) from exc
    except ValueError as exc:  # not a JWT at all
        raise LoginRefused("userinfo_format", str(exc)) from exc
    claims = dict(token.claims)
    if claims.get("iss") != issuer:
        raise LoginRefused("userinfo_issuer", f"iss {claims.get('iss')!r}")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if client_id not in audiences:
        raise LoginRefused("userinfo_audience", f"aud {audience!r}")
    expires = claims.get("exp")
    if not isinstance(expires, (int, float)) or isinstance(expires, bool) or expires + leeway < now:
        raise LoginRefused("userinfo_expired", f"exp {expires!r}")
    not_before = claims.get("nbf")
    if isinstance(not_before, (int, float)) and not_before - leeway > now:
        raise LoginRefused("userinfo_expired", f"nbf {not_before!r}")
    if claims.get("sub") != subject:
        raise LoginRefused("userinfo_subject", "the userinfo describes someone else than the ID token")
    return claims


def identity_claims(id_token_claims: Mapping[str, Any], userinfo_claims: Mapping[str, Any]) -> dict[str, Any]:
    """What Streamlit keeps of the person: the ID token's claims, completed by the verified
    userinfo's (e-mail, names, SIRET…), and the mark that they were verified."""
    person = {k: v for k, v in userinfo_claims.items() if k not in _JWT_CLAIMS}
    return {**id_token_claims, **person, VERIFIED_MARK: VERIFIED_VALUE}
