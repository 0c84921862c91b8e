"""The whole login path in a real browser, against a real OpenID Connect provider."""

from __future__ import annotations

import sqlalchemy as sa

from lib.access import Role
from lib.store import tables
from tests.e2e.conftest import (
    LOGIN_BUTTON,
    TERRITORIES,
    expect,
    login_as,
    logout,
    screenshot,
    unique_email,
    wait_for_app,
)
from tests.factories import make_invitation


def test_an_invited_person_logs_in_lands_on_their_territory_and_logs_out(live_app, browser_page):
    page = browser_page
    territory = TERRITORIES[0]
    email = unique_email("invitee")
    make_invitation(live_app.engine, email, live_app.territories[territory], Role.CONTRIBUTOR)

    page.goto(live_app.base_url)
    wait_for_app(page)
    expect(page.get_by_role("button", name=LOGIN_BUTTON)).to_be_visible()
    screenshot(page, "login-page")

    login_as(page, live_app, email, name="Inès Invitée")

    expect(page.get_by_role("heading", name=f"{territory} en un coup d’œil")).to_be_visible()
    expect(page.get_by_text(email).first).to_be_visible()  # who is logged in, in the sidebar
    with live_app.engine.connect() as conn:
        role = conn.execute(
            sa.select(tables.membership.c.role)
            .join(tables.person, tables.person.c.id == tables.membership.c.person_id)
            .where(tables.person.c.email == email)
        ).scalar_one()
    assert role == "contributor"

    logout(page, live_app)
    page.goto(live_app.base_url)  # a new visit: the identity cookie is gone
    wait_for_app(page)
    expect(page.get_by_role("button", name=LOGIN_BUTTON)).to_be_visible()
    expect(page.get_by_role("heading", name=f"{territory} en un coup d’œil")).to_have_count(0)


def test_an_unknown_person_sees_the_access_request_page_and_can_ask(live_app, browser_page):
    page = browser_page
    email = unique_email("stranger")

    login_as(page, live_app, email, name="Sam Inconnu")

    expect(page.get_by_role("heading", name="Demander un accès")).to_be_visible()
    expect(page.get_by_text("Votre compte n’est encore rattaché à aucun territoire")).to_be_visible()
    page.get_by_test_id("stSelectbox").click()
    page.get_by_role("option", name=TERRITORIES[1]).click()
    page.get_by_label("Message (facultatif)").fill("Agent de la ville, service transition.")
    screenshot(page, "access-request-page")
    page.get_by_role("button", name="Envoyer la demande").click()

    expect(page.get_by_text("Demande envoyée.", exact=False)).to_be_visible()
    with live_app.engine.connect() as conn:
        request = conn.execute(
            sa.select(
                tables.access_request.c.status,
                tables.access_request.c.territory_id,
                tables.access_request.c.message,
            )
            .join(tables.person, tables.person.c.id == tables.access_request.c.person_id)
            .where(tables.person.c.email == email)
        ).one()
    assert tuple(request) == (
        "pending",
        live_app.territories[TERRITORIES[1]],
        "Agent de la ville, service transition.",
    )


def test_an_unverified_email_is_refused(live_app, browser_page):
    page = browser_page
    email = unique_email("unverified")

    login_as(page, live_app, email, email_verified=False)

    expect(page.get_by_text("Connexion impossible")).to_be_visible()
    with live_app.engine.connect() as conn:
        assert (
            conn.execute(sa.select(tables.person.c.id).where(tables.person.c.email == email)).first() is None
        )
