"""SQL for a territory's journey: assessments with their scores, and milestones.

Edits of shared records are optimistic: an UPDATE names the version it started from and
touches nothing when someone saved in between; the caller turns that into a refusal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from lib.store import tables

A = tables.assessment
S = tables.assessment_score
M = tables.milestone

ONE_DRAFT_INDEX = "uq_assessment_one_draft_per_territory"


# --- Assessments ---------------------------------------------------------------------------


def insert_assessment(
    conn: Connection,
    *,
    territory_id: int,
    framework_version: str,
    assessed_on: date,
    status: str,
    created_by: int | None,
    submitted_at: datetime | None,
) -> int:
    now = tables.utcnow()
    return conn.execute(
        sa.insert(A)
        .values(
            territory_id=territory_id,
            framework_version=framework_version,
            assessed_on=assessed_on,
            status=status,
            created_by=created_by,
            submitted_at=submitted_at,
            version=1,
            created_at=now,
            updated_at=now,
        )
        .returning(A.c.id)
    ).scalar_one()


def is_second_draft(exc: IntegrityError) -> bool:
    """Whether the database refused an assessment because its territory already has a draft."""
    diag = getattr(exc.orig, "diag", None)
    if diag is not None:  # PostgreSQL names the index it enforced
        return diag.constraint_name == ONE_DRAFT_INDEX
    # SQLite names the indexed columns; no other unique index covers exactly this one.
    return str(exc.orig) == "UNIQUE constraint failed: assessment.territory_id"


def update_draft_assessment(
    conn: Connection,
    assessment_id: int,
    *,
    expected_version: int,
    framework_version: str,
    assessed_on: date,
    status: str,
    submitted_at: datetime | None,
) -> int | None:
    """Save over a draft still at ``expected_version``; the new version, or None if it moved on."""
    return conn.execute(
        sa.update(A)
        .where(A.c.id == assessment_id, A.c.version == expected_version, A.c.status == "draft")
        .values(
            framework_version=framework_version,
            assessed_on=assessed_on,
            status=status,
            submitted_at=submitted_at,
            version=A.c.version + 1,
            updated_at=tables.utcnow(),
        )
        .returning(A.c.version)
    ).scalar_one_or_none()


def replace_scores(conn: Connection, assessment_id: int, scores: Iterable[Mapping[str, Any]]) -> None:
    """The assessment's scores become exactly ``scores`` (criterion_id, level, comment)."""
    conn.execute(sa.delete(S).where(S.c.assessment_id == assessment_id))
    rows = [
        {
            "assessment_id": assessment_id,
            "criterion_id": s["criterion_id"],
            "level": s["level"],
            "comment": s["comment"] or None,
        }
        for s in scores
    ]
    if rows:
        conn.execute(sa.insert(S), rows)


def get_assessment(conn: Connection, assessment_id: int) -> Row | None:
    return conn.execute(sa.select(A).where(A.c.id == assessment_id)).first()


def scores_of(conn: Connection, assessment_ids: Sequence[int]) -> list[Row]:
    if not assessment_ids:
        return []
    return conn.execute(
        sa.select(S.c.assessment_id, S.c.criterion_id, S.c.level, S.c.comment).where(
            S.c.assessment_id.in_(assessment_ids)
        )
    ).all()


def latest_assessments(conn: Connection, territory_id: int, *, status: str, limit: int = 2) -> list[Row]:
    """The most recent assessments of a territory with that status, newest first."""
    return conn.execute(
        sa.select(A)
        .where(A.c.territory_id == territory_id, A.c.status == status)
        .order_by(A.c.assessed_on.desc(), A.c.id.desc())
        .limit(limit)
    ).all()


def axis_scores(
    conn: Connection,
    criterion_axis: Mapping[str, str],
    *,
    territory_id: int,
    assessment_ids: Sequence[int] | None = None,
) -> list[Row]:
    """Mean level per (submitted assessment, axis), computed by the database.

    The axis of a criterion lives in the framework file, not in a table, so it comes in as
    a CASE over the criterion id; criteria the framework no longer knows are left out.
    """
    axis = sa.case(dict(criterion_axis), value=S.c.criterion_id, else_=sa.null())
    query = (
        sa.select(
            A.c.id.label("assessment_id"),
            A.c.assessed_on,
            axis.label("axis_id"),
            sa.func.avg(sa.cast(S.c.level, sa.Float)).label("score"),
        )
        .select_from(A.join(S, S.c.assessment_id == A.c.id))
        .where(A.c.territory_id == territory_id, A.c.status == "submitted", S.c.level.is_not(None))
        .where(S.c.criterion_id.in_(list(criterion_axis)))
        .group_by(A.c.id, A.c.assessed_on, axis)
        .order_by(A.c.assessed_on, A.c.id)
    )
    if assessment_ids is not None:
        query = query.where(A.c.id.in_(list(assessment_ids)))
    return conn.execute(query).all()


# --- Milestones ----------------------------------------------------------------------------


def list_milestones(conn: Connection, territory_id: int) -> list[Row]:
    return conn.execute(
        sa.select(M).where(M.c.territory_id == territory_id).order_by(M.c.occurred_on, M.c.id)
    ).all()


def last_milestone(conn: Connection, territory_id: int) -> Row | None:
    return conn.execute(
        sa.select(M)
        .where(M.c.territory_id == territory_id)
        .order_by(M.c.occurred_on.desc(), M.c.id.desc())
        .limit(1)
    ).first()


def get_milestone(conn: Connection, milestone_id: int) -> Row | None:
    return conn.execute(sa.select(M).where(M.c.id == milestone_id)).first()


def insert_milestone(conn: Connection, *, territory_id: int, created_by: int | None, **values: Any) -> int:
    now = tables.utcnow()
    return conn.execute(
        sa.insert(M)
        .values(
            territory_id=territory_id,
            created_by=created_by,
            version=1,
            created_at=now,
            updated_at=now,
            **values,
        )
        .returning(M.c.id)
    ).scalar_one()


def update_milestone(
    conn: Connection, milestone_id: int, *, expected_version: int, **values: Any
) -> int | None:
    """Save over a milestone still at ``expected_version``; the new version, or None if it moved on."""
    return conn.execute(
        sa.update(M)
        .where(M.c.id == milestone_id, M.c.version == expected_version)
        .values(version=M.c.version + 1, updated_at=tables.utcnow(), **values)
        .returning(M.c.version)
    ).scalar_one_or_none()
