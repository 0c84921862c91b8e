"""Switching language in the middle of a self-assessment loses nothing (real browser).

Form values wait in the browser until the form is submitted, which AppTest cannot model:
only a real browser shows whether a level picked in French survives the switch to English.
"""

from __future__ import annotations

import sqlalchemy as sa

from lib.access import Role
from lib.domain.framework import load_framework
from lib.store import tables
from tests.e2e.conftest import TERRITORIES, expect, login_as, unique_email, wait_for_app
from tests.factories import make_invitation


def test_a_level_picked_in_french_is_saved_after_switching_to_english(live_app, browser_page):
    page = browser_page
    territory_id = live_app.territories[TERRITORIES[1]]
    email = unique_email("bilingue")
    make_invitation(live_app.engine, email, territory_id, Role.CONTRIBUTOR)
    login_as(page, live_app, email, name="Bao Bilingue")
    first = load_framework().criteria[0]

    page.goto(f"{live_app.base_url}/journey")
    wait_for_app(page)
    page.get_by_role("tab", name="Auto-évaluation").click()
    level_picker = page.get_by_role("radiogroup", name=first.label.fr)
    level_picker.get_by_text("2", exact=True).click()
    expect(level_picker.locator("input:checked")).to_have_value("2")
    wait_for_app(page)  # at a person's pace: each click is taken in before the next
    comment = page.get_by_role("textbox", name="Commentaire (facultatif)").first
    comment.fill("Écrit en français.")
    comment.press("Tab")
    wait_for_app(page)

    page.get_by_test_id("stSidebar").get_by_text("English", exact=True).click()
    wait_for_app(page)
    page.get_by_role("tab", name="Self-assessment").click()
    level_picker = page.get_by_role("radiogroup", name=first.label.en)
    expect(level_picker.locator("input:checked")).to_have_value("2")
    page.get_by_role("button", name="Save draft").click()
    wait_for_app(page)

    with live_app.engine.connect() as conn:
        saved = conn.execute(
            sa.select(tables.assessment_score.c.level, tables.assessment_score.c.comment)
            .join(tables.assessment, tables.assessment.c.id == tables.assessment_score.c.assessment_id)
            .where(
                tables.assessment.c.territory_id == territory_id,
                tables.assessment_score.c.criterion_id == first.id,
            )
        ).one()
    assert (saved.level, saved.comment) == (2, "Écrit en français.")


def test_a_milestone_phase_picked_in_french_is_saved_after_switching_to_english(live_app, browser_page):
    page = browser_page
    territory_id = live_app.territories[TERRITORIES[1]]
    email = unique_email("jalon")
    make_invitation(live_app.engine, email, territory_id, Role.CONTRIBUTOR)
    login_as(page, live_app, email, name="Jo Jalon")

    page.goto(f"{live_app.base_url}/journey")
    wait_for_app(page)
    page.get_by_role("tab", name="Phases et jalons").click()
    page.get_by_role("textbox", name="Titre").fill("Premier conseil des jeunes")
    page.get_by_role("textbox", name="Titre").press("Tab")
    wait_for_app(page)
    page.get_by_test_id("stSelectbox").filter(has_text="Phase du parcours").click()
    page.get_by_role("option", name="Préparer le terrain").click()
    wait_for_app(page)

    page.get_by_test_id("stSidebar").get_by_text("English", exact=True).click()
    wait_for_app(page)
    page.get_by_role("tab", name="Phases and milestones").click()
    # Both pickers speak English now, and the phase is still the one picked in French.
    expect(page.get_by_role("combobox", name="Milestone")).to_have_value("+ New milestone")
    expect(page.get_by_role("combobox", name="Journey phase")).to_have_value("Preparing the ground")
    page.get_by_role("button", name="Add the milestone").click()
    wait_for_app(page)

    with live_app.engine.connect() as conn:
        saved = conn.execute(
            sa.select(tables.milestone.c.phase, tables.milestone.c.title).where(
                tables.milestone.c.territory_id == territory_id
            )
        ).all()
    assert [(m.phase, m.title) for m in saved] == [("groundwork", "Premier conseil des jeunes")]
