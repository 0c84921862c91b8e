"""The activity log: who did what, when. Written in the same transaction as the change it records."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lib.store import tables


def log_activity(
    conn: Connection,
    *,
    person_id: int | None,
    territory_id: int | None,
    action: str,
    subject_type: str | None = None,
    subject_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    conn.execute(
        sa.insert(tables.activity_log).values(
            occurred_at=tables.utcnow(),
            person_id=person_id,
            territory_id=territory_id,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            details=details,
        )
    )
