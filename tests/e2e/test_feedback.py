"""A stakeholder answers from a share link on a phone; a member sees the answer counted."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from lib.access import Role
from lib.store import tables
from tests.e2e.conftest import (
    LOGIN_BUTTON,
    TERRITORIES,
    answer_short_form,
    login_as,
    screenshot,
    unique_email,
    wait_for_app,
)
from tests.factories import make_campaign, make_membership, make_person

PHONE = {"width": 390, "height": 844}
TITLE = "Atelier coopération (e2e)"


def test_a_stakeholder_answers_on_a_phone_and_a_member_sees_it_counted(live_app, browser_page):
    page = browser_page
    territory = live_app.territories[TERRITORIES[0]]
    campaign_id, token = make_campaign(live_app.engine, territory, title=TITLE)

    # The stakeholder: no account, a phone, the link from the QR code.
    page.set_viewport_size(PHONE)
    page.goto(f"{live_app.base_url}/?campagne={token}")
    wait_for_app(page)
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.get_by_role("button", name=LOGIN_BUTTON)).to_have_count(0)  # no login asked
    expect(page.get_by_test_id("stSidebar")).to_have_count(0)  # and nothing else of the app
    answer_short_form(page, shots="feedback-answer-phone")

    with live_app.engine.connect() as conn:
        role, status = conn.execute(
            sa.select(tables.response.c.respondent_role, tables.response.c.status).where(
                tables.response.c.campaign_id == campaign_id
            )
        ).one()
    assert (role, status) == ("state_services", "submitted")

    # A member of the territory logs in and finds the answer counted, by role.
    email = unique_email("lectrice")
    make_membership(
        live_app.engine, make_person(live_app.engine, "Rita Lectrice", email=email), territory, Role.READER
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    login_as(page, live_app, email, name="Rita Lectrice")
    page.goto(f"{live_app.base_url}/resultats")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Résultats des questionnaires")).to_be_visible()
    expect(page.get_by_role("combobox", name="Questionnaire")).to_have_value(re.compile(re.escape(TITLE)))
    submitted = page.get_by_test_id("stMetric").filter(has_text="Réponses envoyées")
    expect(submitted.get_by_test_id("stMetricValue")).to_have_text("1")
    expect(page.get_by_role("heading", name="Réponses par rôle au fil du temps")).to_be_visible()
    screenshot(page, "feedback-results")


def test_a_role_chosen_in_french_stays_chosen_after_switching_to_english(live_app, browser_page):
    page = browser_page
    _, token = make_campaign(live_app.engine, live_app.territories[TERRITORIES[1]], title="Bilingue (e2e)")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_app.base_url}/?campagne={token}")
    wait_for_app(page)
    page.get_by_text("Habitant·e", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_test_id("stRadio").locator("input:checked")).to_have_count(1)

    page.get_by_text("English", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_text("Inhabitant", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stRadio").locator("input:checked")).to_have_count(1)
    page.get_by_role("button", name="Start").click()
    wait_for_app(page)
    expect(page.get_by_text("Step 1 of 2")).to_be_visible()
