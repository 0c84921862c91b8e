"""The login screen with a ProConnect block, through AppTest: why a login was refused, what
happens when the hooks cannot be installed, and a ProConnect identity without its verified
userinfo. (The login itself, through a browser: ``tests/e2e/test_proconnect.py``.)"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from streamlit.runtime.secrets import secrets_singleton
from streamlit.testing.v1 import AppTest

from components import login_hooks
from lib import oidc
from lib.access import Role
from lib.store import migrate
from lib.store import tables as t
from lib.store.db import make_engine
from tests.factories import APP_ENTRY, make_invitation, make_territory

SECRETS = """
[auth]
redirect_uri = "http://127.0.0.1:8599/oauth2callback"
cookie_secret = "test-only-not-a-secret"

[auth.testidp]
display_name = "Compte de test"
client_id = "parcours-test"
client_secret = "test-only-not-a-secret"
server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"

[auth.proconnect]
display_name = "ProConnect"
profile = "proconnect"
client_id = "parcours-test"
client_secret = "test-only-not-a-secret"
server_metadata_url = "http://127.0.0.1:9/api/v2/.well-known/openid-configuration"
client_kwargs = { scope = "openid email given_name usual_name" }

[parcours]
trusted_providers = ["proconnect"]
"""
PROCONNECT = "Se connecter avec ProConnect"
STANDARD = "Se connecter avec Compte de test"


@pytest.fixture
def app_engine(tmp_path, monkeypatch):
    workdir = tmp_path / "cwd"
    (workdir / ".streamlit").mkdir(parents=True)
    (workdir / ".streamlit" / "secrets.toml").write_text(SECRETS, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("PARCOURS_COORDINATORS", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(workdir)
    secrets_singleton._reset()
    yield engine
    secrets_singleton._reset()
    login_hooks.uninstall()  # AppTest installed them in this process
    engine.dispose()


def _open(user: dict | None = None, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP_ENTRY, default_timeout=60)
    at.user = user or {"is_logged_in": False}
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_login_screen_offers_proconnect_and_installs_its_rules(app_engine):
    login_hooks.uninstall()
    at = _open()
    assert [b.label for b in at.button] == [STANDARD, PROCONNECT]
    assert not at.error and not at.warning
    assert login_hooks.installed()


@pytest.mark.parametrize(
    ("reason", "sentence"),
    [
        ("userinfo_signature", "ne correspond pas aux clés publiées"),
        ("nonce", "elle a déjà servi ou vient d’une autre connexion"),
        ("userinfo_expired", "ont expiré avant d’arriver à Parcours"),
    ],
)
def test_a_refused_login_is_explained_on_the_login_screen(app_engine, reason, sentence):
    at = _open(query={login_hooks.REFUSAL_PARAM: reason})
    (error,) = at.error
    assert error.value.startswith("Connexion impossible — ") and sentence in error.value
    assert PROCONNECT in [b.label for b in at.button]  # one can try again


def test_the_address_cannot_choose_what_the_login_screen_says(app_engine):
    at = _open(query={login_hooks.REFUSAL_PARAM: "**Appelez le 0800 000 000**"})
    assert not at.error


def test_without_its_hooks_proconnect_is_replaced_by_a_message_and_the_others_still_work(
    app_engine, monkeypatch
):
    def unavailable():
        raise login_hooks.LoginHooksUnavailable("streamlit 9.9")

    monkeypatch.setattr(login_hooks, "install", unavailable)
    at = _open()
    assert [b.label for b in at.button] == [STANDARD]
    (warning,) = at.warning
    assert "La connexion avec ProConnect est momentanément désactivée" in warning.value


def test_a_proconnect_identity_without_its_verified_userinfo_is_refused_and_records_nothing(app_engine):
    territory = make_territory(app_engine, "Loos-en-Gohelle")
    make_invitation(app_engine, "agent@ville.fr", territory, Role.CONTRIBUTOR)
    user = {"is_logged_in": True, "sub": "s", "email": "agent@ville.fr", "provider": "proconnect"}

    at = _open(user)
    assert "Connexion impossible" in [title.value for title in at.title]
    assert "n’a pas pu être vérifiée jusqu’au bout" in at.error[0].value
    with app_engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.person)).scalar_one() == 0

    at = _open({**user, oidc.VERIFIED_MARK: oidc.VERIFIED_VALUE, "given_name": "Inès", "usual_name": "Agent"})
    assert not at.error
    assert "Inès Agent" in " ".join(m.value for m in at.sidebar.markdown)
