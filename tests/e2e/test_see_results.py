""""Voir les résultats" keeps the demo persona (issue 7, item 14), in the real browser: a
coordinator used to land on the first persona, another territory and another campaign."""

from __future__ import annotations

import re

from tests.e2e.conftest import ARTIFACTS, expect, wait_for_app
from tests.e2e.demo import PERSONA_LABEL, as_persona, demo_app, sidebar_picker  # noqa: F401

COORDINATOR = "Camille Roussel"


def test_see_results_keeps_the_coordinator_persona(demo_app, browser_page):  # noqa: F811
    page = browser_page
    as_persona(page, demo_app, COORDINATOR)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Questionnaires", exact=True).click()
    wait_for_app(page)
    see = page.get_by_role("button", name="Voir les résultats")
    expect(see.first).to_be_visible()
    see.last.click()
    wait_for_app(page)

    expect(page.get_by_role("heading", name="Résultats des questionnaires")).to_be_visible()
    expect(sidebar_picker(page, PERSONA_LABEL)).to_have_value(re.compile("^" + COORDINATOR))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "see-results-coordinator.png"))
