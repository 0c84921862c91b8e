"""The reference framework as the database remembers it."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lib.domain.framework import Framework
from lib.store import tables


def register_framework(conn: Connection, framework: Framework) -> str:
    """Record this framework version once, so records made with it stay readable later."""
    exists = conn.execute(
        sa.select(tables.framework_version.c.version).where(
            tables.framework_version.c.version == framework.version
        )
    ).first()
    if exists is None:
        conn.execute(
            sa.insert(tables.framework_version).values(version=framework.version, content=framework.raw)
        )
    return framework.version
