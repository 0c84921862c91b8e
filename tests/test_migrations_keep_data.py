"""Migrating a database that holds data keeps every row of every table both sides know.

On SQLite, Alembic rebuilds a table to change it; with foreign keys on, dropping the old copy
cascaded into every table pointing at it (adding a column to ``response`` deleted every
answer). ``lib.store.migrate`` runs migrations with foreign keys off and checks them after.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from lib.demo.seed import seed_demo
from lib.store import migrate
from lib.store.db import ROOT

TODAY = date(2026, 11, 30)


def _counts(engine) -> dict[str, int]:
    schema = "parcours" if engine.dialect.name == "postgresql" else None
    prefix = f"{schema}." if schema else ""
    with engine.connect() as conn:
        names = sa.inspect(conn).get_table_names(schema=schema)
        return {
            name: conn.execute(sa.text(f"select count(*) from {prefix}{name}")).scalar_one()
            for name in names
            if name != "alembic_version"
        }


def _scripts() -> list:
    """Head first, then each older revision, down to the second one (the first holds no data
    the demo writes)."""
    return list(ScriptDirectory(str(ROOT / "migrations")).walk_revisions())[:-1]


def _removed_by_downgrade(engine, script) -> dict[str, int]:
    """The rows a migration's downgrade declares it must remove (``DOWNGRADE_REMOVES``: table →
    condition), because the older schema has no place for them, counted before it runs."""
    schema = "parcours." if engine.dialect.name == "postgresql" else ""
    declared = getattr(script.module, "DOWNGRADE_REMOVES", {})
    with engine.connect() as conn:
        return {
            table: conn.execute(sa.text(f"select count(*) from {schema}{table} where {where}")).scalar_one()
            for table, where in declared.items()
        }


def test_every_migration_down_and_up_keeps_the_rows_of_the_tables_it_does_not_drop(engine):
    seed_demo(engine, today=TODAY)
    expected = _counts(engine)
    assert expected["answer"] > 0 and expected["response"] > 0

    scripts = _scripts()
    assert len(scripts) > 1, "no older revision to go down to"
    try:
        for undone, older in pairwise(scripts):
            for table, removed in _removed_by_downgrade(engine, undone).items():
                expected[table] -= removed
            migrate.downgrade(engine, older.revision)
            counts = _counts(engine)
            lost = f"rows lost going down to {older.revision}"
            assert counts == {name: expected[name] for name in counts}, lost
    finally:
        # The PostgreSQL database is shared by the session: leave it at head whatever happened.
        migrate.upgrade(engine)
    after = _counts(engine)
    assert {name: after[name] for name in counts} == {name: expected[name] for name in counts}
