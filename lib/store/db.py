"""The one engine factory and the one transaction helper."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_PATH = ROOT / "data" / "parcours.db"
PG_SCHEMA = "parcours"


def database_url(secrets_path: Path | None = None) -> str:
    """Where the data lives: ``DATABASE_URL``, then secrets' ``[connections.db] url``, then SQLite."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return normalise_url(url)
    secrets_path = secrets_path or Path.cwd() / ".streamlit" / "secrets.toml"
    if secrets_path.is_file():
        with secrets_path.open("rb") as fh:
            secrets = tomllib.load(fh)
        url = str(secrets.get("connections", {}).get("db", {}).get("url", "")).strip()
        if url:
            return normalise_url(url)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def normalise_url(url: str) -> str:
    """Supabase and most hosts hand out ``postgres://`` URLs; SQLAlchemy needs the driver named."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def make_engine(url: str | None = None) -> Engine:
    url = normalise_url(url or database_url())
    if url.startswith("sqlite"):
        path = sa.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 15})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = sa.create_engine(url, pool_pre_ping=True)
    # The tables are defined without a schema; this puts them in ``parcours`` on every query,
    # which survives Supabase's transaction pooler (a session-level search_path would not).
    return engine.execution_options(schema_translate_map={None: PG_SCHEMA})


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One unit of work: commits on success, rolls everything back on any error."""
    with engine.begin() as conn:
        yield conn
