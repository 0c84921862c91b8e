"""Results shaping and the perception-gap ranking, on a small data set computed by hand."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

import pytest

from lib.domain import feedback_analytics as fa
from lib.domain.forms import parse_template
from lib.domain.framework import load_framework
from tests.factories import SHORT_TEMPLATE

ROLES = [r.id for r in load_framework().stakeholder_roles]

# (question, role, value, answers) — what SQL's GROUP BY returns.
HAND_MADE = [
    # q1, scale 1..5
    ("q1", "elected_official", 5, 2),
    ("q1", "elected_official", 4, 1),
    ("q1", "state_services", 2, 2),
    ("q1", "inhabitant", 1, 1),
    # q2, scale 1..5
    ("q2", "elected_official", 3, 2),
    ("q2", "local_agent", 4, 1),
    ("q2", "local_agent", 2, 1),
    ("q2", "socio_economic", 3, 1),
    ("q2", "socio_economic", 4, 1),
    # q3, scale -2..+2
    ("q3", "elected_official", 2, 2),
    ("q3", "inhabitant", -1, 2),
    ("q3", "inhabitant", -2, 1),
    # q4, scale 1..5: a single role answered
    ("q4", "elected_official", 3, 3),
]
SCALES = {"q1": (1, 5), "q2": (1, 5), "q3": (-2, 2), "q4": (1, 5)}

# By hand, counting only roles with at least 2 answers:
# q1: elected (5+5+4)/3 = 14/3 ≈ 4.667 (3 answers); state 2.0 (2); inhabitant has 1 answer: left out.
#     gap = 14/3 − 2 = 8/3 ≈ 2.667 points; width of the scale 5 − 1 = 4 → share 8/12 = 2/3 ≈ 0.667.
# q2: elected 3.0 (2); local agent (4+2)/2 = 3.0 (2); socio-economic (3+4)/2 = 3.5 (2).
#     high socio-economic 3.5; low: elected and local agent tie at 3.0 → the first in the
#     framework's order, elected official. gap 0.5; share 0.5/4 = 0.125.
# q3: elected 2.0 (2); inhabitant (−1−1−2)/3 = −4/3 (3). gap 2 + 4/3 = 10/3 ≈ 3.333;
#     width 2 − (−2) = 4 → share 10/12 = 5/6 ≈ 0.833.
# q4: one role only → not ranked.
# Ranking by share: q3 (0.833), q1 (0.667), q2 (0.125).


def test_perception_gaps_rank_questions_by_how_much_roles_disagree():
    gaps = fa.perception_gaps(fa.distribution(HAND_MADE), SCALES, ROLES, min_answers=2)
    assert list(gaps["question_id"]) == ["q3", "q1", "q2"]
    q3, q1, q2 = (gaps.iloc[i] for i in range(3))
    assert (q3.high_role, q3.low_role) == ("elected_official", "inhabitant")
    assert q3.gap == pytest.approx(10 / 3) and q3.gap_share == pytest.approx(5 / 6)
    assert q3.low_mean == pytest.approx(-4 / 3)
    assert (q1.high_role, q1.low_role, q1.roles_counted) == ("elected_official", "state_services", 2)
    assert q1.high_mean == pytest.approx(14 / 3) and q1.gap == pytest.approx(8 / 3)
    assert q1.gap_share == pytest.approx(2 / 3)
    assert (q2.high_role, q2.low_role, q2.roles_counted) == ("socio_economic", "elected_official", 3)
    assert q2.gap == pytest.approx(0.5) and q2.gap_share == pytest.approx(0.125)


def test_a_role_below_the_threshold_does_not_count():
    # With 3 answers needed, state services (2 answers) drop out of q1 and only elected
    # officials are left: q1 is no longer ranked. q2's roles all have 2 answers: gone too.
    gaps = fa.perception_gaps(fa.distribution(HAND_MADE), SCALES, ROLES, min_answers=3)
    assert list(gaps["question_id"]) == []
    # Lowering it to 1 lets the lone inhabitant of q1 in: 14/3 − 1 = 11/3, share 11/12.
    gaps = fa.perception_gaps(fa.distribution(HAND_MADE), SCALES, ROLES, min_answers=1)
    q1 = gaps[gaps["question_id"] == "q1"].iloc[0]
    assert q1.low_role == "inhabitant" and q1.gap_share == pytest.approx(11 / 12)
    assert gaps.iloc[0]["question_id"] == "q1"  # 0.917 now beats q3's 0.833


def test_role_means_weigh_each_value_by_its_count():
    means = fa.role_means(fa.distribution(HAND_MADE), ROLES)
    q1 = means[means["question_id"] == "q1"].set_index("role")
    assert list(q1.index) == ["elected_official", "state_services", "inhabitant"]  # framework order
    assert q1.loc["elected_official", "answers"] == 3
    assert q1.loc["elected_official", "mean"] == pytest.approx(14 / 3)


def test_no_data_gives_empty_tables_not_errors():
    empty = fa.distribution([])
    assert fa.perception_gaps(empty, SCALES, ROLES).empty
    assert fa.role_means(empty).empty
    counts = fa.counts_over_time([], ROLES)
    assert counts.empty and fa.counts_table(counts, ROLES).empty


def test_counts_over_time_per_day_and_role_with_running_totals():
    d1, d2, d3 = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 5)
    rows = [
        (d3, "state_services", 3),
        (d1, "inhabitant", 1),
        (d1, "elected_official", 2),
        (d2, "elected_official", 1),
    ]
    counts = fa.counts_over_time(rows, ROLES)
    elected = counts[counts["role"] == "elected_official"]
    assert list(elected["cumulative"]) == [2, 3]
    table = fa.counts_table(counts, ROLES)
    # By hand: d1 → 2 elected + 1 inhabitant = 3; d2 → 1 elected; d3 → 3 State services.
    assert list(table.columns) == ["day", "elected_official", "state_services", "inhabitant", "total"]
    assert table.to_dict("records") == [
        {"day": d1, "elected_official": 2, "state_services": 0, "inhabitant": 1, "total": 3},
        {"day": d2, "elected_official": 1, "state_services": 0, "inhabitant": 0, "total": 1},
        {"day": d3, "elected_official": 0, "state_services": 3, "inhabitant": 0, "total": 3},
    ]


def test_free_texts_are_grouped_by_role_in_the_framework_order():
    rows = [("story", "inhabitant", "A"), ("story", "elected_official", "B"), ("story", "inhabitant", "C")]
    assert fa.texts_by_role(rows, ROLES) == {
        "story": [("elected_official", ["B"]), ("inhabitant", ["A", "C"])]
    }


def test_the_export_has_stable_columns_one_row_per_response():
    template = parse_template(copy.deepcopy(SHORT_TEMPLATE))
    winter = datetime(2026, 1, 15, 10, 0, 30, 999, tzinfo=UTC)
    responses = [
        {
            "id": 7,
            "role": "inhabitant",
            "created_at": winter,
            "submitted_at": winter,
            "respondent_name": None,
        },
        {"id": 9, "role": "elected_official", "created_at": winter, "submitted_at": winter},
    ]
    answers = [
        (7, "topics", None, "mobility"),
        (7, "topics", None, "energy"),
        (7, "mood", 4.0, None),
        (7, "partners", 2.0, None),
        (9, "story", None, "Texte"),
    ]
    table = fa.responses_wide(template, responses, answers)
    assert list(table.columns) == [
        "response_id",
        "role",
        "started_at",
        "submitted_at",
        "respondent_name",
        "mood",
        "topics",
        "story",
        "partners",
        "outcome",
    ]
    first, second = table.to_dict("records")
    assert first["topics"] == "energy|mobility"  # the template's option order
    assert first["mood"] == 4 and isinstance(first["mood"], int) and first["partners"] == 2
    assert first["submitted_at"] == datetime(2026, 1, 15, 11, 0, 30)  # Paris time in winter, no tz
    assert second["mood"] is None and second["story"] == "Texte"
    # Same columns even with no response at all: a spreadsheet template keeps working.
    assert list(fa.responses_wide(template, [], []).columns) == list(table.columns)
