"""The SQL the reports need that no screen asks for: a territory's assessments up to a day."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from lib.store import tables

A = tables.assessment


def submitted_until(
    conn: Connection, territory_id: int, until: date, *, status: str, limit: int = 2
) -> list[Row]:
    """The territory's assessments with that status made on or before ``until``, newest first."""
    return conn.execute(
        sa.select(A.c.id, A.c.assessed_on)
        .where(A.c.territory_id == territory_id, A.c.status == status, A.c.assessed_on <= until)
        .order_by(A.c.assessed_on.desc(), A.c.id.desc())
        .limit(limit)
    ).all()
