"""Use cases of a territory's journey: self-assessments, milestones, the home summary.

Each function checks the actor's rights first, then works in one transaction: a refused
or failed save leaves the database exactly as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from lib.access import Action, Actor, can, require
from lib.domain import journey as domain
from lib.domain.errors import ConcurrentEdit, FieldError, NotFound, ServiceError, ValidationFailed
from lib.domain.framework import Framework, load_framework
from lib.domain.inputs import ID_MAX, NOT_FOUND, Checks
from lib.domain.journey import CriterionScore, MilestoneDraft, Status, Suggestion
from lib.services.unit_of_work import reading, writing
from lib.store import journey as store
from lib.store import tables
from lib.store.activity import log_activity
from lib.store.reference import register_framework
from lib.store.territories import territory_exists


@dataclass(frozen=True)
class Assessment:
    id: int
    territory_id: int
    assessed_on: date
    status: str
    version: int
    framework_version: str
    submitted_at: datetime | None
    scores: dict[str, CriterionScore]
    axis_scores: dict[str, float | None]


@dataclass(frozen=True)
class AxisPoint:
    assessment_id: int
    assessed_on: date
    axis_id: str
    score: float


@dataclass(frozen=True)
class Milestone:
    id: int
    territory_id: int
    occurred_on: date
    phase: str
    storytelling_dimension: str | None
    title: str
    story: str
    version: int
    axis_id: str | None = None


@dataclass(frozen=True)
class Saved:
    """What a page needs after a save: which record, at which version, in which state."""

    id: int
    version: int
    status: str | None = None


@dataclass(frozen=True)
class Journey:
    territory_id: int
    can_edit: bool
    latest: Assessment | None
    previous: Assessment | None
    draft: Assessment | None
    history: list[AxisPoint]
    milestones: list[Milestone]


@dataclass(frozen=True)
class HomeSummary:
    territory_id: int
    can_edit: bool
    latest: Assessment | None
    previous: Assessment | None
    has_draft: bool
    last_milestone: Milestone | None
    suggestions: list[Suggestion]


# --- Reading -------------------------------------------------------------------------------


def milestone_of(row) -> Milestone:
    """A stored milestone row as services hand it on."""
    return Milestone(
        id=row.id,
        territory_id=row.territory_id,
        occurred_on=row.occurred_on,
        phase=row.phase,
        storytelling_dimension=row.storytelling_dimension,
        title=row.title,
        story=row.story or "",
        version=row.version,
        axis_id=row.axis_id,
    )


def _assessments(conn: Connection, framework: Framework, rows: list) -> list[Assessment]:
    ids = [r.id for r in rows]
    scores: dict[int, dict[str, CriterionScore]] = {i: {} for i in ids}
    for s in store.scores_of(conn, ids):
        scores[s.assessment_id][s.criterion_id] = CriterionScore(level=s.level, comment=s.comment or "")
    means: dict[int, dict[str, float | None]] = {i: {a.id: None for a in framework.axes} for i in ids}
    submitted = [r.id for r in rows if r.status == Status.SUBMITTED]
    if submitted:
        mapping = domain.criterion_axis_map(framework)
        for p in store.axis_scores(
            conn, mapping, territory_id=rows[0].territory_id, assessment_ids=submitted
        ):
            means[p.assessment_id][p.axis_id] = p.score
    for r in rows:
        if r.status != Status.SUBMITTED:  # drafts are never charted; their means are for display only
            means[r.id] = domain.axis_scores(framework, scores[r.id])
    return [
        Assessment(
            id=r.id,
            territory_id=r.territory_id,
            assessed_on=r.assessed_on,
            status=r.status,
            version=r.version,
            framework_version=r.framework_version,
            submitted_at=r.submitted_at,
            scores=scores[r.id],
            axis_scores=means[r.id],
        )
        for r in rows
    ]


def _latest_two_and_draft(conn: Connection, framework: Framework, territory_id: int):
    submitted = _assessments(
        conn, framework, store.latest_assessments(conn, territory_id, status=Status.SUBMITTED, limit=2)
    )
    drafts = _assessments(
        conn, framework, store.latest_assessments(conn, territory_id, status=Status.DRAFT, limit=1)
    )
    latest = submitted[0] if submitted else None
    previous = submitted[1] if len(submitted) > 1 else None
    return latest, previous, (drafts[0] if drafts else None)


def get_journey(
    engine: Engine, actor: Actor | None, territory_id: int, framework: Framework | None = None
) -> Journey:
    """Everything the journey page shows: latest and previous assessment, draft, history, milestones."""
    require(actor, Action.VIEW_TERRITORY, territory_id)
    framework = framework or load_framework()
    with reading(engine) as conn:
        latest, previous, draft = _latest_two_and_draft(conn, framework, territory_id)
        history = _history(conn, framework, territory_id)
        milestones = [milestone_of(r) for r in store.list_milestones(conn, territory_id)]
    return Journey(
        territory_id=territory_id,
        can_edit=can(actor, Action.EDIT_JOURNEY, territory_id),
        latest=latest,
        previous=previous,
        draft=draft,
        history=history,
        milestones=milestones,
    )


def _history(conn: Connection, framework: Framework, territory_id: int) -> list[AxisPoint]:
    rows = store.axis_scores(conn, domain.criterion_axis_map(framework), territory_id=territory_id)
    return [AxisPoint(r.assessment_id, r.assessed_on, r.axis_id, r.score) for r in rows]


def list_milestones(engine: Engine, actor: Actor | None, territory_id: int) -> list[Milestone]:
    require(actor, Action.VIEW_TERRITORY, territory_id)
    with reading(engine) as conn:
        return [milestone_of(r) for r in store.list_milestones(conn, territory_id)]


def home_summary(
    engine: Engine,
    actor: Actor | None,
    territory_id: int,
    framework: Framework | None = None,
    *,
    on: date | None = None,
) -> HomeSummary:
    """A territory at a glance: latest axis scores, last milestone, what to do next."""
    require(actor, Action.VIEW_TERRITORY, territory_id)
    framework = framework or load_framework()
    with reading(engine) as conn:
        latest, previous, draft = _latest_two_and_draft(conn, framework, territory_id)
        last = store.last_milestone(conn, territory_id)
    last_milestone = milestone_of(last) if last is not None else None
    can_edit = can(actor, Action.EDIT_JOURNEY, territory_id)
    suggestions = domain.next_steps(
        latest_submitted_on=latest.assessed_on if latest else None,
        has_draft=draft is not None,
        last_milestone_on=last_milestone.occurred_on if last_milestone else None,
        latest_axis_scores=latest.axis_scores if latest else None,
        can_edit=can_edit,
        on=on,
    )
    return HomeSummary(
        territory_id=territory_id,
        can_edit=can_edit,
        latest=latest,
        previous=previous,
        has_draft=draft is not None,
        last_milestone=last_milestone,
        suggestions=suggestions,
    )


# --- Writing -------------------------------------------------------------------------------


def _check_record(checks: Checks, field: str, record_id, expected_version) -> None:
    """An edit names the record and the version it started from; a new record names neither."""
    if checks.record_id(field, record_id, optional=True) is not None:
        checks.whole("expected_version", expected_version, 1, ID_MAX)


def _check_territory(conn: Connection, territory_id: int) -> None:
    # Only a coordinator gets here with a territory of nobody's: say so, not "database down".
    if not territory_exists(conn, territory_id):
        raise ValidationFailed({"territory_id": FieldError(NOT_FOUND)})


def record_assessment(
    engine: Engine,
    actor: Actor | None,
    territory_id: int,
    scores: Mapping[str, CriterionScore],
    status: Status | str,
    assessment_id: int | None = None,
    expected_version: int | None = None,
    *,
    assessed_on: date | None = None,
    framework: Framework | None = None,
) -> Saved:
    """Save a draft or submit an assessment.

    With ``assessment_id`` this saves over that draft, provided nobody saved it since
    ``expected_version``. A submitted assessment is never edited: the next one is new.
    A territory has at most one draft at a time, shared by its team, so starting a new
    one while another exists means someone else started it in between.
    """
    actor = require(actor, Action.EDIT_JOURNEY, territory_id)
    framework = framework or load_framework()
    checks = Checks()
    checks.record_id("territory_id", territory_id)
    _check_record(checks, "assessment_id", assessment_id, expected_version)
    assessed_on = domain.today() if assessed_on is None else assessed_on
    errors = checks.errors | domain.validate_assessment(framework, scores, status, assessed_on)
    if errors:
        raise ValidationFailed(errors)
    status = Status(status)
    scores = domain.normalise_scores(framework, scores)
    submitted_at = tables.utcnow() if status is Status.SUBMITTED else None

    with writing(engine) as conn:
        _check_territory(conn, territory_id)
        version_name = register_framework(conn, framework)
        if assessment_id is None:
            if store.latest_assessments(conn, territory_id, status=Status.DRAFT, limit=1):
                raise ConcurrentEdit()
            try:
                assessment_id = store.insert_assessment(
                    conn,
                    territory_id=territory_id,
                    framework_version=version_name,
                    assessed_on=assessed_on,
                    status=status,
                    created_by=actor.person_id,
                    submitted_at=submitted_at,
                )
            except IntegrityError as exc:
                # Someone started the territory's draft between our check and our insert.
                if store.is_second_draft(exc):
                    raise ConcurrentEdit() from exc
                raise
            version = 1
        else:
            row = store.get_assessment(conn, assessment_id)
            if row is None or row.territory_id != territory_id:
                raise NotFound(assessment_id=assessment_id)
            if row.version != expected_version:
                raise ConcurrentEdit()
            if row.status != Status.DRAFT:
                raise ServiceError("journey.error.already_submitted")
            version = store.update_draft_assessment(
                conn,
                assessment_id,
                expected_version=expected_version,
                framework_version=version_name,
                assessed_on=assessed_on,
                status=status,
                submitted_at=submitted_at,
            )
            if version is None:  # saved by someone else between our read and our write
                raise ConcurrentEdit()
        store.replace_scores(
            conn,
            assessment_id,
            [{"criterion_id": k, "level": v.level, "comment": v.comment} for k, v in scores.items()],
        )
        log_activity(
            conn,
            person_id=actor.person_id,
            territory_id=territory_id,
            action="assessment.submitted" if status is Status.SUBMITTED else "assessment.draft_saved",
            subject_type="assessment",
            subject_id=assessment_id,
            details={"version": version, "framework_version": version_name},
        )
    return Saved(id=assessment_id, version=version, status=status)


def save_milestone(
    engine: Engine,
    actor: Actor | None,
    territory_id: int,
    draft: MilestoneDraft,
    milestone_id: int | None = None,
    expected_version: int | None = None,
    *,
    framework: Framework | None = None,
) -> Saved:
    """Add a milestone, or edit one provided nobody saved it since ``expected_version``."""
    actor = require(actor, Action.EDIT_JOURNEY, territory_id)
    framework = framework or load_framework()
    checks = Checks()
    checks.record_id("territory_id", territory_id)
    _check_record(checks, "milestone_id", milestone_id, expected_version)
    errors = checks.errors | domain.validate_milestone(framework, draft)
    if errors:
        raise ValidationFailed(errors)
    values = {
        "occurred_on": draft.occurred_on,
        "phase": draft.phase,
        "storytelling_dimension": draft.storytelling_dimension or None,
        "axis_id": draft.axis_id or None,
        "title": domain.clean(draft.title),
        "story": domain.clean(draft.story) or None,
    }
    with writing(engine) as conn:
        _check_territory(conn, territory_id)
        if milestone_id is None:
            milestone_id = store.insert_milestone(
                conn, territory_id=territory_id, created_by=actor.person_id, **values
            )
            version, action = 1, "milestone.created"
        else:
            row = store.get_milestone(conn, milestone_id)
            if row is None or row.territory_id != territory_id:
                raise NotFound(milestone_id=milestone_id)
            version = store.update_milestone(conn, milestone_id, expected_version=expected_version, **values)
            if version is None:
                raise ConcurrentEdit()
            action = "milestone.updated"
        log_activity(
            conn,
            person_id=actor.person_id,
            territory_id=territory_id,
            action=action,
            subject_type="milestone",
            subject_id=milestone_id,
            details={"version": version},
        )
    return Saved(id=milestone_id, version=version)
