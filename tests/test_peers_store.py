"""The peers' SQL on SQLite and PostgreSQL: spreads, trajectories, contacts, and the migration
that turned one sharing level into one per kind of data. Expected figures are worked by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib.domain.framework import load_framework
from lib.domain.journey import criterion_axis_map
from lib.store import migrate, tables
from lib.store import peers as store
from lib.store.db import make_engine
from tests.conftest import throwaway_pg_database
from tests.factories import (
    agree_to_be_contacted,
    axis_levels,
    make_assessment,
    make_campaign,
    make_membership,
    make_peer_group,
    make_person,
    make_response,
    make_template,
    make_territory,
)

FW = load_framework()
AXES = criterion_axis_map(FW)


def _levels(engagement: float | int, rest: int = 2) -> dict[str, int]:
    """Engagement's four criteria give its mean: 2.5 is 2, 3, 2, 3."""
    levels = axis_levels(engagement=0, cooperation=rest, systemic=rest, evaluation=rest)
    if float(engagement).is_integer():
        return levels | {c: int(engagement) for c in levels if c.startswith("engagement")}
    low = int(engagement)
    four = [low, low + 1, low, low + 1]
    criteria = [c for c in levels if c.startswith("engagement")]
    return levels | dict(zip(criteria, four, strict=True))


def test_the_spread_is_the_median_quartiles_min_and_max_of_the_latest_assessments(engine):
    ids = [make_territory(engine) for _ in range(6)]
    for tid, engagement in zip(ids, [0, 1, 2, 2.5, 3, 4], strict=True):
        make_assessment(engine, tid, _levels(4 - engagement), assessed_on=date(2023, 1, 1))  # older
        make_assessment(engine, tid, _levels(engagement), assessed_on=date(2024, 1, 1))
    make_assessment(engine, ids[0], _levels(4), assessed_on=date(2024, 6, 1), status="draft")  # never counted

    with engine.connect() as conn:
        spread = {r.axis_id: r for r in store.axis_spread(conn, AXES, ids)}

    # Sorted 0, 1, 2, 2.5, 3, 4; the q-quantile sits at position q·(6−1) counted from 0:
    # q1 at 1.25 → 1 + 0.25·(2 − 1) = 1.25; median at 2.5 → 2 + 0.5·(2.5 − 2) = 2.25;
    # q3 at 3.75 → 2.5 + 0.75·(3 − 2.5) = 2.875.
    e = spread["engagement"]
    assert (e.territories, e.minimum, e.maximum) == (6, 0, 4)
    assert (e.q1, e.median, e.q3) == pytest.approx((1.25, 2.25, 2.875))
    c = spread["cooperation"]
    assert (c.minimum, c.q1, c.median, c.q3, c.maximum) == pytest.approx((2, 2, 2, 2, 2))


def test_each_territory_counts_with_its_latest_submitted_assessment_only(engine):
    tid = make_territory(engine)
    make_assessment(engine, tid, _levels(1), assessed_on=date(2022, 1, 1))
    latest = make_assessment(engine, tid, _levels(3), assessed_on=date(2023, 1, 1))
    make_assessment(engine, tid, _levels(0), assessed_on=date(2024, 1, 1), status="draft")
    with engine.connect() as conn:
        rows = store.latest_axis_scores(conn, AXES, [tid])
    assert {(r.assessment_id, r.axis_id, r.score) for r in rows} == {
        (latest, "engagement", 3.0),
        (latest, "cooperation", 2.0),
        (latest, "systemic", 2.0),
        (latest, "evaluation", 2.0),
    }


def test_the_yearly_spread_takes_each_territory_s_mean_score_of_the_year(engine):
    one, two, three = (make_territory(engine) for _ in range(3))
    for tid, day, engagement in [
        (one, date(2022, 2, 1), 1),
        (one, date(2022, 9, 1), 3),  # 2022 for "one": (1 + 3) / 2 = 2
        (one, date(2023, 3, 1), 2),
        (two, date(2022, 5, 1), 0),
        (two, date(2023, 5, 1), 4),
        (three, date(2022, 7, 1), 4),
    ]:
        make_assessment(engine, tid, _levels(engagement), assessed_on=day)
    with engine.connect() as conn:
        rows = {(r.year, r.axis_id): r for r in store.yearly_spread(conn, AXES, [one, two, three])}
    # 2022: 0, 2, 4 → q1 1, median 2, q3 3. 2023: 2, 4 → q1 at 0.25 → 2.5, median 3, q3 3.5.
    y22, y23 = rows[(2022, "engagement")], rows[(2023, "engagement")]
    assert (y22.territories, y22.minimum, y22.q1, y22.median, y22.q3, y22.maximum) == pytest.approx(
        (3, 0, 1, 2, 3, 4)
    )
    assert (y23.territories, y23.minimum, y23.q1, y23.median, y23.q3, y23.maximum) == pytest.approx(
        (2, 2, 2.5, 3, 3.5, 4)
    )


def test_peers_are_the_territories_sharing_a_group_with_mine(engine):
    mine, peer, other, far = (make_territory(engine) for _ in range(4))
    make_peer_group(engine, "Cohorte A", [mine, peer])
    make_peer_group(engine, "Cohorte B", [peer, other])
    make_peer_group(engine, "Cohorte C", [far])
    with engine.connect() as conn:
        assert store.peer_ids(conn, [mine]) == {mine, peer}
        assert store.peer_ids(conn, [peer]) == {mine, peer, other}
        assert store.in_any_group(conn, [far]) and not store.in_any_group(conn, [make_territory(engine)])


def test_only_members_who_agreed_are_given_as_contacts(engine):
    tid = make_territory(engine)
    agreed = make_person(engine, "Aline Accord", email="aline@exemple.test")
    silent = make_person(engine, "Sam Silence", email="sam@exemple.test")
    make_membership(engine, agreed, tid, "contributor")
    make_membership(engine, silent, tid, "territory_admin")
    agree_to_be_contacted(engine, agreed)
    with engine.connect() as conn:
        rows = store.consenting_contacts(conn, [tid])
    assert [(r.display_name, r.email, r.role) for r in rows] == [
        ("Aline Accord", "aline@exemple.test", "contributor")
    ]


def test_feedback_answers_are_counted_per_territory_role_and_value_submitted_only(engine):
    template = make_template(engine)
    a, b = make_territory(engine), make_territory(engine)
    campaign_a, _ = make_campaign(engine, a, template_id=template)
    campaign_b, _ = make_campaign(engine, b, template_id=template)
    for value in (4, 4, 5):
        make_response(engine, campaign_a, "elected_official", {"mood": value, "story": "ok"})
    make_response(engine, campaign_a, "elected_official", {"mood": 1}, status="draft")
    make_response(engine, campaign_b, "inhabitant", {"mood": 2, "story": "bof"})
    with engine.connect() as conn:
        answers = store.scale_answers_by_territory(conn, template, [a, b], ["mood"])
        used = store.templates_used(conn, [a, b])
        roles = store.responses_by_territory_and_role(conn, template, [a])
    assert [(r.territory_id, r.role, r.value, r.answers) for r in answers] == [
        (a, "elected_official", 4.0, 2),
        (a, "elected_official", 5.0, 1),
        (b, "inhabitant", 2.0, 1),
    ]
    assert [(u.id, u.territories, u.responses) for u in used] == [(template, 2, 4)]
    assert [(r.role, r.responses) for r in roles] == [("elected_official", 3)]


# --- the migration ---------------------------------------------------------------------------


BEFORE = "0004_steering"  # the revision before per-kind sharing


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine_before(request, tmp_path) -> Iterator[Engine]:
    """A database migrated up to the revision before per-kind sharing."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        migrate.upgrade(engine, BEFORE)
        yield engine
        engine.dispose()
        return
    with throwaway_pg_database("parcours_peers") as url:
        engine = make_engine(url)
        migrate.upgrade(engine, BEFORE)
        yield engine
        engine.dispose()


def test_the_migration_keeps_each_territory_s_level_for_assessments_and_journey(engine_before):
    now = tables.utcnow()
    with engine_before.begin() as conn:
        conn.execute(
            sa.insert(tables.territory),
            [
                {
                    "id": 1,
                    "slug": "a",
                    "name": "A",
                    "kind": "commune",
                    "sharing": "network",
                    "is_demo": False,
                    "created_at": now,
                    "updated_at": now,
                },
                {
                    "id": 2,
                    "slug": "b",
                    "name": "B",
                    "kind": "commune",
                    "sharing": "private",
                    "is_demo": False,
                    "created_at": now,
                    "updated_at": now,
                },
            ],
        )
        member = conn.execute(
            sa.insert(tables.person)
            .values(email="m@exemple.test", is_demo=False, created_at=now, updated_at=now)
            .returning(tables.person.c.id)
        ).scalar_one()
        conn.execute(
            sa.insert(tables.membership).values(
                person_id=member, territory_id=1, role="reader", created_at=now, updated_at=now
            )
        )

    migrate.upgrade(engine_before)

    with engine_before.connect() as conn:
        levels = {
            (r.territory_id, r.kind): r.level for r in conn.execute(sa.select(tables.territory_sharing))
        }
        memberships = conn.execute(sa.select(sa.func.count()).select_from(tables.membership)).scalar_one()
    assert levels == {
        (1, "assessments"): "network",
        (1, "journey"): "network",
        (2, "assessments"): "private",
        (2, "journey"): "private",
    }
    assert memberships == 1  # nothing that refers to a territory was lost on the way

    migrate.downgrade(engine_before, BEFORE)
    with engine_before.connect() as conn:
        back = dict(conn.execute(sa.select(tables.territory.c.id, tables.territory.c.sharing)).all())
    assert back == {1: "network", 2: "private"}
