"""Is the database ready to serve a network? The report of ``make check-db``, and the one a
coordinators' page section shows (``database_report``).

Each check is a translation key (``data/i18n/deploy.yaml``) with its parameters and a status:
``ok``, ``warning`` (works, but not as the deploy guide sets it up), ``problem`` (fix before
opening to people) or ``info`` (figures).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection, Engine

from lib.access import Action, Actor, require
from lib.services.unit_of_work import reading
from lib.store import health, migrate
from lib.store.db import APP_ROLE, is_postgres, settings_of

OK, WARNING, PROBLEM, INFO = "ok", "warning", "problem", "info"
_LOCAL_HOSTS = {None, "", "localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class Check:
    key: str
    status: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DatabaseReport:
    database: str  # the URL, password hidden
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        """Nothing to fix (warnings and figures aside)."""
        return all(check.status != PROBLEM for check in self.checks)


def database_report(actor: Actor | None, engine: Engine) -> DatabaseReport:
    """The report, for a network coordinator."""
    require(actor, Action.MANAGE_NETWORK)
    with reading(engine) as conn:
        return _report(engine, conn)


def check_database(engine: Engine) -> DatabaseReport:
    """The report, for the operator at the command line (``make check-db``)."""
    with engine.connect() as conn:
        return _report(engine, conn)


def _report(engine: Engine, conn: Connection) -> DatabaseReport:
    checks = [_revision(conn)]
    if is_postgres(engine):
        checks += [_row_security(conn), _api_roles(conn), _foreign_keys(conn)]
        checks += _connection(engine, conn)
    else:
        checks += [Check("dbcheck.sqlite", INFO), _foreign_keys(conn)]
    trip = health.round_trip(conn)
    checks.append(
        Check(
            "dbcheck.round_trip",
            INFO,
            {"median_ms": f"{trip.median_ms:.2f}", "max_ms": f"{trip.max_ms:.2f}", "count": trip.count},
        )
    )
    conn.rollback()
    return DatabaseReport(engine.url.render_as_string(hide_password=True), tuple(checks))


def _revision(conn: Connection) -> Check:
    current = migrate.current_revision(conn)
    head = migrate.head_revision()
    params = {"revision": current or "-", "head": head}
    if current == head:
        return Check("dbcheck.revision.ok", OK, params)
    if current is None:
        return Check("dbcheck.revision.empty", PROBLEM, params)
    if current in migrate.known_revisions():
        return Check("dbcheck.revision.behind", PROBLEM, params)
    return Check("dbcheck.revision.unknown", PROBLEM, params)


def _row_security(conn: Connection) -> Check:
    count, unsecured = health.tables_without_row_security(conn)
    if unsecured:
        return Check("dbcheck.rls.missing", PROBLEM, {"tables": ", ".join(unsecured)})
    return Check("dbcheck.rls.ok", OK, {"count": count})


def _api_roles(conn: Connection) -> Check:
    grants = health.api_role_grants(conn)
    if grants is None:
        return Check("dbcheck.api_roles.absent", INFO)
    granted = {role: objects for role, objects in grants.items() if objects}
    if granted:
        listed = "; ".join(f"{role}: {', '.join(objects)}" for role, objects in granted.items())
        return Check("dbcheck.api_roles.granted", PROBLEM, {"grants": listed})
    return Check("dbcheck.api_roles.ok", OK, {"roles": ", ".join(grants)})


def _foreign_keys(conn: Connection) -> Check:
    missing = health.foreign_keys_without_index(conn)
    if missing:
        listed = ", ".join(f"{table}({', '.join(columns)})" for table, columns in missing)
        return Check("dbcheck.fk_index.missing", PROBLEM, {"foreign_keys": listed})
    return Check("dbcheck.fk_index.ok", OK)


def _connection(engine: Engine, conn: Connection) -> list[Check]:
    facts = health.connection_facts(conn)
    who = {"user": facts.user, "owner": facts.schema_owner or "-", "role": APP_ROLE}
    if facts.superuser:
        checks = [Check("dbcheck.role.superuser", WARNING, who)]
    elif facts.user != facts.schema_owner:
        checks = [Check("dbcheck.role.not_owner", WARNING, who)]
    else:
        checks = [Check("dbcheck.role.ok", OK, who)]
    if facts.user == APP_ROLE and facts.statement_timeout == "0":
        checks.append(Check("dbcheck.limits.missing", WARNING))

    host = engine.url.host
    if facts.ssl_in_use:
        checks.append(Check("dbcheck.tls.ok", OK))
    else:
        local = host in _LOCAL_HOSTS
        checks.append(Check("dbcheck.tls.off", INFO if local else WARNING, {"host": host or "-"}))

    settings = settings_of(engine)
    if settings is not None:
        prepared = facts.prepare_threshold is not None
        if settings.pooler == "transaction" and prepared:
            checks.append(Check("dbcheck.pooler.prepared", PROBLEM))
        else:
            checks.append(Check(f"dbcheck.pooler.{settings.pooler}", OK))
        checks.append(
            Check(
                "dbcheck.pool",
                INFO,
                {
                    "pool_size": settings.pool_size,
                    "max_overflow": settings.max_overflow,
                    "pool_timeout": f"{settings.pool_timeout:g}",
                    "pool_recycle": settings.pool_recycle,
                    "connect_timeout": settings.connect_timeout,
                    "ping_after_idle": f"{settings.ping_after_idle:g}",
                    "statement_timeout": _limit(facts.statement_timeout),
                    "idle_timeout": _limit(facts.idle_in_transaction_timeout),
                    "server_version": facts.server_version,
                },
            )
        )
    return checks


def _limit(setting: str) -> str:
    return "∞" if setting == "0" else setting  # PostgreSQL's 0: no limit
