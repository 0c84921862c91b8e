"""Engagement metrics on a hand-made network, every answer worked out by hand below.

The reference day is Tuesday 31 March 2026 in Paris, two days after the switch to summer
time, with a period of 90 days:

- the period runs from Thursday 1 January 2026, 00:00 in Paris (31 Dec 2025 23:00 UTC,
  winter time) to 1 April 2026, 00:00 in Paris (31 March 22:00 UTC, summer time);
- the previous period runs from 3 October 2025, 00:00 in Paris (2 Oct 22:00 UTC, summer
  time) to the start of the period; campaigns open "before" are those open on 31 Dec 2025;
- the activity map covers April 2025 to March 2026, French months.

Territories (names sort in this order):

- Alpha (commune): assessment submitted 10 March, milestone 2 February, a member's login
  at 23:59:59 tonight in Paris (the last second of the period), and a campaign opened on
  15 November (previous period). Active now and before.
- Bêta (EPCI): one milestone at 00:00:00 on 1 January in Paris — the first instant of the
  period. Active now, not before.
- Gamma (EPCI): one milestone at 23:59:59 on 31 December in Paris — one second before the
  period. Stalled (90 days idle); active in the previous period.
- Delta (commune): one milestone at 00:00 on 1 April in Paris (tomorrow: not yet) and a
  membership granted in the period (not journey or feedback activity). Never active.
- Epsilon (commune): only the login of Paul, a member of Alpha and Epsilon, on 15 February.
  Active now.
A coordinator's login counts for no territory.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from lib.access import Role
from lib.domain import engagement
from lib.domain.errors import NotFound, PermissionDenied, ValidationFailed
from lib.domain.framework import load_framework
from lib.services import steering
from lib.services.steering import Scope
from lib.store import tables
from lib.store.reference import register_framework
from tests.factories import (
    make_actor,
    make_campaign,
    make_membership,
    make_person,
    make_template,
    make_territory,
)

TODAY = date(2026, 3, 31)
DAYS = 90


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


FIRST_INSTANT = utc(2025, 12, 31, 23, 0, 0)  # 1 Jan 2026 00:00 in Paris (winter time)
LAST_SECOND = utc(2026, 3, 31, 21, 59, 59)  # 31 Mar 2026 23:59:59 in Paris (summer time)
TOMORROW = utc(2026, 3, 31, 22, 0, 0)  # 1 Apr 2026 00:00 in Paris
ONE_SECOND_BEFORE = utc(2025, 12, 31, 22, 59, 59)  # 31 Dec 2025 23:59:59 in Paris


def _log(conn, occurred_at, action, *, territory_id=None, person_id=None):
    conn.execute(
        sa.insert(tables.activity_log).values(
            occurred_at=occurred_at, action=action, territory_id=territory_id, person_id=person_id
        )
    )


def _assessment(conn, territory_id, assessed_on, submitted_at, status="submitted"):
    conn.execute(
        sa.insert(tables.assessment).values(
            territory_id=territory_id,
            framework_version=load_framework().version,
            assessed_on=assessed_on,
            status=status,
            submitted_at=submitted_at,
        )
    )


def _response(conn, campaign_id, role, submitted_at, *, territory_id=None, status="submitted"):
    conn.execute(
        sa.insert(tables.response).values(
            campaign_id=campaign_id,
            respondent_role=role,
            territory_id=territory_id,
            status=status,
            resume_code=f"R{campaign_id}-{role}-{submitted_at.isoformat()}-{status}",
            document={},
            submitted_at=submitted_at if status == "submitted" else None,
        )
    )


@pytest.fixture
def network(engine):
    ids = {
        "alpha": make_territory(engine, "Alpha", kind="commune", region="Bretagne"),
        "beta": make_territory(engine, "Bêta", kind="epci", region="Occitanie"),
        "gamma": make_territory(engine, "Gamma", kind="epci", region="Bretagne"),
        "delta": make_territory(engine, "Delta", kind="commune", region="Occitanie"),
        "epsilon": make_territory(engine, "Epsilon", kind="commune", region="Grand Est"),
    }
    alpha, beta, gamma, delta, epsilon = ids.values()
    marie = make_person(engine, "Marie Membre")
    make_membership(engine, marie, alpha, Role.CONTRIBUTOR)
    paul = make_person(engine, "Paul Deux-Territoires")
    make_membership(engine, paul, alpha, Role.READER)
    make_membership(engine, paul, epsilon, Role.READER)
    chloe = make_person(engine, "Chloé Admin", email="chloe@gamma.test")
    make_membership(engine, chloe, gamma, Role.TERRITORY_ADMIN)
    coordinator = make_actor(engine, Role.COORDINATOR, None, "Coralie Coordination")

    template_id = make_template(engine)
    camp_alpha, _ = make_campaign(
        engine, alpha, template_id=template_id, opens_on=date(2026, 3, 1), closes_on=date(2026, 4, 30)
    )
    camp_beta, _ = make_campaign(
        engine, beta, template_id=template_id, opens_on=date(2025, 12, 1), closes_on=date(2025, 12, 31)
    )
    camp_network, _ = make_campaign(
        engine, None, template_id=template_id, opens_on=date(2025, 12, 15), closes_on=date(2026, 6, 30)
    )

    with engine.begin() as conn:
        register_framework(conn, load_framework())
        _log(conn, utc(2026, 3, 10, 10), "assessment.submitted", territory_id=alpha)
        _log(conn, utc(2026, 2, 2, 9), "milestone.created", territory_id=alpha)
        _log(conn, LAST_SECOND, "auth.login", person_id=marie)
        _log(conn, utc(2025, 11, 15, 9), "campaign.opened", territory_id=alpha)
        _log(conn, FIRST_INSTANT, "milestone.created", territory_id=beta)
        _log(conn, ONE_SECOND_BEFORE, "milestone.created", territory_id=gamma)
        _log(conn, TOMORROW, "milestone.created", territory_id=delta)
        _log(conn, utc(2026, 2, 20, 9), "membership.granted", territory_id=delta)
        _log(conn, utc(2026, 2, 15, 9), "auth.login", person_id=paul)
        _log(conn, utc(2026, 3, 30, 9), "auth.login", person_id=coordinator.person_id)
        _log(conn, utc(2026, 3, 30, 9), "person.created", person_id=chloe)

        _assessment(conn, alpha, date(2026, 3, 8), utc(2026, 3, 10, 10))
        _assessment(conn, beta, date(2024, 3, 31), utc(2024, 4, 1, 10))
        _assessment(conn, gamma, date(2025, 10, 30), utc(2025, 11, 1, 10))
        _assessment(conn, delta, date(2026, 3, 1), None, status="draft")

        _response(conn, camp_alpha, "elected_official", utc(2026, 3, 5, 10))
        _response(conn, camp_alpha, "local_agent", utc(2026, 3, 6, 10))
        _response(conn, camp_alpha, "local_agent", LAST_SECOND)
        _response(conn, camp_alpha, "inhabitant", TOMORROW)
        _response(conn, camp_alpha, "state_services", utc(2026, 3, 7, 10), status="draft")
        _response(conn, camp_beta, "state_services", utc(2025, 12, 20, 10))
        _response(conn, camp_network, "state_services", FIRST_INSTANT, territory_id=beta)
        _response(conn, camp_network, "elected_official", ONE_SECOND_BEFORE, territory_id=gamma)
        _response(conn, camp_network, "other", utc(2026, 2, 1, 10))
    return engine, ids, coordinator


def _by_name(frame, column):
    return dict(zip(frame["name"], frame[column], strict=True))


def test_the_period_is_ninety_french_days_across_the_change_to_summer_time():
    period = engagement.Period(days=DAYS, today=TODAY)

    assert period.first_day == date(2026, 1, 1)
    assert period.since == FIRST_INSTANT
    assert period.until == TOMORROW
    assert period.previous_since == utc(2025, 10, 2, 22)
    assert period.previous_day == date(2025, 12, 31)


def test_french_months_begin_at_midnight_in_paris_in_winter_and_in_summer():
    bounds = engagement.month_bounds(TODAY)

    assert len(bounds) == 13
    assert bounds[0] == utc(2025, 3, 31, 22)  # 1 April 2025, summer time
    assert bounds[9] == FIRST_INSTANT  # 1 January 2026, winter time
    assert bounds[-1] == TOMORROW
    assert engagement.month_starts(TODAY)[0] == date(2025, 4, 1)


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (0, "under_6_months"),
        (183, "under_6_months"),
        (184, "6_to_12_months"),
        (365, "6_to_12_months"),
        (730, "1_to_2_years"),
        (731, "over_2_years"),
        (None, "never"),
    ],
)
def test_freshness_bands_include_their_upper_day(age, band):
    assert engagement.freshness_band(age) == band


def test_active_and_stalled_territories_at_the_edges_of_the_period(network):
    engine, _, coordinator = network

    view = steering.overview(engine, coordinator, days=DAYS, today=TODAY)

    status = view.territories
    assert _by_name(status, "active") == {
        "Alpha": True,
        "Bêta": True,  # its only event is the first instant of the period
        "Delta": False,  # its event is tomorrow in Paris; a membership is not activity
        "Epsilon": True,  # through the login of a member of two territories
        "Gamma": False,  # one second too early
    }
    assert _by_name(status, "last_activity_day") == {
        "Alpha": date(2026, 3, 31),
        "Bêta": date(2026, 1, 1),
        "Delta": None,
        "Epsilon": date(2026, 2, 15),
        "Gamma": date(2025, 12, 31),
    }
    assert list(view.stalled["name"]) == ["Gamma", "Delta"]  # longest idle first, never active last
    assert list(view.stalled["idle_days"]) == [90, None]
    assert list(view.stalled["admins"]) == ["Chloé Admin", ""]
    assert list(view.stalled["admin_emails"]) == ["chloe@gamma.test", ""]


def test_headline_figures_and_their_change_over_the_period(network):
    engine, _, coordinator = network

    figures = {f.code: f for f in steering.overview(engine, coordinator, days=DAYS, today=TODAY).figures}

    # Active: Alpha, Bêta, Epsilon now; Alpha (15 Nov) and Gamma (31 Dec, 23:59:59) before.
    assert (figures["active_territories"].value, figures["active_territories"].previous) == (3, 2)
    # Responses: Alpha's three (the last second counts, tomorrow's and the draft do not), Bêta's
    # on the network campaign at the first instant, and one not attributed to any territory.
    # Before: Bêta's of 20 December and Gamma's of 31 December, 23:59:59.
    assert (figures["responses"].value, figures["responses"].previous) == (5, 2)
    assert figures["responses"].change == 3
    # Open today: Alpha's and the network's; on 31 December: Bêta's and the network's.
    assert (figures["campaigns_open"].value, figures["campaigns_open"].previous) == (2, 2)
    # Submitted: Alpha's on 10 March; Gamma's on 1 November.
    assert (figures["assessments"].value, figures["assessments"].previous) == (1, 1)


def test_a_part_of_the_network_counts_its_own_territories_and_the_network_campaigns(network):
    engine, _, coordinator = network

    view = steering.overview(engine, coordinator, days=DAYS, today=TODAY, scope=Scope(kinds=("epci",)))

    assert list(view.territories["name"]) == ["Bêta", "Gamma"]
    figures = {f.code: (f.value, f.previous) for f in view.figures}
    assert figures == {
        "active_territories": (1, 1),
        "responses": (1, 2),
        "campaigns_open": (1, 2),
        "assessments": (0, 1),
    }


def test_role_coverage_names_the_fantastiques_who_never_answered(network):
    engine, _, coordinator = network

    coverage = steering.coverage(engine, coordinator, days=DAYS, today=TODAY)

    rows = {r["name"]: r for r in coverage.to_dict("records")}
    assert (rows["Alpha"]["elected_official"], rows["Alpha"]["local_agent"]) == (1, 2)
    assert rows["Alpha"]["covered"] == 2
    assert rows["Alpha"]["missing"] == ("state_services", "socio_economic")
    assert (rows["Bêta"]["state_services"], rows["Bêta"]["covered"]) == (1, 1)
    assert rows["Gamma"]["responses"] == 0  # its only response came one second too early
    assert rows["Delta"]["others"] == 0  # the inhabitant answered tomorrow
    # Fewest of the four first; among equals, the most responses first, then by name.
    assert list(coverage["name"]) == ["Delta", "Epsilon", "Gamma", "Bêta", "Alpha"]
    assert list(engagement.never_heard(coverage, "elected_official")["name"]) == ["Bêta"]


def test_freshness_is_the_age_of_the_latest_submitted_self_assessment(network):
    engine, _, coordinator = network

    view = steering.overview(engine, coordinator, days=DAYS, today=TODAY)

    assert _by_name(view.territories, "assessment_age_days") == {
        "Alpha": 23,
        "Bêta": 730,
        "Delta": None,  # a draft is not an assessment yet
        "Epsilon": None,
        "Gamma": 152,
    }
    counts = dict(zip(view.freshness["band"], view.freshness["territories"], strict=True))
    assert counts == {
        "under_6_months": 2,
        "6_to_12_months": 0,
        "1_to_2_years": 1,
        "over_2_years": 0,
        "never": 2,
    }


def test_activity_map_counts_events_in_french_months(network):
    engine, _, coordinator = network

    months, grid = steering.activity_map(engine, coordinator, today=TODAY)

    assert months[0] == date(2025, 4, 1) and months[-1] == date(2026, 3, 1)
    assert len(grid) == 5 * 12  # every territory × month, zeros included
    found = {(r["name"], r["month"]): r["events"] for r in grid.to_dict("records") if r["events"]}
    assert found == {
        ("Alpha", date(2025, 11, 1)): 1,
        ("Alpha", date(2026, 2, 1)): 2,  # its milestone and Paul's login
        ("Alpha", date(2026, 3, 1)): 2,  # its assessment and Marie's login at 23:59:59
        ("Bêta", date(2026, 1, 1)): 1,  # 31 Dec 23:00 UTC is January in Paris
        ("Gamma", date(2025, 12, 1)): 1,
        ("Epsilon", date(2026, 2, 1)): 1,
    }


def test_activity_map_of_a_peer_group_shows_only_its_members(network):
    engine, ids, coordinator = network
    with engine.begin() as conn:
        group = conn.execute(
            sa.insert(tables.peer_group).values(slug="duo", name="Duo").returning(tables.peer_group.c.id)
        ).scalar_one()
        conn.execute(
            sa.insert(tables.peer_group_member),
            [{"peer_group_id": group, "territory_id": ids[k]} for k in ("alpha", "epsilon")],
        )

    _, grid = steering.activity_map(engine, coordinator, today=TODAY, scope=Scope(peer_group_ids=(group,)))

    assert set(grid["name"]) == {"Alpha", "Epsilon"}
    assert grid["events"].sum() == 6


def test_a_period_outside_a_week_to_two_years_is_refused_next_to_its_field(network):
    engine, _, coordinator = network

    with pytest.raises(ValidationFailed) as refused:
        steering.overview(engine, coordinator, days=3, today=TODAY)

    assert refused.value.errors["days"].code == "steering.error.days"


def test_a_network_campaign_split_by_territory_hides_means_below_three_answers(engine):
    alpha = make_territory(engine, "Alpha")
    beta = make_territory(engine, "Bêta")
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    campaign_id, _ = make_campaign(engine, None)
    with engine.begin() as conn:
        for territory, mood in ((alpha, 2), (alpha, 4), (alpha, 5), (beta, 1), (None, 3)):
            rid = conn.execute(
                sa.insert(tables.response)
                .values(
                    campaign_id=campaign_id,
                    respondent_role="local_agent" if mood != 5 else "elected_official",
                    territory_id=territory,
                    status="submitted",
                    resume_code=f"C{territory}-{mood}",
                    document={},
                    submitted_at=utc(2026, 3, 1, 10),
                )
                .returning(tables.response.c.id)
            ).scalar_one()
            conn.execute(
                sa.insert(tables.answer).values(response_id=rid, question_id="mood", numeric_value=mood)
            )

    split = steering.campaign_by_territory(engine, coordinator, campaign_id)

    responses = split.responses.to_dict("records")
    assert [r["name"] for r in responses] == ["Alpha", "Bêta", None]  # the unattributed last
    assert (responses[0]["local_agent"], responses[0]["elected_official"], responses[0]["total"]) == (2, 1, 3)
    means = {r["name"]: r["mean"] for r in split.means.to_dict("records")}
    assert means["Alpha"] == pytest.approx((2 + 4 + 5) / 3)
    assert math.isnan(means["Bêta"])  # one answer: never shown as Bêta's mean


def test_a_territory_campaign_is_not_split(engine):
    territory = make_territory(engine)
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    campaign_id, _ = make_campaign(engine, territory)

    with pytest.raises(NotFound):
        steering.campaign_by_territory(engine, coordinator, campaign_id)


@pytest.mark.parametrize("role", [Role.TERRITORY_ADMIN, Role.CONTRIBUTOR, Role.READER])
def test_members_of_a_territory_cannot_read_the_network(engine, role):
    territory = make_territory(engine)
    member = make_actor(engine, role, territory)
    network_campaign, _ = make_campaign(engine, None)

    for call in (
        lambda: steering.overview(engine, member),
        lambda: steering.activity_map(engine, member),
        lambda: steering.coverage(engine, member),
        lambda: steering.filter_choices(engine, member),
        lambda: steering.network_campaigns(engine, member),
        lambda: steering.campaign_by_territory(engine, member, network_campaign),
        lambda: steering.territory_link_targets(engine, member, network_campaign),
    ):
        with pytest.raises(PermissionDenied):
            call()
