"""The territory a person picks follows them from page to page (issue 7 item 9), in Chromium.

A coordinator (demo mode) or a member of two territories (logged in) picks a territory on one
page, then opens Mon parcours from the navigation: the journey shown, and the one every save
button says it writes to, must be the one picked.
"""

from __future__ import annotations

from lib.access import Role
from tests.e2e.conftest import (
    COORDINATOR_EMAIL,
    TERRITORIES,
    expect,
    login_as,
    screenshot,
    unique_email,
    wait_for_app,
)
from tests.e2e.demo import as_persona, demo_app, open_page, pick, sidebar_picker
from tests.factories import make_membership, make_person

__all__ = ["demo_app"]  # the fixture, imported for this module


def _picker(page):
    return page.get_by_test_id("stSidebar").get_by_role("combobox", name="Territoire")


def test_the_territory_picked_on_one_page_is_the_one_the_next_page_acts_on(live_app, browser_page):
    page = browser_page
    email = unique_email("deux-territoires")
    person = make_person(live_app.engine, "Dana Deux", email=email, is_demo=False)
    make_membership(live_app.engine, person, live_app.territories[TERRITORIES[0]], Role.TERRITORY_ADMIN)
    make_membership(live_app.engine, person, live_app.territories[TERRITORIES[1]], Role.CONTRIBUTOR)
    login_as(page, live_app, email, name="Dana Deux")

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("en un coup d’œil")
    first = next(name for name in TERRITORIES if name in heading.inner_text())
    second = next(name for name in TERRITORIES if name != first)
    wait_for_app(page)  # a rerun still running would close the list as it opens
    _picker(page).click()
    _picker(page).press_sequentially(second)  # typed, as in the coordinator's test below
    page.get_by_role("option", name=second, exact=True).first.click()
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(second)

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Mon parcours", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(second)
    expect(_picker(page)).to_have_value(second)
    # Every save button says where it writes.
    page.get_by_role("tab", name="Phases et jalons").click()
    expect(page.get_by_text(f"Pour : {second}").filter(visible=True).first).to_be_visible()
    screenshot(page, "territory-choice-journey")

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Accueil", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(second)


def test_a_coordinator_s_choice_on_questionnaires_is_the_journey_they_open(live_app, browser_page):
    page = browser_page
    login_as(page, live_app, COORDINATOR_EMAIL, name="Coralie Coordination")

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Questionnaires", exact=True).click()
    wait_for_app(page)
    first = _picker(page).input_value()
    second = next(name for name in live_app.territories if name != first)
    # Typed, as a coordinator does: other tests of the session add territories, and the list
    # draws only the options that fit on screen.
    _picker(page).click()
    _picker(page).press_sequentially(second)
    page.get_by_role("option", name=second, exact=True).first.click()
    wait_for_app(page)
    expect(_picker(page)).to_have_value(second)

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Mon parcours", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(second)
    expect(_picker(page)).to_have_value(second)


def test_in_demo_mode_the_coordinator_s_pick_is_the_journey_opened_and_where_it_saves(demo_app, browser_page):
    # A fresh demo visit starts as the first persona (one territory), then the coordinator is
    # picked: until issue 7, Mon parcours then showed Vallée-des-Tilleuls whatever was picked.
    page = browser_page
    as_persona(page, demo_app, "Camille Roussel")
    open_page(page, "Questionnaires")
    pick(page, "Territoire", "Port-Lanterne (démo)")
    page.get_by_text("Lancer un questionnaire").click()
    expect(page.get_by_text("Pour : Port-Lanterne (démo)").filter(visible=True).first).to_be_visible()

    open_page(page, "Mon parcours")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Port-Lanterne (démo)")
    expect(sidebar_picker(page, "Territoire")).to_have_value("Port-Lanterne (démo)")
    page.get_by_role("tab", name="Auto-évaluation").click()
    expect(page.get_by_text("Pour : Port-Lanterne (démo)").filter(visible=True).first).to_be_visible()
    screenshot(page, "territory-choice-demo-journey")

    open_page(page, "Résultats des questionnaires")
    expect(sidebar_picker(page, "Territoire")).to_have_value("Port-Lanterne (démo)")
