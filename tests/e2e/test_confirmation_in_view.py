"""After submitting the long self-assessment, the outcome is shown where the person is
(issue 7, item 12): the confirmation used to appear some 4,000 px above the button, out of
sight, and the person saw an emptied form."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from lib.access import Role
from lib.store import tables
from tests.e2e.conftest import ARTIFACTS, expect, login_as, unique_email, wait_for_app
from tests.factories import make_assessment, make_invitation, make_territory

PHONE = {"width": 390, "height": 844}


def _submit_a_drafted_assessment(live_app, page, shot: str) -> int:
    territory_id = make_territory(live_app.engine, f"Bourg-{uuid.uuid4().hex[:6]} (e2e)")
    make_assessment(live_app.engine, territory_id, 2, status="draft")  # every level already picked
    email = unique_email("autoeval")
    make_invitation(live_app.engine, email, territory_id, Role.CONTRIBUTOR)
    login_as(page, live_app, email, name="Ada Autoéval")
    page.goto(f"{live_app.base_url}/journey")
    wait_for_app(page)
    page.get_by_role("tab", name="Auto-évaluation").click()
    page.get_by_role("button", name="Soumettre l’auto-évaluation").click()
    wait_for_app(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{shot}.png"))  # what the person sees: the viewport
    return territory_id


def test_the_confirmation_of_a_submitted_self_assessment_is_in_view(live_app, browser_page):
    page = browser_page
    territory_id = _submit_a_drafted_assessment(live_app, page, "assessment-submitted")
    confirmation = page.get_by_test_id("stToast").filter(has_text="Auto-évaluation soumise. Merci !")
    expect(confirmation).to_be_in_viewport()
    expect(page.get_by_test_id("stAlert").filter(has_text="Auto-évaluation soumise. Merci !")).to_be_visible()
    with live_app.engine.connect() as conn:
        status = conn.execute(
            sa.select(tables.assessment.c.status).where(tables.assessment.c.territory_id == territory_id)
        ).scalar_one()
    assert status == "submitted"


def test_the_confirmation_is_in_view_on_a_phone_too(live_app, browser_page):
    page = browser_page
    page.set_viewport_size(PHONE)
    _submit_a_drafted_assessment(live_app, page, "assessment-submitted-phone")
    confirmation = page.get_by_test_id("stToast").filter(has_text="Auto-évaluation soumise. Merci !")
    expect(confirmation).to_be_in_viewport()
