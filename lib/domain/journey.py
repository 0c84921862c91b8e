"""A territory's journey: self-assessments and milestones, checked before anything is saved.

Pure rules and shaping: no SQL, no Streamlit. Errors are ``FieldError`` keyed by the name
of the field the page shows them under (``level.<criterion>``, ``comment.<criterion>``,
``occurred_on``, ``phase``...).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

import pandas as pd

from lib.domain.clock import today
from lib.domain.errors import FieldError
from lib.domain.framework import LEVELS, Framework
from lib.domain.inputs import INVALID, Checks, is_whole
from lib.domain.text import clean_text

COMMENT_MAX = 2000
TITLE_MAX = 200
STORY_MAX = 5000

# Past this, the home page suggests a new self-assessment (about six months).
ASSESSMENT_STALE_DAYS = 183
# Past this without a milestone, the home page suggests telling what happened.
MILESTONE_STALE_DAYS = 120


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


@dataclass(frozen=True)
class CriterionScore:
    level: int | None = None
    comment: str = ""


@dataclass(frozen=True)
class MilestoneDraft:
    occurred_on: date | None
    phase: str | None
    title: str
    story: str = ""
    storytelling_dimension: str | None = None
    axis_id: str | None = None  # the framework axis the story is about, for peers looking it up


INVALID_CHOICE = "journey.error.invalid_choice"


def clean(text: str | None) -> str:
    """A text as stored: cleaned by the one rule (``lib.domain.text``), trimmed. Checked first."""
    return clean_text(text or "").strip()


def normalise_scores(framework: Framework, scores: Mapping[str, CriterionScore]) -> dict[str, CriterionScore]:
    """One entry per criterion of the framework, in its order, comments cleaned and trimmed.
    Assumes ``validate_assessment`` found nothing to say."""
    return {
        c.id: CriterionScore(
            level=scores[c.id].level if c.id in scores else None,
            comment=clean(scores[c.id].comment) if c.id in scores else "",
        )
        for c in framework.criteria
    }


def validate_assessment(
    framework: Framework,
    scores: Mapping[str, CriterionScore],
    status: Status | str,
    assessed_on: date | None = None,
    *,
    on: date | None = None,
) -> dict[str, FieldError]:
    """Errors of an assessment, by field. A draft may leave levels empty; a submission may not.
    Levels are whole numbers of the scale (not ``True``, not ``2.0``), comments texts."""
    checks = Checks()
    try:
        status = Status(status)
    except ValueError:
        checks.fail("status", INVALID)
        status = Status.DRAFT
    if not isinstance(scores, Mapping):
        checks.fail("scores", INVALID)
        scores = {}
    known = {c.id for c in framework.criteria}
    for criterion_id in scores:
        if criterion_id not in known:
            checks.fail(f"level.{criterion_id}", "journey.error.unknown_criterion")
    for criterion in framework.criteria:
        score = scores.get(criterion.id, CriterionScore())
        if not isinstance(score, CriterionScore):
            checks.fail(f"level.{criterion.id}", INVALID)
            continue
        if score.level is None:
            if status is Status.SUBMITTED:
                checks.fail(f"level.{criterion.id}", "error.required")
        elif not is_whole(score.level) or score.level not in LEVELS:
            checks.fail(f"level.{criterion.id}", INVALID_CHOICE)
        checks.text(f"comment.{criterion.id}", score.comment, max_length=COMMENT_MAX)
    if assessed_on is not None and checks.day("assessed_on", assessed_on) and assessed_on > (on or today()):
        checks.fail("assessed_on", "error.future_date")
    return checks.errors


def validate_milestone(
    framework: Framework, draft: MilestoneDraft, *, on: date | None = None
) -> dict[str, FieldError]:
    checks = Checks()
    if not isinstance(draft, MilestoneDraft):
        checks.fail("title", INVALID)
        return checks.errors
    occurred_on = checks.day("occurred_on", draft.occurred_on)
    if occurred_on is not None and occurred_on > (on or today()):
        checks.fail("occurred_on", "error.future_date")
    checks.one_of("phase", draft.phase, {p.id for p in framework.phases}, code=INVALID_CHOICE)
    if draft.storytelling_dimension not in (None, ""):
        dimensions = {d.id for d in framework.storytelling_dimensions}
        checks.one_of("storytelling_dimension", draft.storytelling_dimension, dimensions, code=INVALID_CHOICE)
    if draft.axis_id not in (None, ""):
        checks.one_of("axis_id", draft.axis_id, {a.id for a in framework.axes}, code=INVALID_CHOICE)
    checks.text("title", draft.title, required=True, max_length=TITLE_MAX)
    checks.text("story", draft.story, max_length=STORY_MAX)
    return checks.errors


def axis_scores(framework: Framework, scores: Mapping[str, CriterionScore]) -> dict[str, float | None]:
    """Mean level of each axis over its rated criteria (None when none is rated yet)."""
    result: dict[str, float | None] = {}
    for axis in framework.axes:
        levels = [scores[c.id].level for c in axis.criteria if c.id in scores]
        rated = [lv for lv in levels if lv is not None]
        result[axis.id] = sum(rated) / len(rated) if rated else None
    return result


def criterion_axis_map(framework: Framework) -> dict[str, str]:
    """Which axis each criterion belongs to: what SQL needs to average by axis."""
    return {c.id: c.axis_id for c in framework.criteria}


# --- "What to do next" on the home page -------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    code: str  # a translation key
    params: dict[str, Any] = field(default_factory=dict)
    axis_id: str | None = None  # the page turns it into the axis's label


def next_steps(
    *,
    latest_submitted_on: date | None,
    has_draft: bool,
    last_milestone_on: date | None,
    latest_axis_scores: Mapping[str, float | None] | None,
    can_edit: bool,
    on: date | None = None,
) -> list[Suggestion]:
    """What a territory team could do now, most useful first."""
    on = on or today()
    steps: list[Suggestion] = []
    if can_edit:
        if has_draft:
            steps.append(Suggestion("journey.next.submit_draft"))
        if latest_submitted_on is None:
            if not has_draft:
                steps.append(Suggestion("journey.next.first_assessment"))
        elif (on - latest_submitted_on).days > ASSESSMENT_STALE_DAYS:
            months = (on - latest_submitted_on).days // 30
            steps.append(Suggestion("journey.next.assessment_due", {"months": months}))
        if last_milestone_on is None:
            steps.append(Suggestion("journey.next.first_milestone"))
        elif (on - last_milestone_on).days > MILESTONE_STALE_DAYS:
            months = (on - last_milestone_on).days // 30
            steps.append(Suggestion("journey.next.add_milestone", {"months": months}))
    rated = {k: v for k, v in (latest_axis_scores or {}).items() if v is not None}
    if rated:
        weakest = min(rated, key=lambda k: rated[k])
        steps.append(Suggestion("journey.next.weakest_axis", {"score": rated[weakest]}, axis_id=weakest))
    if not steps:
        steps.append(Suggestion("journey.next.all_good"))
    return steps


# --- Shaping what SQL returned, for charts and their tables ------------------------------


def _wrap(text: str, width: int = 24) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def radar_frame(
    framework: Framework,
    series: Iterable[tuple[str, Mapping[str, float | None]]],
    lang: str,
) -> pd.DataFrame:
    """One row per (series, axis) with polar coordinates: axis i of n sits at angle 2πi/n.

    ``series`` is ``(name, {axis_id: score})`` pairs, e.g. the latest assessment and the
    previous one. The first axis is repeated at the end (``order`` = n) to close the shape.
    """
    axes = framework.axes
    n = len(axes)
    rows = []
    for name, scores in series:
        for i, axis in enumerate((*axes, axes[0])):
            score = scores.get(axis.id)
            angle = 2 * math.pi * (i % n) / n
            radius = score if score is not None else 0.0
            rows.append(
                {
                    "series": name,
                    "order": i,
                    "axis_id": axis.id,
                    "axis": axis.label(lang),
                    "score": None if score is None else round(score, 2),
                    "x": radius * math.sin(angle),
                    "y": radius * math.cos(angle),
                }
            )
    return pd.DataFrame(rows, columns=["series", "order", "axis_id", "axis", "score", "x", "y"])


def radar_frame_grid(framework: Framework, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The web behind the radar: one closed ring per level, and the axis labels at the rim."""
    axes = framework.axes
    n = len(axes)
    rings = []
    for level in LEVELS[1:]:
        for i in range(n + 1):
            angle = 2 * math.pi * (i % n) / n
            rings.append(
                {"level": level, "order": i, "x": level * math.sin(angle), "y": level * math.cos(angle)}
            )
    labels = []
    rim = LEVELS[-1] + 0.3
    for i, axis in enumerate(axes):
        angle = 2 * math.pi * i / n
        x, y = math.sin(angle), math.cos(angle)
        # Which side of its text the label hangs from, so it never covers the web.
        anchor = ("top" if y > 0 else "bottom") if abs(y) >= abs(x) else ("right" if x > 0 else "left")
        labels.append(
            {
                "axis": _wrap(axis.label(lang)),
                "anchor": anchor,
                "x": rim * x,
                "y": rim * y,
                "x0": 0.0,
                "y0": 0.0,
                "x1": LEVELS[-1] * math.sin(angle),
                "y1": LEVELS[-1] * math.cos(angle),
            }
        )
    return pd.DataFrame(rings), pd.DataFrame(labels)


def axis_table(
    framework: Framework,
    series: list[tuple[str, Mapping[str, float | None]]],
    lang: str,
) -> pd.DataFrame:
    """The radar as a table: one row per axis, one column per series, and the change."""
    data: dict[str, list] = {"axis": [a.label(lang) for a in framework.axes]}
    for name, scores in series:
        data[name] = [_round(scores.get(a.id)) for a in framework.axes]
    frame = pd.DataFrame(data)
    if len(series) == 2:
        first, second = series[0][0], series[1][0]
        frame["change"] = [
            None if a is None or b is None or pd.isna(a) or pd.isna(b) else round(a - b, 2)
            for a, b in zip(frame[first], frame[second], strict=True)
        ]
    return frame


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def axis_history_frame(framework: Framework, points: Iterable[Any], lang: str) -> pd.DataFrame:
    """Axis scores over time, long form: ``points`` have assessed_on, axis_id and score."""
    order = {a.id: i for i, a in enumerate(framework.axes)}
    rows = [
        {
            "assessed_on": pd.Timestamp(p.assessed_on),
            "axis_id": p.axis_id,
            "axis": framework.axis(p.axis_id).label(lang),
            "axis_order": order[p.axis_id],
            "score": _round(p.score),
        }
        for p in points
        if p.axis_id in order
    ]
    columns = ["assessed_on", "axis_id", "axis", "axis_order", "score"]
    return pd.DataFrame(rows, columns=columns).sort_values(["assessed_on", "axis_order"], ignore_index=True)


def axis_history_table(history: pd.DataFrame) -> pd.DataFrame:
    """One row per axis (framework order), one column per assessment date, oldest first."""
    if history.empty:
        return pd.DataFrame()
    table = history.pivot_table(index="axis_order", columns="assessed_on", values="score", aggfunc="mean")
    labels = history.drop_duplicates("axis_order").set_index("axis_order")["axis"]
    table.columns = [ts.date() for ts in table.columns]
    table.insert(0, "axis", labels.reindex(table.index))
    return table.sort_index().reset_index(drop=True)


def milestones_frame(framework: Framework, milestones: Iterable[Any], lang: str) -> pd.DataFrame:
    """Milestones with their phase and dimension labels, oldest first (a trajectory reads forward)."""
    phase_order = {p.id: i for i, p in enumerate(framework.phases)}
    phases = {p.id: p.label(lang) for p in framework.phases}
    dimensions = {d.id: d.label(lang) for d in framework.storytelling_dimensions}
    rows = [
        {
            "id": m.id,
            "occurred_on": pd.Timestamp(m.occurred_on),
            "phase_id": m.phase,
            "phase": phases.get(m.phase, m.phase),
            "phase_order": phase_order.get(m.phase, len(phase_order)),
            "dimension": dimensions.get(m.storytelling_dimension or "", ""),
            "title": m.title,
            "story": m.story or "",
        }
        for m in milestones
    ]
    columns = ["id", "occurred_on", "phase_id", "phase", "phase_order", "dimension", "title", "story"]
    return pd.DataFrame(rows, columns=columns).sort_values(["occurred_on", "id"], ignore_index=True)
