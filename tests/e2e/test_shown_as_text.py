"""What is shown is text (issue 7, reliability suite), in Chromium, on the demo data.

An HTML image with an ``onerror`` handler, a Markdown image on a blocked host, a Markdown link
and bare web addresses are planted in every text people type (territory, person and group
names, milestones, comments, campaign titles, answers, access requests). Pages are walked as a
coordinator, a territory admin and a respondent from a share link; on each page no image,
link, request or dialog may come from the payload. The figures are printed for the report.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lib.store import tables as tb
from tests.e2e.conftest import expect, wait_for_app
from tests.e2e.demo import as_persona, demo_server
from tests.test_shown_as_text import plant

# Elements a payload would have created: its image (src "x" or on the blocked host) and links
# to the blocked host.
_CREATED = """() => [
  ...document.querySelectorAll('img[src="x"], img[src*="blocked"], img[onerror]'),
  ...document.querySelectorAll('a[href*="blocked"]:not([href^="#"])'),
].map(e => e.outerHTML.slice(0, 120))"""


_WHERE = """() => [...document.querySelectorAll('img[src*="blocked"], a[href*="blocked"]:not([href^="#"])')]
  .map(e => { const c = e.closest('[data-testid="stElementContainer"]') || e.parentElement;
              return c.outerHTML.replace(/class="[^"]*"/g, '').slice(0, 400); })"""


@pytest.fixture(scope="module")
def planted_app(tmp_path_factory, browser, e2e_home):
    planted: dict[str, int] = {}
    with demo_server(
        tmp_path_factory.mktemp("e2e-planted"), browser, e2e_home, prepare=lambda e: planted.update(plant(e))
    ) as app:
        app.planted = planted
        yield app


def _watch(page) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {"requests": [], "dialogs": []}
    page.on(
        "request",
        lambda r: seen["requests"].append(r.url) if "blocked" in r.url or r.url.endswith("/x") else None,
    )

    def dismiss(dialog) -> None:
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return seen


def _nav_titles(page) -> list[str]:
    nav = page.get_by_test_id("stSidebarNav")
    # Every page is listed: no folded list behind Streamlit's untranslated "View N more".
    expect(nav.get_by_role("link").first).to_be_visible()
    assert not nav.get_by_text("View", exact=False).filter(has_text="more").count()
    return [link.get_attribute("href") for link in nav.get_by_role("link").all()]


def _walk(page, links: list[str]) -> tuple[dict[str, list[str]], int]:
    """What the planted text created on each page, and on how many pages it was shown as text."""
    created: dict[str, list[str]] = {}
    shown = 0
    for href in links:
        page.get_by_test_id("stSidebarNav").locator(f'a[href="{href}"]').click()
        wait_for_app(page)
        # Hidden tabs and closed expanders are in the page too: the query below sees them.
        page.wait_for_timeout(300)
        found = page.evaluate(_CREATED)
        if found:  # where, for the one who fixes it
            found = [*found, *page.evaluate(_WHERE)]
        if found:
            created[href.rsplit("/", 1)[-1] or "accueil"] = found
        shown += page.get_by_text("blocked.test", exact=False).count() > 0
    return created, shown


@pytest.mark.parametrize("persona", ["Camille Roussel", "Élise Marchand"])
def test_planted_markup_creates_no_element_request_or_dialog(planted_app, browser_page, persona):
    page = browser_page
    seen = _watch(page)
    as_persona(page, planted_app, persona)
    titles = _nav_titles(page)
    created, shown = _walk(page, titles)
    print(
        f"\nshown as text ({persona}): {sum(planted_app.planted.values())} payloads planted "
        f"({planted_app.planted}), {len(titles)} pages walked, elements created: "
        f"{sum(map(len, created.values()))}, requests: {len(seen['requests'])}, "
        f"dialogs: {len(seen['dialogs'])}"
    )
    assert len(titles) >= 8
    assert shown >= 3  # pages showed the planted text, as text (not only pages without it)
    assert created == {}, {page: sorted(set(found)) for page, found in created.items()}
    assert seen == {"requests": [], "dialogs": []}


def test_a_respondent_sees_a_planted_campaign_title_as_text(planted_app, browser_page):
    page = browser_page
    seen = _watch(page)
    with planted_app.engine.connect() as conn:
        token = conn.execute(
            sa.select(tb.campaign.c.share_token).where(tb.campaign.c.anonymous.is_(True)).limit(1)
        ).scalar_one()
    page.goto(f"{planted_app.base_url}/?campagne={token}")
    wait_for_app(page)

    expect(page.get_by_role("heading", level=2).first).to_contain_text("![pic](http")
    assert page.evaluate(_CREATED) == []
    assert seen == {"requests": [], "dialogs": []}
