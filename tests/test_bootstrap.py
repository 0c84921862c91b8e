"""One start-up for the command line and the app: migrations, then the shipped reference data."""

from __future__ import annotations

import os
import subprocess
import sys

import sqlalchemy as sa

from lib.bootstrap import StartupFailed, bootstrap
from lib.domain.forms import load_templates
from lib.store import migrate, tables
from lib.store.db import make_engine


def _template_slugs(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(sa.select(tables.form_template.c.slug)).scalars())


def test_make_migrate_also_stores_the_shipped_form_templates(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "lib.cli", "migrate"],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    engine = make_engine(url)
    assert migrate.current_revision(engine) is not None
    assert _template_slugs(engine) == {tpl.slug for tpl in load_templates()}


def test_bootstrap_twice_changes_nothing(engine):
    bootstrap(engine)
    with engine.connect() as conn:
        before = conn.execute(sa.select(sa.func.count()).select_from(tables.form_template)).scalar_one()
    bootstrap(engine)
    with engine.connect() as conn:
        after = conn.execute(sa.select(sa.func.count()).select_from(tables.form_template)).scalar_one()
    assert before == after == len(load_templates())


def test_a_database_that_cannot_be_opened_fails_at_the_named_step(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}")  # a directory: SQLite cannot open it
    try:
        bootstrap(engine)
    except StartupFailed as exc:
        assert exc.params == {"step": "migrations"}
    else:
        raise AssertionError("bootstrap must fail plainly")
