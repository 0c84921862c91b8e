"""La vitrine in Chromium, on a server with a real login configured (issue 19): a visitor who is
not logged in opens the showcase at its path, filters to a peer group, opens a territory's page,
then tries the app's other addresses and meets only the login screen or "not found"; the embed
mode shows no sidebar."""

from __future__ import annotations

import uuid

from lib.access import Role
from lib.services import showcase
from tests.e2e.conftest import LOGIN_BUTTON, expect, screenshot, wait_for_app
from tests.factories import (
    make_actor,
    make_membership,
    make_milestone,
    make_peer_group,
    make_person,
    make_territory,
    set_sharing,
    share_nothing,
)

PUBLIC = "Ville-Vitrine (e2e)"
OTHER_PUBLIC = "Bourg-Ouvert (e2e)"
SILENT = "Bourg-Secret (e2e)"
SECRET_STORY = "Le récit que personne ne doit lire"
SECRET_EMAIL = "secret-e2e@vitrine.test"


def _world(engine) -> dict[str, str]:
    public = make_territory(engine, PUBLIC, region="Bretagne", slug="ville-vitrine-e2e")
    other = make_territory(engine, OTHER_PUBLIC, region="Occitanie", slug="bourg-ouvert-e2e")
    silent = make_territory(engine, SILENT, region="Bretagne", slug="bourg-secret-e2e")
    make_peer_group(engine, "Cohorte vitrine (e2e)", [public, silent])
    for tid in (public, other):
        set_sharing(engine, tid, journey="public")
    share_nothing(engine, silent)
    make_milestone(
        engine, public, "Premier forum ouvert", phase="impulse", story="Nous avons commencé ainsi."
    )
    make_milestone(engine, silent, "Jalon caché", phase="impulse", story=SECRET_STORY)
    person = make_person(engine, "Sophie Secrète", email=SECRET_EMAIL, is_demo=False)
    make_membership(engine, person, public, "territory_admin")
    return {"silent": "bourg-secret-e2e"}


def _main_text(page) -> str:
    return page.get_by_test_id("stMain").inner_text()


def test_a_visitor_browses_the_showcase_and_reaches_nothing_else(live_app, browser_page):
    page = browser_page
    slugs = _world(live_app.engine)

    page.goto(f"{live_app.base_url}/vitrine")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="La vitrine des parcours")).to_be_visible()
    expect(page.get_by_text(OTHER_PUBLIC, exact=True)).to_be_visible()
    assert SILENT not in _main_text(page)
    assert page.get_by_test_id("stSidebarNav").count() == 0  # no other page offered
    assert page.get_by_role("button", name=LOGIN_BUTTON).count() == 0

    group = page.get_by_role("combobox", name="Groupe de pairs")
    group.click()
    page.get_by_role("option", name="Cohorte vitrine (e2e)").click()
    wait_for_app(page)
    page.keyboard.press("Escape")
    expect(page.get_by_text(OTHER_PUBLIC, exact=True)).to_have_count(0)
    screenshot(page, "showcase-filtered")

    card = page.get_by_test_id("stVerticalBlock").filter(has_text=PUBLIC).last
    card.get_by_role("link", name="Voir son parcours").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name=PUBLIC)).to_be_visible()
    expect(page.get_by_text("Trajectoire sur les cinq phases")).to_be_visible()
    expect(page.get_by_text("Premier forum ouvert")).to_be_visible()
    assert SECRET_EMAIL not in _main_text(page) and "Sophie Secrète" not in _main_text(page)

    # Every other address: the login screen, or a territory that is "not found".
    for path in ("/", "/journey", "/partage", "/pilotage", "/profil"):
        page.goto(f"{live_app.base_url}{path}")
        wait_for_app(page)
        expect(page.get_by_role("button", name=LOGIN_BUTTON)).to_be_visible()
        text = page.locator("body").inner_text()
        assert SECRET_STORY not in text and SILENT not in text and SECRET_EMAIL not in text, path
    # A path under the showcase's is no page of the app at all (Streamlit serves nothing there).
    page.goto(f"{live_app.base_url}/vitrine/journey")
    page.wait_for_timeout(1500)
    text = page.locator("body").inner_text()
    assert SECRET_STORY not in text and SILENT not in text and SECRET_EMAIL not in text
    page.goto(f"{live_app.base_url}/vitrine?territoire={slugs['silent']}")
    wait_for_app(page)
    expect(page.get_by_text("Introuvable")).to_be_visible()
    assert SILENT not in _main_text(page) and SECRET_STORY not in _main_text(page)


def test_the_embed_mode_shows_no_sidebar(live_app, browser_page):
    page = browser_page
    for query in ("embed=true", "integre=1"):
        page.goto(f"{live_app.base_url}/vitrine?{query}")
        wait_for_app(page)
        expect(page.get_by_role("heading", name="La vitrine des parcours")).to_be_visible()
        assert page.get_by_test_id("stSidebar").count() == 0, query
        assert page.get_by_test_id("stSidebarCollapsedControl").count() == 0, query
    screenshot(page, "showcase-embedded")


def test_the_static_snapshot_opens_from_a_file_and_asks_the_network_for_nothing(live_app, browser, tmp_path):
    name = f"Bourg-Instantané {uuid.uuid4().hex[:6]} (e2e)"
    tid = make_territory(live_app.engine, name, slug=f"instantane-{uuid.uuid4().hex[:8]}")
    set_sharing(live_app.engine, tid, journey="public")
    make_milestone(live_app.engine, tid, "Le jalon de l’instantané", phase="groundwork")
    coordinator = make_actor(live_app.engine, Role.COORDINATOR, None)
    path = tmp_path / "vitrine.html"
    path.write_bytes(showcase.snapshot_html(live_app.engine, coordinator, "fr"))

    context = browser.new_context(viewport={"width": 390, "height": 900})
    asked = []

    def refuse(route):  # the server may be running: the file must not need it, nor anything else
        asked.append(route.request.url)
        route.abort()

    context.route("http*://**/*", refuse)
    page = context.new_page()
    page.goto(path.as_uri())
    expect(page.get_by_role("heading", name="La vitrine des parcours")).to_be_visible()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.get_by_text("Le jalon de l’instantané")).to_be_visible()
    page.get_by_role("link", name=name).click()  # the list's anchors lead to each page
    assert page.url.endswith("#" + page.get_by_role("link", name=name).get_attribute("href").lstrip("#"))
    screenshot(page, "showcase-snapshot-390")
    context.close()
    assert asked == []
