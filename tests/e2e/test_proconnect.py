"""ProConnect login for real: a browser, ``streamlit run``, and a provider as strict as ProConnect
(``tests/strict_oidc.py``), next to a standard one (``oidc-provider-mock``) in the same app."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lib.access import Role
from lib.store import tables as t
from tests.e2e.conftest import (
    LOGIN_BUTTON,
    PROCONNECT_BUTTON,
    TERRITORIES,
    expect,
    login_as,
    logout,
    screenshot,
    unique_email,
    wait_for_app,
)
from tests.factories import make_invitation
from tests.strict_oidc import LOGIN_BUTTON as PROVIDER_LOGIN_BUTTON


def _proconnect_login(page, app, email: str) -> None:
    """App → the strict provider's login page → back to the app."""
    page.goto(app.base_url)
    wait_for_app(page)
    page.get_by_role("button", name=PROCONNECT_BUTTON).click()
    page.wait_for_url(f"{app.strict.url}/authorize**")
    page.get_by_label("Adresse e-mail professionnelle").fill(email)
    page.get_by_role("button", name=PROVIDER_LOGIN_BUTTON).click()
    page.wait_for_url(f"{app.base_url}/**")
    wait_for_app(page)


def _membership_roles(engine, email: str) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(t.membership.c.role)
                .join(t.person, t.person.c.id == t.membership.c.person_id)
                .where(t.person.c.email == email)
            ).scalars()
        )


def _person_count(engine, email: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).where(t.person.c.email == email)).scalar_one()


@pytest.mark.parametrize("path", ["proconnect", "standard"])
def test_an_invited_agent_logs_in_lands_on_their_territory_and_logs_out(
    proconnect_app, proconnect_page, path
):
    """ProConnect's rules (strict provider), and the standard path (plain mock) in the same app."""
    app, page = proconnect_app, proconnect_page
    territory = TERRITORIES[0]
    email = unique_email(f"agent-{path}", "ville.test")
    make_invitation(app.engine, email, app.territories[territory], Role.CONTRIBUTOR)
    refusals_before = list(app.strict.refusals)

    if path == "proconnect":
        app.strict.add_user(email, given_name="Inès", usual_name="Agent")
        _proconnect_login(page, app, email)
        sent = app.strict.authorize_requests[-1]
        assert len(sent["state"]) >= 32 and len(sent["nonce"]) >= 32
        assert "prompt" not in sent  # Streamlit's select_account is not sent to ProConnect
    else:
        login_as(page, app, email, name="Inès Agent")

    expect(page.get_by_role("heading", name=f"{territory} en un coup d’œil")).to_be_visible()
    expect(page.get_by_text("Inès Agent").first).to_be_visible()  # the names came through
    expect(page.get_by_text(email).first).to_be_visible()
    assert _membership_roles(app.engine, email) == ["contributor"]
    screenshot(page, f"proconnect-{path}-logged-in")
    # The membership's rights: a contributor edits the journey (a reader would be told it is read-only).
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Mon parcours").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name=f"Mon parcours · {territory}")).to_be_visible()
    page.get_by_role("tab", name="Auto-évaluation").click()
    expect(page.get_by_role("button", name="Enregistrer le brouillon")).to_be_visible()
    expect(page.get_by_text("lecture seule")).to_have_count(0)

    if path == "proconnect":
        session_count = len(app.strict.sessions)
        with page.expect_navigation():
            page.get_by_role("button", name="Se déconnecter").first.click()
        page.wait_for_url(f"{app.base_url}/**")
        wait_for_app(page)
        expect(page.get_by_role("button", name=PROCONNECT_BUTTON)).to_be_visible()
        ended = app.strict.ended_sessions[-1]
        assert ended["email"] == email.lower() and len(ended["state"]) >= 32
        assert len(app.strict.sessions) == session_count - 1  # the provider's session is over
        # Logging in again asks ProConnect again: no single sign-on left behind.
        page.get_by_role("button", name=PROCONNECT_BUTTON).click()
        page.wait_for_url(f"{app.strict.url}/authorize**")
        expect(page.get_by_label("Adresse e-mail professionnelle")).to_be_visible()
        page.goto(app.base_url)
    else:
        logout(page, app)
        page.goto(app.base_url)
    wait_for_app(page)
    expect(page.get_by_role("button", name=LOGIN_BUTTON)).to_be_visible()
    expect(page.get_by_role("heading", name=f"{territory} en un coup d’œil")).to_have_count(0)
    assert app.strict.refusals == refusals_before  # the strict provider never had to say no


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("userinfo_bad_signature", "ne correspond pas aux clés publiées"),
        ("userinfo_wrong_audience", "destinées à un autre service que Parcours"),
        ("userinfo_expired", "ont expiré avant d’arriver à Parcours"),
        ("replayed_nonce", "ne correspond pas à votre demande de connexion"),
    ],
)
def test_a_login_whose_answer_does_not_check_out_is_refused_and_records_nothing(
    proconnect_app, proconnect_page, fault, message
):
    app, page = proconnect_app, proconnect_page
    email = unique_email("refused", "ville.test")
    invitation = make_invitation(app.engine, email, app.territories[TERRITORIES[1]], Role.READER)
    app.strict.add_user(email, given_name="Rémi", usual_name="Refusé")
    app.strict.faults.add(fault)
    try:
        _proconnect_login(page, app, email)
    finally:
        app.strict.faults.discard(fault)

    expect(page.get_by_text("Connexion impossible")).to_be_visible()
    expect(page.get_by_text(message)).to_be_visible()
    expect(page.get_by_role("button", name=PROCONNECT_BUTTON)).to_be_visible()  # logged out, can retry
    screenshot(page, f"proconnect-refused-{fault}")
    assert _person_count(app.engine, email) == 0
    with app.engine.connect() as conn:
        accepted = conn.execute(
            sa.select(t.invitation.c.accepted_at).where(t.invitation.c.id == invitation)
        ).scalar_one()
    assert accepted is None
