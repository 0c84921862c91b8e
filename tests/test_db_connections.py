"""Connections that survive Supabase's poolers: settings chosen from the URL and the secrets,
TLS insisted on, no prepared statements behind a transaction pooler, dead connections replaced."""

from __future__ import annotations

import re
import tomllib
from dataclasses import fields

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from lib.bootstrap import bootstrap
from lib.services.database_check import check_database
from lib.store.db import ROOT, ConnectionSettings, connection_settings, make_engine, normalise_url
from tests.conftest import PG_ADMIN_DSN, TRANSACTION_POOLER

SUPABASE_POOLER = "postgres://parcours_app.abcdefgh:secret@aws-0-eu-west-3.pooler.supabase.com"


def _secrets(tmp_path, text: str):
    path = tmp_path / "secrets.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- settings -------------------------------------------------------------------------------


def test_supabase_transaction_pooler_port_turns_prepared_statements_off(tmp_path):
    none = tmp_path / "absent.toml"
    transaction = connection_settings(f"{SUPABASE_POOLER}:6543/postgres", none)
    session = connection_settings(f"{SUPABASE_POOLER}:5432/postgres", none)
    assert (transaction.pooler, transaction.prepared_statements) == ("transaction", False)
    assert (session.pooler, session.prepared_statements) == ("session", True)


def test_the_secrets_file_names_the_pooler_and_sizes_the_pool(tmp_path):
    secrets = _secrets(
        tmp_path,
        '[connections.db]\nurl = "postgresql://h:6432/db"\npooler = "transaction"\n'
        'pool_size = 3\nmax_overflow = "1"\npool_timeout = 4\n',
    )
    settings = connection_settings("postgresql://h:6432/db", secrets)
    assert settings == ConnectionSettings(pooler="transaction", pool_size=3, max_overflow=1, pool_timeout=4.0)
    # Said in the secrets, it wins over the port.
    session = _secrets(tmp_path, '[connections.db]\npooler = "session"\n')
    assert connection_settings(f"{SUPABASE_POOLER}:6543/postgres", session).pooler == "session"


@pytest.mark.parametrize(
    ("line", "named"),
    [('pool_sise = 3', "pool_sise"), ('pooler = "txn"', "txn"), ('pool_size = "three"', "three")],
)
def test_a_wrong_setting_is_refused_with_its_name(tmp_path, line, named):
    with pytest.raises(ValueError, match=named):
        connection_settings("postgresql://h/db", _secrets(tmp_path, f"[connections.db]\n{line}\n"))


def test_a_supabase_url_insists_on_tls_unless_it_says_otherwise():
    assert "sslmode=require" in normalise_url(f"{SUPABASE_POOLER}:5432/postgres")
    assert normalise_url(f"{SUPABASE_POOLER}:5432/postgres").startswith("postgresql+psycopg://")
    stricter = normalise_url(f"{SUPABASE_POOLER}:5432/postgres?sslmode=verify-full")
    assert "sslmode=verify-full" in stricter and "require" not in stricter
    assert "sslmode" not in normalise_url("postgresql://postgres@127.0.0.1:5432/parcours")
    assert sa.make_url(normalise_url(f"{SUPABASE_POOLER}:5432/postgres")).password == "secret"


# --- on the real server ---------------------------------------------------------------------


@pytest.mark.postgres
def test_sslmode_require_is_honoured(pg_url, _pg_engine_migrated):
    # The local server speaks no TLS: a URL that requires it must not fall back to plain text.
    engine = make_engine(f"{pg_url}?sslmode=require")
    with pytest.raises(OperationalError, match="SSL"), engine.connect():
        pass
    engine.dispose()


def _prepared_after_repeating_a_query(url: str, settings: ConnectionSettings) -> int:
    engine = make_engine(url, settings)
    try:
        with engine.connect() as conn:
            for _ in range(8):  # psycopg prepares a statement from its 5th run
                conn.execute(sa.text("select count(*) from pg_class where relname = :n"), {"n": "x"})
            return conn.exec_driver_sql("select count(*) from pg_prepared_statements").scalar_one()
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_behind_a_transaction_pooler_nothing_is_prepared_on_the_server(pg_url, _pg_engine_migrated):
    assert _prepared_after_repeating_a_query(pg_url, TRANSACTION_POOLER) == 0
    # The same queries through the session pooler's settings do prepare: the setting is what matters.
    assert _prepared_after_repeating_a_query(pg_url, ConnectionSettings()) > 0


def _backend_pid(engine) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql("select pg_backend_pid()").scalar_one()


def _terminate(pid: int) -> None:
    """Cut one server connection, and wait until it is really gone."""
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        admin.execute("select pg_terminate_backend(%s, 5000)", (pid,))


@pytest.mark.postgres
def test_a_connection_cut_while_idle_is_replaced_before_anyone_uses_it(pg_url, _pg_engine_migrated):
    engine = make_engine(pg_url, ConnectionSettings(pool_size=1, max_overflow=0, ping_after_idle=0))
    first = _backend_pid(engine)
    _terminate(first)  # a pooler or a firewall closed it while nobody was using it
    assert _backend_pid(engine) != first  # no error: the check before use replaced it
    engine.dispose()


@pytest.mark.postgres
def test_a_connection_cut_between_two_quick_uses_fails_once_then_the_pool_recovers(
    pg_url, _pg_engine_migrated
):
    # Used moments ago, it is not checked (that would cost a round trip on every use).
    engine = make_engine(pg_url, ConnectionSettings(pool_size=1, max_overflow=0, ping_after_idle=3600))
    first = _backend_pid(engine)
    _terminate(first)
    with pytest.raises(OperationalError), engine.connect() as conn:
        conn.exec_driver_sql("select 1")
    assert _backend_pid(engine) != first  # the failure emptied the pool; the next use reconnects
    engine.dispose()


def _limits(engine) -> tuple[str, str]:
    with engine.connect() as conn:
        return tuple(
            conn.exec_driver_sql(
                "select current_setting('statement_timeout'), "
                "current_setting('idle_in_transaction_session_timeout')"
            ).one()
        )


@pytest.mark.postgres
def test_at_start_up_the_app_role_gets_its_time_limits_back_even_after_a_restore(pg_url, pg_app_engine):
    # A dump of the tables does not carry the role's settings: a restored database has none.
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'alter role parcours_app in database "{sa.make_url(pg_url).database}" reset all')
    pg_app_engine.dispose()
    assert _limits(pg_app_engine) == ("0", "0")
    assert "dbcheck.limits.missing" in {check.key for check in check_database(pg_app_engine).checks}

    bootstrap(pg_app_engine)
    pg_app_engine.dispose()  # role settings apply to connections opened afterwards

    assert _limits(pg_app_engine) == ("1min", "1min")


@pytest.mark.postgres
def test_a_start_up_as_another_role_leaves_the_app_roles_limits_alone(pg_engine):
    bootstrap(pg_engine)  # as postgres: no error, and postgres itself gets no limit
    assert _limits(pg_engine) == ("0", "0")


def test_the_example_secrets_file_documents_exactly_the_connection_settings():
    text = (ROOT / ".streamlit" / "secrets.example.toml").read_text(encoding="utf-8")
    assert "connections" in tomllib.loads(text)  # the [connections.db] table itself, not only comments
    section = text.split("\n[connections.db]\n", 1)[1].split("\n# ====", 1)[0]
    documented = set(re.findall(r"^# (\w+) = ", section, flags=re.MULTILINE))
    assert documented == {"url"} | {f.name for f in fields(ConnectionSettings)}
