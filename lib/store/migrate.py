"""Apply or revert Alembic migrations from code (app start-up, CLI, tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from lib.store.db import ROOT


def _config(connection) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as conn:
        command.upgrade(_config(conn), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    with engine.begin() as conn:
        command.downgrade(_config(conn), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    from lib.store.db import PG_SCHEMA, is_postgres

    with engine.connect() as conn:
        opts = {"version_table_schema": PG_SCHEMA} if is_postgres(engine) else {}
        return MigrationContext.configure(conn, opts=opts).get_current_revision()
