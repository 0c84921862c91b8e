"""Migrating a database that holds data keeps every row of every table both sides know.

On SQLite, Alembic rebuilds a table to change it; with foreign keys on, dropping the old copy
cascaded into every table pointing at it (adding a column to ``response`` deleted every
answer). ``lib.store.migrate`` runs migrations with foreign keys off and checks them after.
"""

from __future__ import annotations

from datetime import date

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


def _revisions_down_to_the_first_with_data() -> list[str]:
    """Head first, then each older revision, down to the second one (the first holds no data
    the demo writes)."""
    scripts = ScriptDirectory(str(ROOT / "migrations"))
    return [script.revision for script in scripts.walk_revisions()][:-1]


def test_every_migration_down_and_up_keeps_the_rows_of_the_tables_it_does_not_drop(engine):
    seed_demo(engine, today=TODAY)
    at_head = _counts(engine)
    assert at_head["answer"] > 0 and at_head["response"] > 0

    older = _revisions_down_to_the_first_with_data()[1:]
    assert older, "no older revision to go down to"
    for revision in older:
        migrate.downgrade(engine, revision)
        counts = _counts(engine)
        assert counts == {name: at_head[name] for name in counts}, f"rows lost going down to {revision}"

    migrate.upgrade(engine)
    after = _counts(engine)
    assert {name: after[name] for name in counts} == {name: at_head[name] for name in counts}
