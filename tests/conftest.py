"""Shared fixtures: migrated databases on SQLite and on the real PostgreSQL.

PostgreSQL tests skip when no server answers on 127.0.0.1:5432, unless
``REQUIRE_POSTGRES=1`` (set by CI), which turns that skip into a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib.services.smtp import load_settings
from lib.store import limits, migrate, tables
from lib.store.db import APP_ROLE, PG_SCHEMA, ConnectionSettings, make_engine
from tests.mailserver import SmtpServer, write_secrets

PG_ADMIN_DSN = os.environ.get("PARCOURS_TEST_PG", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")


def _pg_admin() -> psycopg.Connection:
    return psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=3)


def _postgres_or_skip() -> None:
    try:
        _pg_admin().close()
    except psycopg.OperationalError as exc:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but PostgreSQL does not answer: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")


def _ensure_role(admin: psycopg.Connection, role: str, login: bool) -> None:
    """Roles belong to the whole server, shared by parallel test runs: create once, race-safe."""
    attribute = "login" if login else "nologin"
    admin.execute(
        f"do $$ begin if not exists (select 1 from pg_roles where rolname = '{role}') "
        f"then create role {role} {attribute}; end if; "
        "exception when duplicate_object or unique_violation then null; end $$"
    )
    can_login = admin.execute("select rolcanlogin from pg_roles where rolname = %s", (role,)).fetchone()[0]
    if login and not can_login:
        admin.execute(f"alter role {role} login")  # made by a migration, without login


@contextmanager
def throwaway_pg_database(prefix: str, *, schema_for_app_role: bool = False) -> Iterator[str]:
    """A brand-new empty PostgreSQL database (its URL, as ``postgres``), dropped afterwards.

    ``schema_for_app_role``: the schema exists already, owned by the app role, as the deploy
    guide makes it on Supabase before the first migration.
    """
    _postgres_or_skip()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with _pg_admin() as admin:
        admin.execute(f'create database "{name}"')
        # Supabase's API roles exist there; create them so grants can be checked here too.
        for role in ("anon", "authenticated"):
            _ensure_role(admin, role, login=False)
        # The app's own role, with login as the guide creates it (trust authentication here).
        _ensure_role(admin, APP_ROLE, login=True)
    if schema_for_app_role:
        with psycopg.connect(PG_ADMIN_DSN, dbname=name, autocommit=True) as conn:
            conn.execute(f"create schema {PG_SCHEMA} authorization {APP_ROLE}")
    params = psycopg.conninfo.conninfo_to_dict(PG_ADMIN_DSN)
    try:
        yield f"postgresql+psycopg://{params['user']}@{params['host']}:{params['port']}/{name}"
    finally:
        with _pg_admin() as admin:
            admin.execute(f'drop database if exists "{name}" with (force)')


@contextmanager
def database_refusing_connections(url: str) -> Iterator[None]:
    """While inside: the database refuses new connections and its open ones are cut, as when
    it restarts or its host goes away. On leaving, it accepts connections again."""
    name = sa.make_url(url).database
    with _pg_admin() as admin:
        admin.execute(f'alter database "{name}" allow_connections false')
        admin.execute(
            "select pg_terminate_backend(pid, 5000) from pg_stat_activity "
            "where datname = %s and pid <> pg_backend_pid()",
            (name,),
        )
    try:
        yield
    finally:
        with _pg_admin() as admin:
            admin.execute(f'alter database "{name}" allow_connections true')


def as_app_role(url: str) -> str:
    """The same database, reached as the app's own role rather than ``postgres``."""
    return sa.make_url(url).set(username=APP_ROLE, password=None).render_as_string(hide_password=False)


# As the app runs behind Supabase's transaction pooler: no server-side prepared statements.
TRANSACTION_POOLER = ConnectionSettings(pooler="transaction")


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A throw-away database for this test run, dropped at the end."""
    with throwaway_pg_database("parcours_test") as url:
        yield url


@pytest.fixture(scope="session")
def _pg_engine_migrated(pg_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def _empty_all_tables(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(tables.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def pg_engine(_pg_engine_migrated: Engine) -> Iterator[Engine]:
    _empty_all_tables(_pg_engine_migrated)
    yield _pg_engine_migrated


@pytest.fixture(scope="session")
def _pg_app_engine(pg_url: str, _pg_engine_migrated: Engine) -> Iterator[Engine]:
    engine = make_engine(as_app_role(pg_url), TRANSACTION_POOLER)
    limits.ensure_role_limits(engine)  # as the app's start-up does
    yield engine
    engine.dispose()


@pytest.fixture
def pg_app_engine(_pg_engine_migrated: Engine, _pg_app_engine: Engine) -> Iterator[Engine]:
    """The session's database, migrated by ``postgres``, reached as the app role through a
    connection set up for the transaction pooler: production on Supabase, in one fixture."""
    _empty_all_tables(_pg_engine_migrated)
    yield _pg_app_engine


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'parcours.db'}"


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    engine = make_engine(sqlite_url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request) -> Engine:
    """A migrated, empty database: each test using it runs once per dialect."""
    return request.getfixturevalue("sqlite_engine" if request.param == "sqlite" else "pg_engine")


def count_rows(engine: Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def pytest_terminal_summary(terminalreporter) -> None:
    """The reliability suites' figures (tests/figures.py), after the usual summary."""
    from tests import figures

    figures.report(terminalreporter)


@pytest.fixture(autouse=True)
def _caches_of_this_test_only():
    """Each test starts with empty process caches (``lib.services.cache``), as a new process."""
    from lib.services import cache

    with cache.using(cache.Caches()):
        yield


# --- mail: a real SMTP server (tests/mailserver.py) and the settings that point at it --------


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_settings(tmp_path, monkeypatch, smtp_server):
    """The app configured to send through the test server (secrets read from the working folder)."""
    folder = tmp_path / "app"
    folder.mkdir()
    write_secrets(folder, smtp_server.port)
    monkeypatch.chdir(folder)
    return load_settings()


@pytest.fixture
def no_smtp(tmp_path, monkeypatch):
    folder = tmp_path / "app"
    folder.mkdir()
    write_secrets(folder, None)
    monkeypatch.chdir(folder)
