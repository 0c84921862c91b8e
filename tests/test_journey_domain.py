"""The journey's rules without a database: framework file, validation, axis means, next steps."""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from lib.domain import journey as j
from lib.domain.framework import FRAMEWORK_PATH, FrameworkError, load_framework, load_framework_file
from lib.domain.journey import CriterionScore, MilestoneDraft, Status
from lib.i18n import translate

FW = load_framework()
TODAY = date(2026, 3, 10)


def _message(errors, field: str) -> str:
    err = errors[field]
    return translate(err.code, "fr", **err.params)


def _all(level: int | None, comment: str = "") -> dict[str, CriterionScore]:
    return {c.id: CriterionScore(level, comment) for c in FW.criteria}


# --- The framework file ------------------------------------------------------------------


def test_the_shipped_framework_has_four_axes_of_three_to_five_criteria():
    assert [a.id for a in FW.axes] == ["engagement", "cooperation", "systemic", "evaluation"]
    assert all(3 <= len(a.criteria) <= 5 for a in FW.axes)
    assert FW.phases[0].id == "impulse" and len(FW.phases) == 5
    assert len(FW.storytelling_dimensions) == 5


def _broken_copy(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load(FRAMEWORK_PATH.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "framework.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (lambda d: d.pop("phases"), "framework.phases"),
        (lambda d: d.pop("version"), "framework.version"),
        (lambda d: d["axes"][1]["criteria"][0].pop("label"), "axes[1].criteria[0].label"),
        (lambda d: d["scale"][2]["description"].pop("en"), "scale[2].description"),
        (lambda d: d["storytelling_dimensions"][3].pop("id"), "storytelling_dimensions[3].id"),
    ],
)
def test_a_broken_framework_file_names_the_faulty_key(tmp_path, edit, named):
    with pytest.raises(FrameworkError) as caught:
        load_framework_file(_broken_copy(tmp_path, edit))
    assert named in str(caught.value)


def test_an_axis_with_too_few_criteria_is_refused(tmp_path):
    path = _broken_copy(tmp_path, lambda d: d["axes"][0].update(criteria=d["axes"][0]["criteria"][:2]))
    with pytest.raises(FrameworkError, match=r"axes\[0\]\.criteria"):
        load_framework_file(path)


# --- Assessments -------------------------------------------------------------------------


def test_submitting_needs_every_level_and_says_so_in_french_next_to_each_missing_one():
    scores = _all(2)
    missing = FW.criteria[4].id
    scores[missing] = CriterionScore(None, "pas encore discuté")
    errors = j.validate_assessment(FW, scores, Status.SUBMITTED, on=TODAY)
    assert list(errors) == [f"level.{missing}"]
    assert _message(errors, f"level.{missing}") == "Ce champ est obligatoire."


def test_a_draft_may_leave_levels_empty():
    assert j.validate_assessment(FW, {}, Status.DRAFT, on=TODAY) == {}
    assert j.validate_assessment(FW, _all(None), Status.DRAFT, on=TODAY) == {}


def test_a_comment_over_the_limit_is_refused_with_its_length():
    scores = _all(3)
    cid = FW.criteria[0].id
    scores[cid] = CriterionScore(3, "x" * (j.COMMENT_MAX + 1))
    errors = j.validate_assessment(FW, scores, Status.DRAFT, on=TODAY)
    assert _message(errors, f"comment.{cid}") == "Trop long : 2001 caractères pour 2000 au maximum."
    scores[cid] = CriterionScore(3, "x" * j.COMMENT_MAX)
    assert j.validate_assessment(FW, scores, Status.SUBMITTED, on=TODAY) == {}


def test_out_of_scale_levels_unknown_criteria_and_future_dates_are_refused():
    scores = _all(1) | {"not_a_criterion": CriterionScore(2)}
    scores[FW.criteria[0].id] = CriterionScore(7)
    errors = j.validate_assessment(FW, scores, Status.DRAFT, TODAY + timedelta(days=1), on=TODAY)
    assert set(errors) == {f"level.{FW.criteria[0].id}", "level.not_a_criterion", "assessed_on"}
    assert _message(errors, "assessed_on") == "La date ne peut pas être dans le futur."


def test_axis_score_is_the_mean_of_its_rated_criteria():
    axis = FW.axes[0]
    levels = [0, 4, 2, None, None][: len(axis.criteria)]
    scores = {c.id: CriterionScore(lv) for c, lv in zip(axis.criteria, levels, strict=True)}
    means = j.axis_scores(FW, scores)
    assert means[axis.id] == pytest.approx(2.0)
    assert means[FW.axes[1].id] is None


@given(st.lists(st.integers(0, 4), min_size=len(FW.criteria), max_size=len(FW.criteria)))
def test_axis_scores_stay_on_the_scale_and_between_their_criteria(levels):
    scores = {c.id: CriterionScore(lv) for c, lv in zip(FW.criteria, levels, strict=True)}
    for axis, mean in j.axis_scores(FW, scores).items():
        own = [scores[c.id].level for c in FW.axis(axis).criteria]
        assert min(own) <= mean <= max(own)


# --- Milestones --------------------------------------------------------------------------


def _milestone(**changes) -> MilestoneDraft:
    values = {"occurred_on": TODAY, "phase": "groundwork", "title": "Forum des transitions", "story": ""}
    return MilestoneDraft(**(values | changes))


def test_a_complete_milestone_passes():
    assert j.validate_milestone(FW, _milestone(storytelling_dimension="tell_cooperation"), on=TODAY) == {}


def test_a_milestone_in_the_future_is_refused_in_french():
    errors = j.validate_milestone(FW, _milestone(occurred_on=TODAY + timedelta(days=1)), on=TODAY)
    assert _message(errors, "occurred_on") == "La date ne peut pas être dans le futur."


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"occurred_on": None}, "occurred_on", "error.required"),
        ({"phase": None}, "phase", "error.required"),
        ({"phase": "moon_landing"}, "phase", "journey.error.invalid_choice"),
        ({"storytelling_dimension": "poetry"}, "storytelling_dimension", "journey.error.invalid_choice"),
        ({"title": "   "}, "title", "error.required"),
        ({"title": "t" * 201}, "title", "error.too_long"),
        ({"story": "s" * (j.STORY_MAX + 1)}, "story", "error.too_long"),
    ],
)
def test_each_bad_milestone_field_is_named(changes, field, code):
    errors = j.validate_milestone(FW, _milestone(**changes), on=TODAY)
    assert set(errors) == {field} and errors[field].code == code
    assert not _message(errors, field).startswith("journey.")  # a real sentence, not a key


# --- What to do next ---------------------------------------------------------------------


def test_next_steps_for_a_territory_that_has_stalled():
    steps = j.next_steps(
        latest_submitted_on=TODAY - timedelta(days=300),
        has_draft=True,
        last_milestone_on=TODAY - timedelta(days=200),
        latest_axis_scores={"engagement": 3.0, "cooperation": 1.25, "systemic": 2.0, "evaluation": None},
        can_edit=True,
        on=TODAY,
    )
    codes = [s.code for s in steps]
    assert codes == [
        "journey.next.submit_draft",
        "journey.next.assessment_due",
        "journey.next.add_milestone",
        "journey.next.weakest_axis",
    ]
    assert steps[1].params == {"months": 10} and steps[-1].axis_id == "cooperation"


def test_a_reader_gets_no_call_to_record_anything():
    steps = j.next_steps(
        latest_submitted_on=None,
        has_draft=False,
        last_milestone_on=None,
        latest_axis_scores=None,
        can_edit=False,
    )
    assert [s.code for s in steps] == ["journey.next.all_good"]


def test_a_new_territory_is_invited_to_start():
    steps = j.next_steps(
        latest_submitted_on=None,
        has_draft=False,
        last_milestone_on=None,
        latest_axis_scores=None,
        can_edit=True,
    )
    assert [s.code for s in steps] == ["journey.next.first_assessment", "journey.next.first_milestone"]


# --- Shaping for charts ------------------------------------------------------------------


def test_the_radar_shape_is_closed_and_each_axis_points_its_own_way():
    latest = {"engagement": 4.0, "cooperation": 2.0, "systemic": None, "evaluation": 1.0}
    frame = j.radar_frame(FW, [("2026", latest)], "fr")
    assert len(frame) == len(FW.axes) + 1
    first, last = frame.iloc[0], frame.iloc[-1]
    assert (first.x, first.y) == (last.x, last.y) == (0.0, 4.0)  # first axis straight up, shape closed
    coop = frame[frame.axis_id == "cooperation"].iloc[0]
    assert math.isclose(coop.x, 2.0) and math.isclose(coop.y, 0.0, abs_tol=1e-9)
    assert frame[frame.axis_id == "systemic"].score.isna().all()


def test_history_table_has_one_row_per_axis_in_framework_order_and_one_column_per_date():
    class P:
        def __init__(self, d, a, s):
            self.assessed_on, self.axis_id, self.score = d, a, s

    points = [P(date(2026, 1, 1), "engagement", 2.5)] + [
        P(date(2025, 1, 1), a.id, 1.0) for a in reversed(FW.axes)
    ]
    table = j.axis_history_table(j.axis_history_frame(FW, points, "fr"))
    assert list(table.columns) == ["axis", date(2025, 1, 1), date(2026, 1, 1)]
    assert list(table["axis"]) == [a.label("fr") for a in FW.axes]
    assert table.iloc[0][date(2026, 1, 1)] == 2.5 and table.iloc[1][date(2025, 1, 1)] == 1.0
