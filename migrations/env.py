"""Alembic environment: one history for SQLite and PostgreSQL.

The connection comes either from the caller (``lib.store.migrate`` passes one in
``config.attributes["connection"]``) or from the same URL resolution as the app.
"""

from alembic import context
from sqlalchemy import text

from lib.store.db import PG_SCHEMA, make_engine
from lib.store.tables import metadata

config = context.config


def _configure_and_run(connection) -> None:
    if connection.dialect.name == "postgresql":
        # Alembic's ALTERs ignore schema_translate_map; the search path catches them.
        connection.execute(text(f"create schema if not exists {PG_SCHEMA}"))
        connection.execute(text(f"set search_path to {PG_SCHEMA}"))
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table_schema=PG_SCHEMA,
            compare_type=True,
        )
    else:
        context.configure(
            connection=connection,
            target_metadata=metadata,
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
