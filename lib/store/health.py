"""What the database says about itself: the facts ``make check-db`` and the coordinators' report
are made of (``lib.services.database_check`` judges them).

Each function reads the catalogue through one open connection and returns plain values.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lib.store.db import PG_SCHEMA

API_ROLES = ("anon", "authenticated")
_PARTIAL = ("postgresql_where", "sqlite_where")


def _schema(conn: Connection) -> str | None:
    return PG_SCHEMA if conn.dialect.name == "postgresql" else None


def foreign_keys_without_index(conn: Connection) -> list[tuple[str, tuple[str, ...]]]:
    """(table, columns) of every foreign key that no index starts with, on either dialect.

    Without one, deleting or updating a referenced row scans the whole referencing table
    (Supabase's linter reports it as ``unindexed_foreign_keys``). A primary key or a unique
    constraint counts; a partial index does not, it leaves rows out.
    """
    inspector = sa.inspect(conn)
    schema = _schema(conn)
    missing = []
    for table in sorted(inspector.get_table_names(schema=schema)):
        leading: list[list[str]] = [inspector.get_pk_constraint(table, schema=schema)["constrained_columns"]]
        leading += [
            index["column_names"]
            for index in inspector.get_indexes(table, schema=schema)
            if not any(index.get("dialect_options", {}).get(key) is not None for key in _PARTIAL)
        ]
        leading += [u["column_names"] for u in inspector.get_unique_constraints(table, schema=schema)]
        for fk in inspector.get_foreign_keys(table, schema=schema):
            columns = fk["constrained_columns"]
            if not any(set(index[: len(columns)]) == set(columns) for index in leading):
                missing.append((table, tuple(columns)))
    return missing


def tables_without_row_security(conn: Connection) -> tuple[int, list[str]]:
    """(number of tables in the app's schema, those without row-level security). PostgreSQL."""
    rows = conn.execute(
        sa.text(
            "select c.relname, c.relrowsecurity from pg_class c "
            "join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = :s and c.relkind in ('r', 'p') order by c.relname"
        ),
        {"s": PG_SCHEMA},
    ).all()
    return len(rows), [name for name, secured in rows if not secured]


def api_role_grants(conn: Connection) -> dict[str, list[str]] | None:
    """For each of Supabase's API roles present, what it may touch in the app's schema (the
    schema itself, tables, sequences); None when neither role exists (not Supabase). PostgreSQL."""
    query = sa.text("select rolname from pg_roles where rolname = any(:roles)")
    present = conn.execute(query, {"roles": list(API_ROLES)}).scalars().all()
    if not present:
        return None
    grants = {}
    for role in sorted(present):
        params = {"r": role, "s": PG_SCHEMA}
        reachable = []
        if conn.execute(sa.text("select has_schema_privilege(:r, :s, 'USAGE')"), params).scalar():
            reachable.append(f"schema {PG_SCHEMA}")
        reachable += (
            conn.execute(
                sa.text(
                    "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                    "where n.nspname = :s and c.relkind in ('r', 'p', 'v', 'm', 'S') and case "
                    "when c.relkind = 'S' then has_sequence_privilege(:r, c.oid, 'USAGE, SELECT, UPDATE') "
                    "else has_table_privilege(:r, c.oid, "
                    "'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') end order by 1"
                ),
                params,
            )
            .scalars()
            .all()
        )
        grants[role] = reachable
    return grants


@dataclass(frozen=True)
class ConnectionFacts:
    """Who the app is connected as, and the settings the server applies to it. PostgreSQL."""

    user: str
    schema_owner: str | None
    superuser: bool
    server_version: str
    ssl_in_use: bool
    prepare_threshold: int | None  # None: psycopg never prepares statements on the server
    statement_timeout: str
    idle_in_transaction_timeout: str


def connection_facts(conn: Connection) -> ConnectionFacts:
    row = conn.execute(
        sa.text(
            "select current_user, (select pg_get_userbyid(nspowner) from pg_namespace where nspname = :s),"
            " (select rolsuper from pg_roles where rolname = current_user),"
            " current_setting('server_version'), current_setting('statement_timeout'),"
            " current_setting('idle_in_transaction_session_timeout')"
        ),
        {"s": PG_SCHEMA},
    ).one()
    driver = conn.connection.dbapi_connection  # psycopg's own connection: what it really does
    return ConnectionFacts(
        user=row[0],
        schema_owner=row[1],
        superuser=bool(row[2]),
        server_version=row[3],
        ssl_in_use=bool(driver.pgconn.ssl_in_use),
        prepare_threshold=driver.prepare_threshold,
        statement_timeout=row[4],
        idle_in_transaction_timeout=row[5],
    )


@dataclass(frozen=True)
class RoundTrip:
    median_ms: float
    max_ms: float
    count: int


def round_trip(conn: Connection, count: int = 20) -> RoundTrip:
    """Time ``count`` trivial queries on one open connection: the network's and the pooler's share
    of every query the app makes."""
    timings = []
    for _ in range(count):
        start = time.perf_counter()
        conn.exec_driver_sql("select 1").scalar()
        timings.append((time.perf_counter() - start) * 1000)
    return RoundTrip(statistics.median(timings), max(timings), count)
