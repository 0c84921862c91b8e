"""Login and access pages through AppTest, with a login provider configured.

AppTest reads ``.streamlit/secrets.toml`` from the working directory, and Streamlit keeps
the first secrets it parsed for the whole process. The ``logged_app`` fixture therefore
runs each test from a temporary directory holding a secrets file with an ``[auth]``
section (never /work/main, which must stay in demo mode), and empties Streamlit's secrets
cache before and after so other tests see no ``[auth]``. ``at.user`` plays the part of
the identity cookie that Streamlit signs after a real login.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from streamlit.runtime.secrets import secrets_singleton
from streamlit.testing.v1 import AppTest

from components.navigation import page_path
from lib.access import Role
from lib.store import migrate, tables
from lib.store.db import make_engine
from tests.conftest import count_rows
from tests.factories import (
    APP_ENTRY,
    as_read,
    make_access_request,
    make_actor,
    make_invitation,
    make_membership,
    make_person,
    make_territory,
)

SEND_REQUEST = "FormSubmitter:access_request_form-Envoyer la demande"
INVITE = "FormSubmitter:invite_form-Inviter"
LOGIN = "Se connecter avec Compte de test"

SECRETS = """
[auth]
redirect_uri = "http://127.0.0.1:8599/oauth2callback"
cookie_secret = "test-only-not-a-secret"

[auth.testidp]
display_name = "Compte de test"
client_id = "parcours-test"
client_secret = "test-only-not-a-secret"
server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"

[parcours]
coordinators = ["coord@reseau.test"]
trusted_providers = []
"""


@dataclass
class Logged:
    engine: Engine
    territory: int
    other: int


@pytest.fixture
def logged_app(tmp_path, monkeypatch) -> Logged:
    workdir = tmp_path / "cwd"
    (workdir / ".streamlit").mkdir(parents=True)
    (workdir / ".streamlit" / "secrets.toml").write_text(SECRETS, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("PARCOURS_COORDINATORS", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.streamlit/secrets.toml either
    monkeypatch.chdir(workdir)
    secrets_singleton._reset()
    yield Logged(engine, make_territory(engine, "Loos-en-Gohelle"), make_territory(engine, "Grande-Synthe"))
    secrets_singleton._reset()
    engine.dispose()


def _user(email: str, **claims) -> dict:
    return {
        "is_logged_in": True,
        "sub": f"sub-{email}",
        "email": email,
        "email_verified": True,
        "provider": "testidp",
        **claims,
    }


def _open(user: dict | None, session: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP_ENTRY, default_timeout=60)
    at.user = user if user is not None else {"is_logged_in": False}
    for key, value in (session or {}).items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _texts(at: AppTest, kind: str) -> list[str]:
    return [el.value for el in at.get(kind)]


def _all_text(at: AppTest) -> str:
    """Everything written on the page, as a person reads it (Markdown escapes and the invisible
    word joiners that keep bare addresses from becoming links removed)."""
    text = " ".join(
        str(v)
        for kind in ("title", "markdown", "info", "success", "error", "caption")
        for v in _texts(at, kind)
    )
    return text.replace("\\", "").replace("\u2060", "")


# --- the gate ---------------------------------------------------------------------------------


def test_a_visitor_sees_only_the_login_screen_with_each_provider_by_name(logged_app):
    demo = make_actor(logged_app.engine, Role.COORDINATOR, None, "Coordinatrice de démo")

    at = _open(None, {"demo_person_id": demo.person_id})

    assert _texts(at, "title") == ["Bienvenue sur Parcours"]
    assert [b.label for b in at.button] == [LOGIN]
    assert not at.selectbox  # no persona picker, whatever the session says
    assert "Mode démo" not in _all_text(at)
    assert at.session_state["actor"] is None


def test_a_campaign_link_opens_without_login_and_shows_nothing_else(logged_app):
    at = AppTest.from_file(APP_ENTRY, default_timeout=60)
    at.user = {"is_logged_in": False}
    at.query_params["campagne"] = "lien-inconnu"
    at.run()

    assert not at.exception
    assert "Questionnaire introuvable" in _texts(at, "title") + _texts(at, "header")
    assert LOGIN not in [b.label for b in at.button]


def test_the_demo_persona_key_cannot_choose_an_identity_once_logged_in(logged_app):
    demo = make_actor(logged_app.engine, Role.COORDINATOR, None, "Coordinatrice de démo")

    at = _open(_user("inconnu@mairie.test"), {"demo_person_id": demo.person_id})

    assert at.session_state["actor"].email == "inconnu@mairie.test"
    assert not at.session_state["actor"].is_coordinator
    assert _texts(at, "title") == ["Demander un accès"]


def test_an_email_the_provider_does_not_vouch_for_is_refused_politely(logged_app):
    at = _open(_user("douteux@exemple.test", email_verified=False))

    assert _texts(at, "title") == ["Connexion impossible"]
    assert "douteux@exemple.test" in as_read(_texts(at, "error")[0])
    assert [b.label for b in at.button] == ["Se déconnecter"]
    assert count_rows(logged_app.engine, tables.person) == 0


# --- a person with no membership --------------------------------------------------------------


def test_a_person_without_membership_asks_for_access(logged_app):
    at = _open(_user("nouvelle@loos.test", name="Nina Nouvelle"))

    assert _texts(at, "title") == ["Demander un accès"]
    assert "Nina Nouvelle" in _all_text(at)
    at.selectbox(key="access_request_territory").set_value(logged_app.territory)
    at.text_area(key="access_request_message").input("Chargée de mission transition à la mairie.")
    at.button(key=SEND_REQUEST).click()
    at.run()

    assert not at.exception
    assert any(s.startswith("Demande envoyée") for s in _texts(at, "success"))
    assert at.text_area(key="access_request_message").value == ""
    assert "**Loos-en-Gohelle** — en attente de réponse" in _all_text(at)
    with logged_app.engine.connect() as conn:
        request = conn.execute(sa.select(tables.access_request)).one()
    assert (request.territory_id, request.status) == (logged_app.territory, "pending")
    assert request.message == "Chargée de mission transition à la mairie."


def test_a_request_without_a_territory_is_refused_next_to_the_choice(logged_app):
    at = _open(_user("distrait@loos.test"))
    at.text_area(key="access_request_message").input("Bonjour !")
    at.button(key=SEND_REQUEST).click()
    at.run()

    # Under the choice, and by the button: where the person is looking.
    assert _texts(at, "error") == ["Ce champ est obligatoire.", "Certains champs sont à corriger."]
    assert at.text_area(key="access_request_message").value == "Bonjour !"
    assert count_rows(logged_app.engine, tables.access_request) == 0


def test_a_second_request_for_the_same_territory_is_refused_next_to_it_and_the_message_kept(logged_app):
    at = _open(_user("insistant@loos.test"))
    at.selectbox(key="access_request_territory").set_value(logged_app.territory)
    at.button(key=SEND_REQUEST).click()
    at.run()
    at.selectbox(key="access_request_territory").set_value(logged_app.territory)
    at.text_area(key="access_request_message").input("Je relance ma demande.")
    at.button(key=SEND_REQUEST).click()
    at.run()

    assert "Vous avez déjà une demande en attente pour cet espace." in _texts(at, "error")
    assert at.text_area(key="access_request_message").value == "Je relance ma demande."
    assert count_rows(logged_app.engine, tables.access_request) == 1


# --- members ----------------------------------------------------------------------------------


def test_a_contributor_lands_on_their_territory_without_the_members_page(logged_app):
    contributor = make_actor(logged_app.engine, Role.CONTRIBUTOR, logged_app.territory, "Camille")
    at = _open(_user(contributor.email))

    assert [as_read(x) for x in _texts(at, "title")] == ["Loos-en-Gohelle en un coup d’œil"]
    assert at.session_state["actor"].role_in(logged_app.territory) == Role.CONTRIBUTOR
    assert "Se déconnecter" in [b.label for b in at.button]
    with pytest.raises(Exception, match=r"not found|Could not find"):
        at.switch_page(page_path("members"))


def test_a_revoked_membership_is_gone_at_the_next_click(logged_app):
    contributor = make_actor(logged_app.engine, Role.CONTRIBUTOR, logged_app.territory, "Camille")
    at = _open(_user(contributor.email))
    assert [as_read(x) for x in _texts(at, "title")] == ["Loos-en-Gohelle en un coup d’œil"]

    with logged_app.engine.begin() as conn:
        conn.execute(sa.delete(tables.membership))
    at.run()  # the same session, the next click

    assert _texts(at, "title") == ["Demander un accès"]


def test_a_territory_admin_invites_to_their_territory(logged_app):
    admin = make_actor(logged_app.engine, Role.TERRITORY_ADMIN, logged_app.territory, "Anne Admin")
    at = _open(_user(admin.email))
    at.switch_page(page_path("members"))
    at.run()
    assert _texts(at, "title") == ["Membres et accès"]
    # Only their territory to manage, and no coordinator role to hand out.
    assert at.selectbox(key="members_scope").options == ["Loos-en-Gohelle"]
    assert "Coordination du réseau" not in at.selectbox(key="invite_role").options

    at.text_input(key="invite_email").input("pas-une-adresse")
    at.selectbox(key="invite_role").set_value(Role.CONTRIBUTOR)
    at.button(key=INVITE).click()
    at.run()
    assert "Cette adresse e-mail n’est pas valide." in _texts(at, "error")
    assert at.text_input(key="invite_email").value == "pas-une-adresse"
    assert count_rows(logged_app.engine, tables.invitation) == 0

    at.text_input(key="invite_email").input("Agent.Nouveau@Loos.test")
    at.button(key=INVITE).click()
    at.run()
    assert not at.exception
    assert "Invitation créée pour agent.nouveau@loos.test." in [as_read(x) for x in _texts(at, "success")]
    with logged_app.engine.connect() as conn:
        invitation = conn.execute(sa.select(tables.invitation)).one()
    assert (invitation.email, invitation.territory_id, invitation.role) == (
        "agent.nouveau@loos.test",
        logged_app.territory,
        "contributor",
    )
    assert invitation.invited_by == admin.person_id

    # The invitee logs in and lands on the territory.
    invited = _open(_user("agent.nouveau@loos.test"))
    assert [as_read(x) for x in _texts(invited, "title")] == ["Loos-en-Gohelle en un coup d’œil"]


def test_a_configured_coordinator_manages_the_network_and_answers_requests(logged_app):
    asker = make_person(logged_app.engine, "Paul Demandeur", email="paul@synthe.test")
    request = make_access_request(logged_app.engine, asker, logged_app.other, "Agent de Grande-Synthe.")

    at = _open(_user("Coord@Reseau.test"))
    assert at.session_state["actor"].is_coordinator
    at.switch_page(page_path("members"))
    at.run()

    assert at.selectbox(key="members_scope").options[0] == "Réseau (coordination)"
    assert "Agent de Grande-Synthe." in _all_text(at)
    at.selectbox(key=f"request_role_{request}").set_value(Role.TERRITORY_ADMIN)
    at.button(key=f"request_accept_{request}").click()
    at.run()

    assert not at.exception
    assert "Demande de Paul Demandeur acceptée." in _texts(at, "success")
    with logged_app.engine.connect() as conn:
        granted = conn.execute(
            sa.select(tables.membership).where(tables.membership.c.person_id == asker)
        ).one()
    assert (granted.territory_id, granted.role) == (logged_app.other, "territory_admin")


def test_an_invitation_starts_from_the_least_powerful_role(logged_app):
    # Issue 7, item 13: one click used to invite an outside address with the most powerful role.
    admin = make_actor(logged_app.engine, Role.TERRITORY_ADMIN, logged_app.territory, "Anne Admin")
    asker = make_person(logged_app.engine, "Paul Demandeur", email="paul@loos.test")
    request = make_access_request(logged_app.engine, asker, logged_app.territory)
    at = _open(_user(admin.email))
    at.switch_page(page_path("members"))
    at.run()

    assert at.selectbox(key="invite_role").value == Role.READER
    assert at.selectbox(key=f"request_role_{request}").value == Role.READER


def test_granting_network_coordination_asks_for_a_confirmation_first(logged_app):
    at = _open(_user("coord@reseau.test"))
    at.switch_page(page_path("members"))
    at.run()
    assert at.selectbox(key="members_scope").value is None  # the network
    assert at.selectbox(key="invite_role").value == Role.COORDINATOR  # the one role there

    at.text_input(key="invite_email").input("externe@ailleurs.test")
    at.button(key=INVITE).click()
    at.run()
    assert not at.exception, at.exception
    assert "Cochez la case pour confirmer que vous donnez la coordination du réseau." in _texts(at, "error")
    assert at.text_input(key="invite_email").value == "externe@ailleurs.test"
    assert count_rows(logged_app.engine, tables.invitation) == 0

    at.checkbox(key="invite_confirm_coordination").check()
    at.button(key=INVITE).click()
    at.run()
    assert "Invitation créée pour externe@ailleurs.test." in [as_read(x) for x in _texts(at, "success")]
    with logged_app.engine.connect() as conn:
        invitation = conn.execute(sa.select(tables.invitation)).one()
    assert (invitation.territory_id, invitation.role) == (None, "coordinator")


def test_accepting_a_network_request_as_coordinator_asks_for_a_confirmation_first(logged_app):
    asker = make_person(logged_app.engine, "Nora Réseau", email="nora@reseau.test")
    request = make_access_request(logged_app.engine, asker, None, "Pour coordonner avec vous.")
    at = _open(_user("coord@reseau.test"))
    at.switch_page(page_path("members"))
    at.run()
    at.button(key=f"request_accept_{request}").click()
    at.run()
    assert "Cochez la case pour confirmer que vous donnez la coordination du réseau." in _texts(at, "error")
    assert _memberships_of(logged_app, asker) == []

    at.checkbox(key=f"request_confirm_{request}").check()
    at.button(key=f"request_accept_{request}").click()
    at.run()
    assert "Demande de Nora Réseau acceptée." in _texts(at, "success")
    assert _memberships_of(logged_app, asker) == [(None, "coordinator")]


def _memberships_of(logged_app, person_id: int) -> list[tuple]:
    with logged_app.engine.connect() as conn:
        rows = conn.execute(
            sa.select(tables.membership.c.territory_id, tables.membership.c.role).where(
                tables.membership.c.person_id == person_id
            )
        ).all()
    return [tuple(r) for r in rows]


# --- invitations that must give nothing ---------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "options"),
    [("revoked", {"revoked": True}), ("expired", {"expires_in": timedelta(minutes=-1)})],
)
def test_a_revoked_or_expired_invitation_gives_no_access(logged_app, case, options):
    make_invitation(
        logged_app.engine, f"{case}@loos.test", logged_app.territory, Role.TERRITORY_ADMIN, **options
    )

    at = _open(_user(f"{case}@loos.test"))

    assert _texts(at, "title") == ["Demander un accès"]
    assert at.session_state["actor"].memberships == ()
    assert count_rows(logged_app.engine, tables.membership) == 0


def test_accepting_a_request_from_someone_already_member_says_why_it_is_refused(logged_app):
    admin = make_actor(logged_app.engine, Role.TERRITORY_ADMIN, logged_app.territory, "Anne Admin")
    asker = make_person(logged_app.engine, "Déjà Là", email="deja@loos.test")
    request = make_access_request(logged_app.engine, asker, logged_app.territory)
    make_membership(logged_app.engine, asker, logged_app.territory, Role.READER)  # invited meanwhile

    at = _open(_user(admin.email))
    at.switch_page(page_path("members"))
    at.run()
    at.button(key=f"request_accept_{request}").click()
    at.run()

    assert not at.exception
    assert any(e.startswith("Cette personne a déjà un accès") for e in _texts(at, "error"))
    with logged_app.engine.connect() as conn:
        status = conn.execute(sa.select(tables.access_request.c.status)).scalar_one()
    assert status == "pending"


def test_a_request_message_is_shown_as_typed_never_as_markdown(logged_app):
    admin = make_actor(logged_app.engine, Role.TERRITORY_ADMIN, logged_app.territory, "Anne Admin")
    asker = make_person(logged_app.engine, "[Cliquez ici](http://pirate.example)", email="p@x.test")
    make_access_request(
        logged_app.engine, asker, logged_app.territory, "![pixel](http://pirate.example/p.png)"
    )

    at = _open(_user(admin.email))
    at.switch_page(page_path("members"))
    at.run()

    sources = " ".join(_texts(at, "markdown"))
    assert "](http" not in sources  # neither a link nor a remote image is left to render
    assert "![pixel](http://pirate.example/p.png)" in _all_text(at)  # but every character is shown



def test_accepting_a_request_shows_the_asker_s_name_as_typed_in_the_banner(logged_app):
    # The display name comes from the asker's identity provider: an image fetched from any host
    # and a "log in again" link in an admin's browser, until issue 7.
    admin = make_actor(logged_app.engine, Role.TERRITORY_ADMIN, logged_app.territory, "Anne Admin")
    name = "![p](http://pirate.example/p.png) [Reconnectez-vous](http://pirate.example) www.pirate.example"
    asker = make_person(logged_app.engine, name, email="pirate@x.test")
    request = make_access_request(logged_app.engine, asker, logged_app.territory)

    at = _open(_user(admin.email))
    at.switch_page(page_path("members"))
    at.run()
    at.button(key=f"request_accept_{request}").click()
    at.run()

    banner = " ".join(_texts(at, "success"))
    assert "](http" not in banner and "://pirate" not in banner and "www.pirate" not in banner
    shown = banner.replace("\\", "").replace("\u2060", "")
    assert f"Demande de {name} acceptée." in shown  # every character is there, as text

def test_a_database_down_at_login_is_said_plainly_not_as_a_refusal(logged_app, tmp_path, monkeypatch):
    # A directory where the database file should be: it cannot be opened, like a server that is down.
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}")

    at = _open(_user("camille@loos.test"))

    assert _texts(at, "error") == [
        "Parcours n’a pas pu préparer sa base de données (étape « migrations ») : elle n’a pas "
        "répondu ou a refusé d’enregistrer. Réessayez dans un instant ; si cela dure, prévenez "
        "l’équipe qui administre Parcours."
    ]
    assert "Connexion impossible" not in _texts(at, "title")


@pytest.fixture
def server_clock_in_new_york():
    """A server whose own time zone is neither UTC nor Paris, so only Paris time can pass."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    if previous is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = previous
    time.tzset()


def test_times_on_the_members_page_are_paris_times_whatever_the_server_clock(
    logged_app, server_clock_in_new_york
):
    admin = make_actor(logged_app.engine, Role.TERRITORY_ADMIN, logged_app.territory, "Anne Admin")
    member = make_actor(logged_app.engine, Role.CONTRIBUTOR, logged_app.territory, "Camille Contributrice")
    with logged_app.engine.begin() as conn:  # 8:05 UTC on 14 July is 10:05 in Paris (summer time)
        conn.execute(
            sa.update(tables.person)
            .where(tables.person.c.id == member.person_id)
            .values(last_login_at=datetime(2026, 7, 14, 8, 5, tzinfo=UTC))
        )

    at = _open(_user(admin.email))
    at.switch_page(page_path("members"))
    at.run()

    members = next(df.value for df in at.dataframe if member.email in df.value.iloc[:, 1].tolist())
    row = members[members.iloc[:, 1] == member.email]
    assert row.iloc[0, -1] == "14/07/2026 10:05"
