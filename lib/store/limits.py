"""The time limits the app's role works under in its database.

Behind a pooler, a runaway query or a transaction left open holds a server connection that
every other visitor is waiting for; PostgreSQL ends them after these limits. They are role
settings for this database (``alter role … in database … set``): they belong to neither the
tables nor a dump of them, so the start-up (``lib.bootstrap``) puts them back whenever they
are missing — after a restore, on a new project. Migrations run without them
(``migrations/env.py``).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib.store.db import APP_ROLE, is_postgres

APP_ROLE_LIMITS = {"statement_timeout": "60s", "idle_in_transaction_session_timeout": "60s"}

_CURRENT = sa.text(
    "select coalesce((select setconfig from pg_db_role_setting "
    "where setrole = (select oid from pg_roles where rolname = current_user) "
    "and setdatabase = (select oid from pg_database where datname = current_database())), '{}')"
)


def ensure_role_limits(engine: Engine) -> None:
    """Give the app's role its limits in this database, when connected as that role (a role may
    always set its own defaults; connected as anyone else, nothing is changed)."""
    if not is_postgres(engine):
        return
    with engine.begin() as conn:
        if conn.execute(sa.text("select current_user")).scalar() != APP_ROLE:
            return
        present = set(conn.execute(_CURRENT).scalar())
        missing = {name: value for name, value in APP_ROLE_LIMITS.items() if f"{name}={value}" not in present}
        for name, value in missing.items():
            conn.execute(
                sa.text(
                    f"do $$ begin execute format('alter role current_user in database %I "
                    f"set {name} = ''{value}''', current_database()); end $$"
                )
            )
    if missing:
        engine.dispose()  # the limits apply to connections opened from now on
