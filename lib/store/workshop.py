"""SQL for live workshops: the workshop row with its campaign, who joined, the live counts.

Participants are the live campaign's responses (their role, their resume code as the phone's
key back in); their answers are ordinary ``answer`` rows, so results, exports and reports read
them like any campaign's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from lib.store import tables
from lib.store.feedback import SUBMITTED

W, C, R, A = tables.workshop, tables.campaign, tables.response, tables.answer


def insert_workshop(conn: Connection, **values: Any) -> int:
    return conn.execute(sa.insert(W).values(**values)).inserted_primary_key[0]


def _query() -> sa.Select:
    joined = (
        sa.select(sa.func.count())
        .where(R.c.campaign_id == C.c.id)
        .correlate(C)
        .scalar_subquery()
        .label("joined_count")
    )
    return sa.select(
        W,
        C.c.territory_id,
        C.c.title,
        C.c.share_token,
        C.c.form_template_id,
        C.c.data_version,
        joined,
    ).select_from(W.join(C, C.c.id == W.c.campaign_id))


def workshop_by_id(conn: Connection, workshop_id: int) -> Row | None:
    return conn.execute(_query().where(W.c.id == workshop_id)).first()


def workshop_by_token(conn: Connection, token: str) -> Row | None:
    return conn.execute(_query().where(C.c.share_token == token, C.c.kind == "live")).first()


def list_workshops(conn: Connection, territory_id: int) -> list[Row]:
    query = _query().where(C.c.territory_id == territory_id)
    return list(conn.execute(query.order_by(W.c.held_on.desc(), W.c.id.desc())))


def update_workshop(conn: Connection, workshop_id: int, **values: Any) -> None:
    conn.execute(sa.update(W).where(W.c.id == workshop_id).values(**values))


def joined_by_role(conn: Connection, campaign_id: int) -> dict[str, int]:
    """Everyone who joined, answered yet or not, per role."""
    query = (
        sa.select(R.c.respondent_role, sa.func.count().label("n"))
        .where(R.c.campaign_id == campaign_id)
        .group_by(R.c.respondent_role)
    )
    return {r.respondent_role: int(r.n) for r in conn.execute(query)}


def _answers(campaign_id: int, question_id: str) -> list[sa.ColumnElement]:
    return [R.c.campaign_id == campaign_id, R.c.status == SUBMITTED, A.c.question_id == question_id]


def answers_by_role(conn: Connection, campaign_id: int, question_id: str) -> list[tuple[str, Any, int]]:
    """``(role, value, answers)``: the stored answer rows of one question, counted."""
    query = (
        sa.select(R.c.respondent_role, A.c.numeric_value, A.c.text_value, sa.func.count().label("n"))
        .select_from(A.join(R, R.c.id == A.c.response_id))
        .where(*_answers(campaign_id, question_id))
        .group_by(R.c.respondent_role, A.c.numeric_value, A.c.text_value)
    )
    return [
        (r.respondent_role, r.numeric_value if r.numeric_value is not None else r.text_value, int(r.n))
        for r in conn.execute(query)
    ]


def answerers_by_role(conn: Connection, campaign_id: int, question_id: str) -> dict[str, int]:
    """How many people of each role answered one question."""
    query = (
        sa.select(R.c.respondent_role, sa.func.count(sa.distinct(R.c.id)).label("n"))
        .select_from(A.join(R, R.c.id == A.c.response_id))
        .where(*_answers(campaign_id, question_id))
        .group_by(R.c.respondent_role)
    )
    return {r.respondent_role: int(r.n) for r in conn.execute(query)}


def replace_question_answers(
    conn: Connection, response_id: int, question_id: str, rows: Iterable[tuple[str, float | None, str | None]]
) -> None:
    """A participant's answer to one question, replacing the one they gave before."""
    conn.execute(sa.delete(A).where(A.c.response_id == response_id, A.c.question_id == question_id))
    payload = [
        {"response_id": response_id, "question_id": q, "numeric_value": n, "text_value": s}
        for q, n, s in rows
    ]
    if payload:
        conn.execute(sa.insert(A), payload)
