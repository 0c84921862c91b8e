"""Alembic environment: one history for SQLite and PostgreSQL.

The connection comes either from the caller (``lib.store.migrate`` passes one in
``config.attributes["connection"]``) or from the same URL resolution as the app.
"""

from alembic import context
from sqlalchemy import text

from lib.store.db import PG_SCHEMA, make_engine
from lib.store.tables import ALL_METADATA

config = context.config


# Several app processes may start together, and each migrates at start-up: the first takes
# this lock for its transaction, the others wait for it, then find nothing left to do.
MIGRATION_LOCK = 7_032_650_001


def _configure_and_run(connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("select pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        # Checked first: "create schema if not exists" still needs the right to create schemas,
        # which the app role lacks when the guide made the schema for it.
        exists = connection.execute(
            text("select 1 from pg_namespace where nspname = :s"), {"s": PG_SCHEMA}
        ).first()
        if exists is None:
            connection.execute(text(f"create schema {PG_SCHEMA}"))
        # Alembic's ALTERs ignore schema_translate_map; the search path catches them. ``local``:
        # for this transaction only, so that behind a transaction pooler it never outlives the
        # migrations on a server connection another client gets next.
        connection.execute(text(f"set local search_path to {PG_SCHEMA}"))
        connection.execute(text("set local statement_timeout = 0"))  # the app role's limit is for the app
        context.configure(
            connection=connection,
            target_metadata=list(ALL_METADATA),
            version_table_schema=PG_SCHEMA,
            compare_type=True,
        )
    else:
        context.configure(
            connection=connection,
            target_metadata=list(ALL_METADATA),
            render_as_batch=True,
            compare_type=True,
        )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or None)
    with engine.connect() as conn:
        _configure_and_run(conn)
        conn.commit()


if context.is_offline_mode():
    raise SystemExit("Parcours migrations run online only (make migrate).")
run_migrations_online()
