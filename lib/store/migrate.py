"""Apply or revert Alembic migrations from code (app start-up, CLI, tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from lib.store.db import PG_SCHEMA, ROOT


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


def _scripts() -> ScriptDirectory:
    return ScriptDirectory(str(ROOT / "migrations"))


def head_revision() -> str:
    """The newest revision this version of Parcours knows."""
    return _scripts().get_current_head()


def known_revisions() -> set[str]:
    return {script.revision for script in _scripts().walk_revisions()}


def current_revision(bind: Engine | Connection) -> str | None:
    """The revision the database is at (None: never migrated)."""
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return current_revision(conn)
    opts = {"version_table_schema": PG_SCHEMA} if bind.dialect.name == "postgresql" else {}
    return MigrationContext.configure(bind, opts=opts).get_current_revision()
