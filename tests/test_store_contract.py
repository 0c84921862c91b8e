"""The storage contract, checked the same way on SQLite and on the real PostgreSQL.

What the rest of the code relies on: migrations that build exactly ``lib/store/tables.py``
and take it all down again, constraints that the database itself enforces, timestamps that
come back in UTC, and on PostgreSQL a schema that Supabase's REST API cannot read.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, ProgrammingError, StatementError

from lib.store import migrate, tables
from lib.store.db import APP_ROLE, PG_SCHEMA, ROOT, is_postgres, make_engine
from lib.store.health import foreign_keys_without_index
from tests.conftest import TRANSACTION_POOLER, as_app_role, count_rows, throwaway_pg_database

API_ROLES = ("anon", "authenticated")
# Everyone's data (``tables.metadata``) and the database's own bookkeeping (``tables.bookkeeping``).
TABLES = {table.name: table for meta in tables.ALL_METADATA for table in meta.sorted_tables}
APP_TABLES = set(TABLES)


def _head() -> str:
    return ScriptDirectory(str(ROOT / "migrations")).get_current_head()


def _tables(engine: Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names(schema=PG_SCHEMA if is_postgres(engine) else None))


# Each contract test runs on SQLite, on PostgreSQL as ``postgres``, and on PostgreSQL as the
# app's own role through a connection set up for Supabase's transaction pooler.
DIALECTS = [
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("postgres_app_pooled", marks=pytest.mark.postgres),
]


@pytest.fixture(params=DIALECTS)
def engine(request) -> Engine:
    """A migrated, empty database (migrated by ``postgres`` for the app-role variant)."""
    return request.getfixturevalue(
        {"sqlite": "sqlite_engine", "postgres": "pg_engine", "postgres_app_pooled": "pg_app_engine"}[
            request.param
        ]
    )


@pytest.fixture
def fresh_pg_url() -> Iterator[str]:
    """A brand-new empty PostgreSQL database, dropped after the test."""
    with throwaway_pg_database("parcours_fresh") as url:
        yield url


@pytest.fixture(params=DIALECTS)
def fresh_engine(request, tmp_path) -> Iterator[Engine]:
    """An engine on an empty, never-migrated database. The app role migrates it itself, in the
    schema the deploy guide creates for it, as ``make migrate`` does with the app's own URL."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
        yield engine
        engine.dispose()
        return
    app_role = request.param == "postgres_app_pooled"
    with throwaway_pg_database("parcours_fresh", schema_for_app_role=app_role) as url:
        engine = make_engine(as_app_role(url), TRANSACTION_POOLER) if app_role else make_engine(url)
        yield engine
        engine.dispose()


# --- migrations ---------------------------------------------------------------------------


def test_migrations_build_every_table_from_empty_and_take_them_all_down(fresh_engine):
    assert _tables(fresh_engine) == set()

    migrate.upgrade(fresh_engine)
    assert _tables(fresh_engine) == APP_TABLES | {"alembic_version"}
    assert migrate.current_revision(fresh_engine) == _head()

    migrate.downgrade(fresh_engine)
    # Alembic keeps its (now empty) bookkeeping table; nothing of Parcours remains.
    assert _tables(fresh_engine) <= {"alembic_version"}
    assert migrate.current_revision(fresh_engine) is None

    migrate.upgrade(fresh_engine)  # and the way back up still works after a full downgrade
    assert _tables(fresh_engine) == APP_TABLES | {"alembic_version"}


def test_migrated_schema_is_exactly_tables_py(engine):
    with engine.begin() as conn:
        if is_postgres(engine):
            # Reflection reads the default schema; point it at ours for this transaction only.
            conn.exec_driver_sql(f"set local search_path to {PG_SCHEMA}")
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, list(tables.ALL_METADATA))
    assert differences == []


# --- constraints --------------------------------------------------------------------------


def _territory(conn, slug: str = "tilleuls", **values) -> int:
    return conn.execute(
        sa.insert(tables.territory)
        .values(slug=slug, name=slug.title(), kind="commune", **values)
        .returning(tables.territory.c.id)
    ).scalar_one()


def _person(conn, email: str = "agent@exemple.test") -> int:
    return conn.execute(
        sa.insert(tables.person).values(email=email).returning(tables.person.c.id)
    ).scalar_one()


def _form_template(conn) -> int:
    return conn.execute(
        sa.insert(tables.form_template)
        .values(slug="recit", version=1, title_fr="Récit", title_en="Story", content={"sections": []})
        .returning(tables.form_template.c.id)
    ).scalar_one()


def _campaign(conn, territory_id: int | None, template_id: int, token: str) -> int:
    return conn.execute(
        sa.insert(tables.campaign)
        .values(
            territory_id=territory_id,
            form_template_id=template_id,
            title="Retours",
            opens_on=date(2026, 1, 1),
            closes_on=date(2026, 2, 1),
            share_token=token,
        )
        .returning(tables.campaign.c.id)
    ).scalar_one()


def test_foreign_keys_are_enforced(engine):
    if not is_postgres(engine):
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(sa.insert(tables.membership).values(person_id=424242, territory_id=None, role="reader"))
    assert count_rows(engine, tables.membership) == 0


def _duplicate_person(conn) -> None:
    _person(conn, "elise@exemple.test")
    _person(conn, "elise@exemple.test")


def _duplicate_territory(conn) -> None:
    _territory(conn, "tilleuls")
    _territory(conn, "tilleuls")


def _duplicate_share_token(conn) -> None:
    template = _form_template(conn)
    _campaign(conn, None, template, "jeton-unique")
    _campaign(conn, None, template, "jeton-unique")


@pytest.mark.parametrize(
    ("write_twice", "table"),
    [
        (_duplicate_person, tables.person),
        (_duplicate_territory, tables.territory),
        (_duplicate_share_token, tables.campaign),
    ],
    ids=["person.email", "territory.slug", "campaign.share_token"],
)
def test_unique_values_are_refused_and_nothing_is_half_written(engine, write_twice, table):
    with pytest.raises(IntegrityError), engine.begin() as conn:
        write_twice(conn)
    assert count_rows(engine, table) == 0


def _assessment(conn, territory_id: int, status: str) -> int:
    if conn.execute(sa.select(tables.framework_version.c.version)).first() is None:
        conn.execute(sa.insert(tables.framework_version).values(version="test", content={}))
    return conn.execute(
        sa.insert(tables.assessment)
        .values(
            territory_id=territory_id, framework_version="test", assessed_on=date(2026, 1, 5), status=status
        )
        .returning(tables.assessment.c.id)
    ).scalar_one()


def _second_draft_is_refused(engine: Engine, territory_id: int) -> bool:
    try:
        with engine.begin() as conn:
            _assessment(conn, territory_id, "draft")
    except IntegrityError:
        return True
    return False


def test_a_territory_holds_at_most_one_draft_assessment(engine):
    with engine.begin() as conn:
        territory, other = _territory(conn), _territory(conn, "ormes")
        for status in ("submitted", "submitted", "draft"):
            _assessment(conn, territory, status)
        draft = _assessment(conn, other, "draft")  # each territory has its own draft

    assert _second_draft_is_refused(engine, territory)
    assert count_rows(engine, tables.assessment) == 4

    with engine.begin() as conn:  # once the draft is submitted, the next one may start
        conn.execute(
            sa.update(tables.assessment).where(tables.assessment.c.id == draft).values(status="submitted")
        )
    assert not _second_draft_is_refused(engine, other)


def test_the_one_draft_rule_comes_and_goes_with_its_migration(fresh_engine):
    migrate.upgrade(fresh_engine)
    with fresh_engine.begin() as conn:
        territory = _territory(conn)
        _assessment(conn, territory, "draft")
    assert _second_draft_is_refused(fresh_engine, territory)

    migrate.downgrade(fresh_engine, "0001")
    assert not _second_draft_is_refused(fresh_engine, territory)

    with fresh_engine.begin() as conn:  # the rule cannot come back over two drafts: keep one
        newest = conn.execute(sa.select(sa.func.max(tables.assessment.c.id))).scalar_one()
        conn.execute(sa.delete(tables.assessment).where(tables.assessment.c.id == newest))
    migrate.upgrade(fresh_engine)
    assert _second_draft_is_refused(fresh_engine, territory)


def test_deleting_a_territory_removes_what_belongs_to_it_and_keeps_the_history(engine):
    with engine.begin() as conn:
        territory = _territory(conn)
        other = _territory(conn, "ormes")
        person = _person(conn)
        group = conn.execute(
            sa.insert(tables.peer_group).values(slug="pairs", name="Pairs").returning(tables.peer_group.c.id)
        ).scalar_one()
        conn.execute(
            sa.insert(tables.peer_group_member),
            [{"peer_group_id": group, "territory_id": x} for x in (territory, other)],
        )
        conn.execute(
            sa.insert(tables.membership).values(person_id=person, territory_id=territory, role="contributor")
        )
        conn.execute(sa.insert(tables.framework_version).values(version="test", content={}))
        assessment = conn.execute(
            sa.insert(tables.assessment)
            .values(
                territory_id=territory,
                framework_version="test",
                assessed_on=date(2026, 1, 5),
                created_by=person,
            )
            .returning(tables.assessment.c.id)
        ).scalar_one()
        conn.execute(
            sa.insert(tables.assessment_score).values(assessment_id=assessment, criterion_id="c1", level=2)
        )
        conn.execute(
            sa.insert(tables.milestone).values(
                territory_id=territory, occurred_on=date(2025, 6, 1), phase="impulse", title="Déclic"
            )
        )
        campaign = _campaign(conn, territory, _form_template(conn), "jeton")
        response = conn.execute(
            sa.insert(tables.response)
            .values(campaign_id=campaign, respondent_role="inhabitant", resume_code="reprise")
            .returning(tables.response.c.id)
        ).scalar_one()
        conn.execute(sa.insert(tables.answer).values(response_id=response, question_id="q1", numeric_value=3))
        conn.execute(
            sa.insert(tables.invitation).values(
                email="nouveau@exemple.test",
                territory_id=territory,
                role="reader",
                expires_at=tables.utcnow(),
            )
        )
        conn.execute(sa.insert(tables.access_request).values(person_id=person, territory_id=territory))
        conn.execute(
            sa.insert(tables.activity_log).values(
                person_id=person, territory_id=territory, action="test.done"
            )
        )

    with engine.begin() as conn:
        conn.execute(sa.delete(tables.territory).where(tables.territory.c.id == territory))

    for table in (
        tables.membership,
        tables.assessment,
        tables.assessment_score,
        tables.milestone,
        tables.campaign,
        tables.response,
        tables.answer,
        tables.invitation,
        tables.access_request,
    ):
        assert count_rows(engine, table) == 0, table.name
    with engine.connect() as conn:
        assert conn.execute(sa.select(tables.peer_group_member.c.territory_id)).scalars().all() == [other]
        log = conn.execute(sa.select(tables.activity_log)).one()
    assert (log.action, log.person_id, log.territory_id) == ("test.done", person, None)
    assert count_rows(engine, tables.person) == 1 and count_rows(engine, tables.peer_group) == 1


def test_deleting_a_person_removes_their_rights_and_keeps_their_work(engine):
    with engine.begin() as conn:
        territory = _territory(conn)
        person = _person(conn)
        conn.execute(
            sa.insert(tables.membership).values(person_id=person, territory_id=territory, role="reader")
        )
        conn.execute(sa.insert(tables.framework_version).values(version="test", content={}))
        conn.execute(
            sa.insert(tables.assessment).values(
                territory_id=territory,
                framework_version="test",
                assessed_on=date(2026, 1, 5),
                created_by=person,
            )
        )
    with engine.begin() as conn:
        conn.execute(sa.delete(tables.person).where(tables.person.c.id == person))
    assert count_rows(engine, tables.membership) == 0
    with engine.connect() as conn:
        assert conn.execute(sa.select(tables.assessment.c.created_by)).scalars().all() == [None]


# --- types and columns --------------------------------------------------------------------


def test_timestamps_come_back_timezone_aware_in_utc(engine):
    paris_summer = timezone(timedelta(hours=2))
    written = datetime(2026, 6, 21, 23, 30, tzinfo=paris_summer)
    with engine.begin() as conn:
        person = _person(conn)
        conn.execute(
            sa.update(tables.person).where(tables.person.c.id == person).values(last_login_at=written)
        )
    with engine.connect() as conn:
        row = conn.execute(sa.select(tables.person.c.last_login_at, tables.person.c.created_at)).one()
    assert row.last_login_at == written
    assert row.last_login_at.utcoffset() == timedelta(0)
    assert (row.last_login_at.day, row.last_login_at.hour) == (21, 21)
    assert row.created_at.tzinfo is not None and row.created_at.utcoffset() == timedelta(0)


def test_a_naive_timestamp_is_refused(engine):
    with pytest.raises(StatementError, match="naive datetime"), engine.begin() as conn:
        conn.execute(
            sa.insert(tables.person).values(email="x@exemple.test", last_login_at=datetime(2026, 1, 1))
        )
    assert count_rows(engine, tables.person) == 0


@pytest.mark.parametrize("table", ["assessment", "milestone"])
def test_records_edited_together_carry_a_version_starting_at_one(engine, table):
    columns = {
        c["name"]: c
        for c in sa.inspect(engine).get_columns(table, schema=PG_SCHEMA if is_postgres(engine) else None)
    }
    assert "version" in columns and columns["version"]["nullable"] is False
    with engine.begin() as conn:
        territory = _territory(conn)
        if table == "assessment":
            conn.execute(sa.insert(tables.framework_version).values(version="test", content={}))
            conn.execute(
                sa.insert(tables.assessment).values(
                    territory_id=territory, framework_version="test", assessed_on=date(2026, 1, 5)
                )
            )
        else:
            conn.execute(
                sa.insert(tables.milestone).values(
                    territory_id=territory, occurred_on=date(2026, 1, 5), phase="impulse", title="x"
                )
            )
    with engine.connect() as conn:
        assert conn.execute(sa.select(tables.metadata.tables[table].c.version)).scalar_one() == 1


# --- PostgreSQL: nothing readable through Supabase's REST API ----------------------------


@pytest.mark.postgres
def test_every_table_lives_in_the_parcours_schema_and_nothing_in_public(pg_engine):
    with pg_engine.connect() as conn:
        names = conn.execute(
            sa.text("select tablename from pg_tables where schemaname = :s"), {"s": PG_SCHEMA}
        ).scalars()
        in_public = conn.execute(
            sa.text(
                "select 'relation ' || relname from pg_class where relnamespace = 'public'::regnamespace "
                "union all select 'function ' || proname from pg_proc "
                "where pronamespace = 'public'::regnamespace "
                "union all select 'type ' || typname from pg_type where typnamespace = 'public'::regnamespace"
            )
        ).scalars()
        assert set(names) == APP_TABLES | {"alembic_version"}
        assert list(in_public) == []  # no table, sequence, view, index, function or type


@pytest.mark.postgres
def test_every_table_has_row_level_security(pg_engine):
    with pg_engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "select c.relname, c.relrowsecurity from pg_class c "
                "join pg_namespace n on n.oid = c.relnamespace where n.nspname = :s and c.relkind = 'r'"
            ),
            {"s": PG_SCHEMA},
        ).all()
    assert {name for name, _ in rows} == APP_TABLES | {"alembic_version"}
    assert [name for name, secured in rows if not secured] == []


@pytest.mark.postgres
@pytest.mark.parametrize("role", API_ROLES)
def test_supabase_api_roles_get_no_privilege_at_all(pg_engine, role):
    with pg_engine.connect() as conn:
        usage = conn.execute(
            sa.text("select has_schema_privilege(:r, :s, 'USAGE')"), {"r": role, "s": PG_SCHEMA}
        ).scalar()
        granted_tables = (
            conn.execute(
                sa.text(
                    "select tablename from pg_tables where schemaname = :s and has_table_privilege(:r, "
                    "quote_ident(schemaname) || '.' || quote_ident(tablename), "
                    "'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')"
                ),
                {"r": role, "s": PG_SCHEMA},
            )
            .scalars()
            .all()
        )
        granted_sequences = (
            conn.execute(
                sa.text(
                    "select sequencename from pg_sequences where schemaname = :s "
                    "and has_sequence_privilege(:r, "
                    "quote_ident(schemaname) || '.' || quote_ident(sequencename), 'USAGE, SELECT, UPDATE')"
                ),
                {"r": role, "s": PG_SCHEMA},
            )
            .scalars()
            .all()
        )
    assert usage is False
    assert granted_tables == []
    assert granted_sequences == []


def _statements(table: str) -> list[str]:
    column = "version_num" if table == "alembic_version" else TABLES[table].columns[0].name
    name = f'{PG_SCHEMA}."{table}"'
    return [
        f"select * from {name}",
        f"insert into {name} default values",
        f"update {name} set {column} = {column}",
        f"delete from {name}",
        f"truncate {name}",
    ]


@pytest.mark.postgres
@pytest.mark.parametrize("role", API_ROLES)
def test_an_api_role_can_neither_read_nor_write_anything(pg_engine, role):
    with pg_engine.begin() as conn:
        _territory(conn)  # something to read, update or delete
    allowed = []
    for table in sorted(APP_TABLES | {"alembic_version"}):
        for statement in _statements(table):
            try:
                with pg_engine.begin() as conn:
                    conn.exec_driver_sql(f"set local role {role}")
                    conn.exec_driver_sql(statement)
            except ProgrammingError as exc:
                assert "permission denied" in str(exc.orig), statement
            else:
                allowed.append(statement)
    assert allowed == []
    assert count_rows(pg_engine, tables.territory) == 1


@pytest.mark.postgres
@pytest.mark.parametrize("role", API_ROLES)
def test_row_level_security_still_hides_every_row_from_an_api_role_granted_access_by_mistake(pg_engine, role):
    with pg_engine.begin() as conn:
        _territory(conn)
    with pg_engine.begin() as conn:  # rolled back: the grants never outlive the test
        conn.exec_driver_sql(f"grant usage on schema {PG_SCHEMA} to {role}")
        conn.exec_driver_sql(f"grant all on all tables in schema {PG_SCHEMA} to {role}")
        conn.exec_driver_sql(f"grant all on all sequences in schema {PG_SCHEMA} to {role}")
        conn.exec_driver_sql(f"set local role {role}")
        assert conn.exec_driver_sql(f"select count(*) from {PG_SCHEMA}.territory").scalar() == 0
        with pytest.raises(ProgrammingError, match="row-level security"):
            conn.exec_driver_sql(
                f"insert into {PG_SCHEMA}.territory (slug, name, kind, sharing, is_demo, created_at, "
                "updated_at) values ('x', 'x', 'commune', 'private', false, now(), now())"
            )
        conn.rollback()


@pytest.mark.postgres
def test_the_app_role_owns_its_schema_and_everything_in_it_and_holds_nothing_more(pg_engine):
    with pg_engine.connect() as conn:
        owners = (
            conn.execute(
                sa.text(
                    "select distinct pg_get_userbyid(relowner) from pg_class "
                    "where relnamespace = (select oid from pg_namespace where nspname = :s) union "
                    "select pg_get_userbyid(nspowner) from pg_namespace where nspname = :s"
                ),
                {"s": PG_SCHEMA},
            )
            .scalars()
            .all()
        )
        role = conn.execute(
            sa.text(
                "select rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication, "
                "(select count(*) from pg_auth_members where member = r.oid) from pg_roles r "
                "where rolname = :r"
            ),
            {"r": APP_ROLE},
        ).one()
    assert owners == [APP_ROLE]
    assert tuple(role) == (False, False, False, False, False, 0)  # no other role's rights either


# --- indexes ----------------------------------------------------------------------------------


def test_every_foreign_key_has_an_index(engine):
    with engine.connect() as conn:
        assert foreign_keys_without_index(conn) == []


def test_the_index_check_finds_the_two_foreign_keys_left_without_one_before_revision_0003(fresh_engine):
    migrate.upgrade(fresh_engine, "0002")
    with fresh_engine.connect() as conn:
        assert sorted(foreign_keys_without_index(conn)) == [
            ("assessment", ("framework_version",)),
            ("form_template", ("framework_version",)),
        ]


# --- several app processes starting at once ----------------------------------------------


@pytest.mark.postgres
def test_processes_starting_together_migrate_once_and_none_fails(fresh_pg_url):
    # Separate processes, as several app servers are (Alembic itself is not thread-safe).
    env = {**os.environ, "DATABASE_URL": fresh_pg_url}
    starting = [
        subprocess.Popen(
            [sys.executable, "-m", "lib.cli", "migrate"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    errors = [process.communicate(timeout=120)[1] for process in starting]
    assert [process.returncode for process in starting] == [0, 0, 0], [err[-800:] for err in errors]
    engine = make_engine(fresh_pg_url)
    assert migrate.current_revision(engine) == _head()
    engine.dispose()
