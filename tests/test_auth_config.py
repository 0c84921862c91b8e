"""The documented configuration matches what the code reads, and every text has both languages."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from lib import oidc
from lib.i18n import catalogue

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / ".streamlit" / "secrets.example.toml"
AUTH_FILES = [
    "components/auth.py",
    "components/login_hooks.py",
    "components/membership.py",
    "pages/access_request.py",
    "pages/members.py",
    "lib/services/identity.py",
    "lib/services/membership.py",
]

_LOGIN_KEYS = (
    r"\[auth",
    "redirect_uri",
    "cookie_secret",
    "display_name",
    "profile",
    "client_id",
    "client_secret",
    "server_metadata_url",
    "client_kwargs",
)


def _uncommented(text: str) -> dict:
    """The example with its commented-out login blocks switched on, as someone would."""
    keys = "|".join(_LOGIN_KEYS)
    return tomllib.loads(re.sub(rf"^# ({keys})", r"\1", text, flags=re.MULTILINE))


def test_the_example_secrets_keep_demo_mode_as_they_are():
    secrets = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert "auth" not in secrets
    assert secrets["parcours"] == {"coordinators": [], "trusted_providers": []}


def test_the_example_documents_a_working_block_for_each_provider():
    auth = _uncommented(EXAMPLE.read_text(encoding="utf-8"))["auth"]
    assert auth["redirect_uri"].endswith("/oauth2callback") and auth["cookie_secret"]
    providers = {name: block for name, block in auth.items() if isinstance(block, dict)}
    assert set(providers) == {"proconnect", "google", "microsoft", "keycloak"}
    for name, block in providers.items():
        assert "_" not in name  # Streamlit refuses underscores in provider names
        assert {"display_name", "client_id", "client_secret", "server_metadata_url", "client_kwargs"} <= set(
            block
        )
        assert block["server_metadata_url"].endswith("/.well-known/openid-configuration")
        assert "openid" in block["client_kwargs"]["scope"].split()
    # Only ProConnect's block follows ProConnect's rules, and its request passes them.
    assert {name for name, block in providers.items() if oidc.is_proconnect(block)} == {"proconnect"}
    assert providers["proconnect"]["profile"] == oidc.PROCONNECT
    assert set(providers["proconnect"]["client_kwargs"]) <= {"scope", "prompt"}
    assert set(providers["proconnect"]["client_kwargs"]["scope"].split()) == {
        "openid", "email", "given_name", "usual_name"
    }  # fmt: skip


def test_every_text_key_used_for_login_and_access_exists_in_both_languages():
    texts = catalogue()
    used = set()
    for path in AUTH_FILES:
        source = (ROOT / path).read_text(encoding="utf-8")
        # Services name error codes only; their other "auth." strings are activity-log actions.
        pattern = (
            r"""["'](auth\.error\.[a-z_.]+)["']""" if "services" in path else r"""["'](auth\.[a-z_.]+)["']"""
        )
        used |= set(re.findall(pattern, source))
        # A pager is given the prefix of its wording (components.ui.pager): the keys are under it.
        for prefix in re.findall(r"""labels=["'](auth\.[a-z_.]+)["']""", source):
            used.discard(prefix)
            used |= {f"{prefix}.{part}" for part in ("page", "previous", "next")}
    used |= {f"auth.request.status.{s}" for s in ("pending", "accepted", "refused")}
    used |= {f"auth.invitations.status.{s}" for s in ("pending", "accepted", "revoked", "expired")}
    missing = sorted(k for k in used if not (texts.get(k, {}).get("fr") and texts.get(k, {}).get("en")))
    assert missing == []
    assert len(used) > 60
