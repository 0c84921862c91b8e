"""The database check: what ``make check-db`` prints and a coordinator's report returns."""

from __future__ import annotations

import pytest

from lib import cli
from lib.access import Role
from lib.domain.errors import PermissionDenied
from lib.services.database_check import PROBLEM, check_database, database_report
from lib.store import migrate
from lib.store.db import make_engine
from tests.conftest import TRANSACTION_POOLER, as_app_role, throwaway_pg_database
from tests.e2e.conftest import free_port
from tests.factories import make_actor, make_territory


def _by_key(report) -> dict[str, object]:
    return {check.key: check for check in report.checks}


def test_a_coordinator_gets_the_report_and_a_territory_admin_is_refused(engine):
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    admin = make_actor(engine, Role.TERRITORY_ADMIN, make_territory(engine))

    report = database_report(coordinator, engine)

    assert report.ok
    assert "dbcheck.revision.ok" in _by_key(report) and "dbcheck.fk_index.ok" in _by_key(report)
    with pytest.raises(PermissionDenied):
        database_report(admin, engine)
    with pytest.raises(PermissionDenied):
        database_report(None, engine)


@pytest.mark.postgres
def test_the_report_names_each_thing_to_fix_on_a_badly_prepared_database():
    with throwaway_pg_database("parcours_check") as url:
        engine = make_engine(url)
        migrate.upgrade(engine)
        with engine.begin() as conn:  # three mistakes a hand-made change could leave behind
            conn.exec_driver_sql("alter table parcours.milestone disable row level security")
            conn.exec_driver_sql("grant usage on schema parcours to anon")
            conn.exec_driver_sql("grant select on parcours.person to anon")
            conn.exec_driver_sql("drop index parcours.ix_form_template_framework_version")

        checks = _by_key(check_database(engine))
        engine.dispose()

    problems = {key: check.params for key, check in checks.items() if check.status == PROBLEM}
    assert problems == {
        "dbcheck.rls.missing": {"tables": "milestone"},
        "dbcheck.api_roles.granted": {"grants": "anon: schema parcours, person"},
        "dbcheck.fk_index.missing": {"foreign_keys": "form_template(framework_version)"},
    }
    assert checks["dbcheck.role.superuser"].params["user"] == "postgres"  # and who is connected


@pytest.mark.postgres
def test_the_report_shows_the_app_role_and_the_transaction_pooler_settings_in_force(pg_app_engine):
    report = check_database(pg_app_engine)
    checks = _by_key(report)

    assert report.ok
    assert checks["dbcheck.role.ok"].params["user"] == "parcours_app"
    assert "dbcheck.pooler.transaction" in checks  # prepared statements really off on the connection
    pool = checks["dbcheck.pool"].params
    assert (pool["pool_size"], pool["max_overflow"], pool["statement_timeout"]) == (5, 2, "1min")
    assert float(checks["dbcheck.round_trip"].params["median_ms"]) > 0


def test_check_db_says_a_database_never_migrated_must_be_and_fails(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    assert cli.main(["check-db"]) == 1
    out = capsys.readouterr().out
    assert "[PROBLEM] The database has never been migrated: run the migrations (make migrate)." in out
    assert "At least one point must be fixed" in out


def test_check_db_passes_on_a_migrated_database_in_french_too(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'parcours.db'}"
    migrate.upgrade(make_engine(url))
    monkeypatch.setenv("DATABASE_URL", url)
    assert cli.main(["check-db", "--lang", "fr"]) == 0
    out = capsys.readouterr().out
    assert "[OK] Schéma à jour" in out and "Rien à corriger." in out


@pytest.mark.postgres
def test_check_db_says_plainly_that_the_database_does_not_answer(monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"postgresql://parcours_app@127.0.0.1:{free_port()}/parcours")
    assert cli.main(["check-db"]) == 2
    assert "The database does not answer: connection failed" in capsys.readouterr().err


@pytest.mark.postgres
def test_check_db_through_the_transaction_pooler_port_reports_prepared_statements_off(
    tmp_path, monkeypatch, capsys
):
    with throwaway_pg_database("parcours_check", schema_for_app_role=True) as url:
        migrate.upgrade(make_engine(as_app_role(url), TRANSACTION_POOLER))
        secrets = tmp_path / ".streamlit" / "secrets.toml"
        secrets.parent.mkdir()
        secrets.write_text(f'[connections.db]\nurl = "{as_app_role(url)}"\npooler = "transaction"\n')
        monkeypatch.chdir(tmp_path)
        monkeypatch.delenv("DATABASE_URL", raising=False)
        assert cli.main(["check-db"]) == 0
    out = capsys.readouterr().out
    assert "[OK] Transaction pooler: prepared statements off, as they must be." in out
    assert "[OK] Connected as parcours_app, owner of the parcours schema" in out
