"""Apply or revert Alembic migrations from code (app start-up, CLI, tests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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


class MigrationBrokeForeignKeys(RuntimeError):
    """A migration left rows pointing at nothing; it was rolled back."""


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """One transaction for the migrations, with SQLite's foreign keys off while it runs.

    On SQLite, Alembic's batch mode changes a table by copying it and dropping the old one.
    With foreign keys on, dropping it fires ``ON DELETE CASCADE`` on every table that points
    at it: adding one column to ``response`` would delete every answer. SQLite ignores
    ``PRAGMA foreign_keys`` inside a transaction, so it is switched off before the transaction
    starts; before committing, ``PRAGMA foreign_key_check`` makes sure nothing was left
    dangling, and the connection gets its foreign keys back whatever happened.
    """
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        try:
            with conn.begin():
                yield conn
                if sqlite:
                    dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if dangling:
                        raise MigrationBrokeForeignKeys(f"rows point at nothing: {dangling[:5]}")
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()


def upgrade(engine: Engine, revision: str = "head") -> None:
    with _migrating(engine) as conn:
        command.upgrade(_config(conn), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    with _migrating(engine) as conn:
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
