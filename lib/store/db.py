"""The one engine factory and the one transaction helper.

On PostgreSQL the engine is built to run behind Supabase's poolers (decision 0008): the
session pooler (port 5432) or the transaction pooler (port 6543), where a server connection
is lent for one transaction only, so nothing may rely on session state — no prepared
statements, no session ``SET``. Pool sizes and timeouts are chosen below and can be set in
``[connections.db]`` of ``.streamlit/secrets.toml``; ``make check-db`` shows those in force.
"""

from __future__ import annotations

import os
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect, Engine

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_PATH = ROOT / "data" / "parcours.db"
PG_SCHEMA = "parcours"
# The role that owns the schema and everything in it, and the one the app connects as
# (docs/deploy.md). Neither superuser nor able to create roles or databases.
APP_ROLE = "parcours_app"
APP_NAME = "parcours"

# Supabase's transaction pooler listens on this port; its session pooler on 5432.
TRANSACTION_POOLER_PORT = 6543
POOLERS = ("session", "transaction")
# Hosts that only speak TLS: without an explicit sslmode, the connection insists on it.
_TLS_ONLY_HOSTS = (".supabase.com", ".supabase.co")


@dataclass(frozen=True)
class ConnectionSettings:
    """How one app process talks to PostgreSQL. Defaults explained in decision 0008.

    The session pooler gives each open client connection a server connection of its own,
    within the project's pool size (15 on Supabase's smaller plans): the processes together
    must keep ``processes × (pool_size + max_overflow)`` under it.
    """

    pooler: str = "session"  # "transaction": no server-side prepared statements
    pool_size: int = 5  # connections kept open per process
    max_overflow: int = 2  # extra connections opened at peaks, closed when given back
    pool_timeout: float = 10.0  # seconds a rerun waits for a free connection before failing
    pool_recycle: int = 1800  # seconds after which a connection is replaced
    connect_timeout: int = 5  # seconds to open a connection (libpq)
    ping_after_idle: float = 30.0  # a connection idle this long is checked before use

    @property
    def prepared_statements(self) -> bool:
        return self.pooler != "transaction"


def _secrets_db(secrets_path: Path | None) -> dict[str, Any]:
    path = secrets_path or Path.cwd() / ".streamlit" / "secrets.toml"
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        return dict(tomllib.load(fh).get("connections", {}).get("db", {}))


def database_url(secrets_path: Path | None = None) -> str:
    """Where the data lives: ``DATABASE_URL``, then secrets' ``[connections.db] url``, then SQLite."""
    url = os.environ.get("DATABASE_URL", "").strip() or str(_secrets_db(secrets_path).get("url", "")).strip()
    if url:
        return normalise_url(url)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def connection_settings(url: str, secrets_path: Path | None = None) -> ConnectionSettings:
    """The pool settings for ``url``: ``[connections.db]`` keys over the defaults.

    ``pooler`` defaults to "transaction" when the URL names Supabase's transaction pooler port.
    """
    defaults = ConnectionSettings()
    known = [f.name for f in fields(ConnectionSettings)]
    values: dict[str, Any] = {}
    for key, value in _secrets_db(secrets_path).items():
        if key == "url":
            continue
        if key not in known:
            raise ValueError(f"[connections.db] has no setting {key!r} (known: url, {', '.join(known)})")
        values[key] = type(getattr(defaults, key))(value)  # "10" and 10 alike; refuses "ten"
    parsed = sa.make_url(normalise_url(url))
    if "pooler" not in values and parsed.port == TRANSACTION_POOLER_PORT:
        values["pooler"] = "transaction"
    settings = replace(defaults, **values)
    if settings.pool_size + settings.max_overflow < 2:
        raise ValueError("[connections.db] pool_size + max_overflow must be 2 or more (start-up uses 2)")
    if settings.pooler not in POOLERS:
        raise ValueError(f"[connections.db] pooler must be one of {POOLERS}, not {settings.pooler!r}")
    return settings


def normalise_url(url: str) -> str:
    """Supabase and most hosts hand out ``postgres://`` URLs; SQLAlchemy needs the driver named.

    A URL for Supabase without ``sslmode`` gets ``sslmode=require``: its servers speak TLS,
    and libpq's default (``prefer``) would accept a plain connection if one were offered.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            url = "postgresql+psycopg://" + url[len(prefix) :]
    if not url.startswith("postgresql"):
        return url
    parsed = sa.make_url(url)
    if "sslmode" not in parsed.query and (parsed.host or "").endswith(_TLS_ONLY_HOSTS):
        parsed = parsed.update_query_dict({"sslmode": "require"})
        return parsed.render_as_string(hide_password=False)
    return url


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def make_engine(url: str | None = None, settings: ConnectionSettings | None = None) -> Engine:
    url = normalise_url(url or database_url())
    if url.startswith("sqlite"):
        path = sa.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 15})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    settings = settings or connection_settings(url)
    connect_args: dict[str, Any] = {"connect_timeout": settings.connect_timeout}
    if "application_name" not in sa.make_url(url).query:
        connect_args["application_name"] = APP_NAME  # who is connected, in pg_stat_activity
    if not settings.prepared_statements:
        # Behind a transaction pooler the next transaction may run on another server
        # connection, where a statement psycopg prepared earlier does not exist.
        connect_args["prepare_threshold"] = None
    engine = sa.create_engine(
        url,
        connect_args=connect_args,
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        pool_timeout=settings.pool_timeout,
        pool_recycle=settings.pool_recycle,
        # The connection given back last is lent first: a quiet process reuses one warm
        # connection, and the others stay idle until the idle check or the pooler retires them.
        pool_use_lifo=True,
    )
    _ping_after_idle(engine, settings.ping_after_idle)
    # The tables are defined without a schema; this puts them in ``parcours`` on every query,
    # which survives Supabase's transaction pooler (a session-level search_path would not).
    engine = engine.execution_options(schema_translate_map={None: PG_SCHEMA})
    _SETTINGS[engine.dialect] = settings
    return engine


# Keyed by the engine's dialect: one per engine, kept when ``dispose()`` replaces its pool.
_SETTINGS: WeakKeyDictionary[Dialect, ConnectionSettings] = WeakKeyDictionary()


def settings_of(engine: Engine) -> ConnectionSettings | None:
    """The settings ``make_engine`` built this PostgreSQL engine with (None on SQLite)."""
    return _SETTINGS.get(engine.dialect)


def _ping_after_idle(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled connection before use only when it has been idle ``idle_seconds`` or more.

    SQLAlchemy's ``pool_pre_ping`` pings on every checkout, a round trip each time (several
    per rerun; see ``bench/pool_ping.py``). A connection used moments ago is almost surely
    alive; one idle for a while may have been closed by the pooler, a firewall or a database
    restart. If a connection in use dies anyway, SQLAlchemy invalidates the whole pool on the
    error: that one rerun says "try again" and the next one connects afresh.
    """
    dialect = engine.dialect

    def checked_in(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    def checked_out(dbapi_connection, record, _proxy) -> None:
        since = record.info.get("idle_since")  # absent on a brand-new connection
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            # One round trip: in autocommit the driver sends no BEGIN before the SELECT.
            dbapi_connection.autocommit = True
            try:
                dialect.do_ping(dbapi_connection)
            finally:
                dbapi_connection.autocommit = False
        except dialect.loaded_dbapi.Error as exc:
            # The pool drops this connection and hands out a fresh one (or fails plainly).
            raise sa.exc.DisconnectionError("stale connection") from exc

    sa.event.listen(engine, "checkin", checked_in)
    sa.event.listen(engine, "checkout", checked_out)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


# Several app processes may start together; each runs the start-up (``lib.bootstrap``).
STARTUP_LOCK = 7_032_650_002


@contextmanager
def one_start_up_at_a_time(engine: Engine) -> Iterator[None]:
    """Hold PostgreSQL's advisory lock for the start-up: the other processes wait, then find
    nothing left to do (two doing it at once would both insert the same reference rows).

    The lock belongs to a transaction kept open on one pooled connection, which a transaction
    pooler leaves on one server connection until it ends (a session lock would not be safe).
    """
    if not is_postgres(engine):
        yield
        return
    with engine.connect() as conn:
        conn.execute(sa.text("set local idle_in_transaction_session_timeout = 0"))  # idle while waiting
        conn.execute(sa.text("select pg_advisory_xact_lock(:key)"), {"key": STARTUP_LOCK})
        try:
            yield
        finally:
            conn.rollback()


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One unit of work: commits on success, rolls everything back on any error."""
    with engine.begin() as conn:
        yield conn
