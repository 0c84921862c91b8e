"""Downloading a QR code does not change which campaign the open share panel shows
(issue 7 item 10), in Chromium: the wrong link must never be projected in a room."""

from __future__ import annotations

from lib.access import Role
from tests.e2e.conftest import TERRITORIES, expect, login_as, screenshot, unique_email, wait_for_app
from tests.factories import make_campaign, make_membership, make_person


def _shown_links(page) -> list[str]:
    """The share links visible on the page (those of open panels)."""
    codes = page.get_by_test_id("stCode").filter(has_text="campagne=").filter(visible=True)
    return [code.inner_text() for code in codes.all()]


def test_the_share_panel_shows_the_same_campaign_after_downloading_its_qr_code(live_app, browser_page):
    page = browser_page
    territory = live_app.territories[TERRITORIES[0]]
    email = unique_email("partage")
    person = make_person(live_app.engine, "Paule Partage", email=email, is_demo=False)
    make_membership(live_app.engine, person, territory, Role.TERRITORY_ADMIN)
    titles = ("Atelier du printemps (e2e)", "Atelier de l’automne (e2e)")
    tokens = {title: make_campaign(live_app.engine, territory, title=title)[1] for title in titles}
    login_as(page, live_app, email, name="Paule Partage")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Questionnaires", exact=True).click()
    wait_for_app(page)
    if page.get_by_role("combobox", name="Territoire").count():
        page.get_by_role("combobox", name="Territoire").click()
        page.get_by_role("option", name=TERRITORIES[0]).click()
        wait_for_app(page)

    # A campaign just launched: its confirmation sits above the list until the next rerun.
    page.get_by_text("Lancer un questionnaire").click()
    page.get_by_role("textbox", name="Titre affiché aux participant·es").fill("Lancé à l’instant (e2e)")
    page.get_by_role("button", name="Lancer", exact=True).click()
    wait_for_app(page)

    # The list is newest first: the just launched one, then the autumn one.
    card = page.get_by_test_id("stExpander").filter(has_text="Lien de partage et QR code").nth(1)
    card.get_by_text("Lien de partage et QR code").click()
    expect(card.get_by_test_id("stCode")).to_contain_text(tokens[titles[1]])
    assert len(_shown_links(page)) == 1
    with page.expect_download() as download:
        card.get_by_role("button", name="QR code (PNG)").click()
    assert download.value.suggested_filename.endswith(".png")
    wait_for_app(page)
    page.wait_for_timeout(500)

    shown = _shown_links(page)
    screenshot(page, "share-panel-after-download")
    assert len(shown) == 1 and tokens[titles[1]] in shown[0], shown
