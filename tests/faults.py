"""Database faults to inject while a page is in use: the database refusing connections,
refusing writes (read-only) or locked by someone else.

On PostgreSQL the faults are real: ``allow_connections false`` with the open connections
cut; the app's role no longer allowed to write; tables locked by another session (the
app's role then waits ``LOCK_WAIT`` before giving up, as it would behind
``lock_timeout``). On SQLite a lock is real too (another connection holding the write lock,
the app waiting ``LOCK_WAIT``); refusing connections and read-only are simulated by failing
statements the way the driver does, since an open SQLite file cannot be taken away.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib.store import db
from lib.store.db import APP_ROLE, PG_SCHEMA
from tests.conftest import _pg_admin, database_refusing_connections

FAULTS = ("refusing", "read_only", "locked")
LOCK_WAIT_MS = 300

_WRITES = ("insert", "update", "delete")


@contextmanager
def _failing_statements(message: str, writes_only: bool) -> Iterator[None]:
    def fail(conn, cursor, statement, parameters, context, executemany):
        if not writes_only or statement.lstrip().lower().startswith(_WRITES):
            raise sqlite3.OperationalError(message)

    sa.event.listen(Engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        sa.event.remove(Engine, "before_cursor_execute", fail)


def short_sqlite_lock_wait(monkeypatch) -> None:
    """The app's SQLite connections wait ``LOCK_WAIT_MS`` for a lock instead of 15 s."""
    original = db._sqlite_pragmas

    def pragmas(dbapi_connection, record) -> None:
        original(dbapi_connection, record)
        dbapi_connection.execute(f"PRAGMA busy_timeout={LOCK_WAIT_MS}")

    monkeypatch.setattr(db, "_sqlite_pragmas", pragmas)


def short_pg_lock_wait(admin_url: str) -> None:
    """The app's role waits ``LOCK_WAIT_MS`` for a lock in this database (new sessions)."""
    name = sa.make_url(admin_url).database
    with _pg_admin() as admin:
        admin.execute(f'alter role {APP_ROLE} in database "{name}" set lock_timeout = {LOCK_WAIT_MS}')


@contextmanager
def _pg_read_only(url: str) -> Iterator[None]:
    """The app's role may read but no longer write: as when an operator puts the database in
    read-only mode for maintenance. (``default_transaction_read_only`` would need the open
    sessions cut at the end too, which is a restart, the "refusing" fault.)"""
    import psycopg

    from tests.conftest import PG_ADMIN_DSN

    name = sa.make_url(url).database
    writes = f"insert, update, delete on all tables in schema {PG_SCHEMA}"
    with psycopg.connect(PG_ADMIN_DSN, dbname=name, autocommit=True) as admin:
        admin.execute(f"revoke {writes} from {APP_ROLE}")
    try:
        yield
    finally:
        with psycopg.connect(PG_ADMIN_DSN, dbname=name, autocommit=True) as admin:
            admin.execute(f"grant {writes} to {APP_ROLE}")


def _cut_connections(admin, name: str) -> None:
    admin.execute(
        "select pg_terminate_backend(pid, 5000) from pg_stat_activity "
        "where datname = %s and pid <> pg_backend_pid()",
        (name,),
    )


@contextmanager
def _pg_locked(url: str) -> Iterator[None]:
    import psycopg

    from tests.conftest import PG_ADMIN_DSN

    name = sa.make_url(url).database
    holder = psycopg.connect(PG_ADMIN_DSN, dbname=name)
    try:
        tables = holder.execute(
            "select tablename from pg_tables where schemaname = %s", (PG_SCHEMA,)
        ).fetchall()
        listed = ", ".join(f'{PG_SCHEMA}."{tbl}"' for (tbl,) in tables)
        holder.execute(f"lock table {listed} in access exclusive mode")
        yield
    finally:
        holder.rollback()
        holder.close()


@contextmanager
def _sqlite_locked(url: str) -> Iterator[None]:
    holder = sqlite3.connect(sa.make_url(url).database, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@contextmanager
def fault(kind: str, url: str) -> Iterator[None]:
    """While inside, the database at ``url`` suffers ``kind`` (one of ``FAULTS``)."""
    postgres = url.startswith("postgresql")
    if kind == "refusing":
        if postgres:
            with database_refusing_connections(url):
                yield
        else:
            with _failing_statements("unable to open database file", writes_only=False):
                yield
    elif kind == "read_only":
        if postgres:
            with _pg_read_only(url):
                yield
        else:
            with _failing_statements("attempt to write a readonly database", writes_only=True):
                yield
    elif kind == "locked":
        with _pg_locked(url) if postgres else _sqlite_locked(url):
            yield
    else:
        raise ValueError(kind)
