"""The screens benchmark runs end to end at size S, so that it never rots (no timing asserted)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bench import network, screens
from lib.services import feedback, identity
from lib.store import tables


@pytest.fixture(params=["sqlite", "postgresql"])
def bench_db(request):
    if request.param == "postgresql":
        from tests.conftest import _postgres_or_skip

        _postgres_or_skip()
    with screens.DATABASES[request.param]() as engine:
        yield engine


def test_size_s_builds_the_network_it_promises_and_times_every_screen(bench_db):
    size = network.SIZES["S"]
    focus = network.build(bench_db, size)

    rows = network.counts(bench_db)
    assert rows["territory"] == size.territories
    assert rows["campaign"] == size.campaigns
    assert rows["access_request"] == size.pending_requests
    with bench_db.connect() as conn:
        submitted = conn.execute(
            sa.select(sa.func.count()).where(tables.response.c.status == "submitted")
        ).scalar_one()
    assert submitted == size.responses
    # The app reads the generated rows as its own: the focus campaign's results count them all.
    admin = identity.load_actor(bench_db, focus.admin_id)
    assert feedback.results(bench_db, admin, focus.focus_campaign_id).submitted == size.focus_responses

    # Both databases reach the campaign's answers through their responses, by the index that fits.
    plan = screens.answers_plan(bench_db, focus.focus_campaign_id)
    assert "ix_answer_response_question" in plan
    assert "Seq Scan on answer" not in plan and "SCAN answer" not in plan

    table = screens.measure(bench_db, focus, repeat=1)
    assert [row["screen"] for row in table] == list(screens.app_screens(bench_db, focus))
    assert all("app" in row and "replay" in row for row in table)
    assert sum("sql" in row for row in table) == len(screens.sql_baselines(bench_db, focus))
    assert "| Résultats (admin, big campaign) |" in screens.render(table, "S")
