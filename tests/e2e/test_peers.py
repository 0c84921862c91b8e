"""A peer-group member compares their territory with the group, in a real browser after a real login."""

from __future__ import annotations

from datetime import date

from lib.access import Role
from tests.e2e.conftest import expect, login_as, screenshot, unique_email, wait_for_app
from tests.factories import (
    axis_levels,
    make_assessment,
    make_invitation,
    make_peer_group,
    make_territory,
    share_nothing,
)


def test_a_peer_group_member_sees_the_group_spread_and_a_named_peer(live_app, browser_page):
    page = browser_page
    engine = live_app.engine
    suffix = unique_email("x").split("@")[0][-8:]
    mine = make_territory(engine, f"Ma-Commune {suffix}")
    named = make_territory(engine, f"Voisine-Qui-Partage {suffix}")
    other = make_territory(engine, f"Autre-Qui-Partage {suffix}")
    silent = make_territory(engine, f"Muette {suffix}")
    quiet = make_territory(engine, f"Discrète {suffix}")
    for tid in (silent, quiet):
        share_nothing(engine, tid)
    make_peer_group(engine, f"Cohorte e2e {suffix}", [mine, named, other, silent, quiet])
    for tid, level in ((mine, 1), (named, 3), (other, 2), (silent, 4), (quiet, 0)):
        levels = axis_levels(engagement=level, cooperation=2, systemic=2, evaluation=2)
        make_assessment(engine, tid, levels, assessed_on=date(2025, 6, 1))
    email = unique_email("pair")
    make_invitation(engine, email, mine, Role.READER)
    login_as(page, live_app, email, name="Paula Pair")

    page.get_by_test_id("stSidebarNav").get_by_text("Comparer avec les pairs", exact=True).click()
    wait_for_app(page)

    expect(page.get_by_role("heading", name="Dernière auto-évaluation face au groupe")).to_be_visible()
    counted = "Statistiques sur la dernière auto-évaluation de 5 territoires, dont 2 comptés sans leur nom."
    expect(page.get_by_text(counted)).to_be_visible()
    # The spread is drawn (a chart), and its figures are in the table under it: engagement
    # over 0, 1, 2, 3, 4 has a median of 2.
    expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible()
    spread = page.get_by_test_id("stTable").first
    expect(spread.get_by_role("row").filter(has_text="Créer les conditions de l’engagement")).to_contain_text(
        "2,00"
    )
    # A named peer, by name; the territories that share nothing, nowhere.
    named_scores = page.get_by_test_id("stTable").nth(1)
    expect(named_scores).to_contain_text(f"Voisine-Qui-Partage {suffix}")
    main = page.get_by_test_id("stMain")
    expect(main).not_to_contain_text(f"Muette {suffix}")
    expect(main).not_to_contain_text(f"Discrète {suffix}")
    screenshot(page, "peers-compare")
