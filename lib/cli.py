"""Command line for the operator: ``python -m lib.cli migrate | seed [--force] [--auto] | check-db``.

``migrate`` applies every Alembic migration, then the reference data of ``data/``
(``lib.bootstrap``), to the configured database (``DATABASE_URL``,
then ``.streamlit/secrets.toml``'s ``[connections.db] url``, then ``data/parcours.db``).
``seed`` migrates, then loads the demo data set into an empty database, showing each step;
on a database that already holds data it says so and changes nothing. ``--force`` replaces
the data of a demo-only database and refuses on one holding real data. ``--auto`` is what
``make run`` uses: like ``seed``, but it stays away from any database once a login provider
(``[auth]``) is configured, because demo people only make sense in demo mode.
``check-db`` connects as the app would and reports what ``lib.services.database_check``
finds (schema revision, row-level security, API roles, indexes, connection settings, round
trip); it exits with 1 when something must be fixed, 2 when the database does not answer.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from lib.bootstrap import bootstrap
from lib.demo.seed import STEPS, SeedRefused, seed_demo
from lib.i18n import LANGUAGES, translate
from lib.services.database_check import check_database
from lib.store import migrate
from lib.store.db import database_url, make_engine


def _shown(url: str) -> str:
    return sa.make_url(url).render_as_string(hide_password=True)


def _login_configured(secrets_path: Path | None = None) -> bool:
    path = secrets_path or Path.cwd() / ".streamlit" / "secrets.toml"
    if not path.is_file():
        return False
    with path.open("rb") as fh:
        return "auth" in tomllib.load(fh)


def _progress(index: int, total: int, name: str, rows: int, seconds: float) -> None:
    print(f"  [{index}/{total}] {name:<28} {rows:>6} rows  {seconds:6.2f} s", flush=True)


def cmd_migrate(url: str) -> int:
    engine = make_engine(url)
    print(f"Migrating {_shown(url)} …", flush=True)
    bootstrap(engine)
    print(f"Database at revision {migrate.current_revision(engine)}.")
    engine.dispose()
    return 0


def cmd_seed(url: str, *, force: bool, auto: bool, today: date | None) -> int:
    if auto and _login_configured():
        print("A login provider is configured ([auth]): demo data is not loaded automatically.")
        return 0
    engine = make_engine(url)
    bootstrap(engine)
    print(f"Demo data for {_shown(url)} ({len(STEPS)} steps):", flush=True)
    try:
        result = seed_demo(engine, today=today, force=force, progress=_progress)
    except SeedRefused as exc:
        print(f"Refused: {exc}.", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    if not result.seeded:
        print("  The database already holds data: nothing done (use --force to replace demo data).")
        return 0
    print(f"Done: {sum(result.counts.values())} rows.")
    return 0


def cmd_check_db(url: str, lang: str) -> int:
    engine = make_engine(url)
    print(f"{translate('dbcheck.title', lang)} — {_shown(url)}", flush=True)
    try:
        report = check_database(engine)
    except OperationalError as exc:
        error = str(exc.orig or exc).strip().splitlines()[0]
        print(translate("dbcheck.unreachable", lang, error=error), file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    for check in report.checks:
        status = translate(f"dbcheck.status.{check.status}", lang)
        print(f"  [{status}] {translate(check.key, lang, **check.params)}")
    print(translate("dbcheck.summary.ok" if report.ok else "dbcheck.summary.problem", lang))
    return 0 if report.ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lib.cli", description="Parcours maintenance commands.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply the database migrations")
    seed = sub.add_parser("seed", help="load the demo data into an empty database")
    seed.add_argument("--force", action="store_true", help="replace the data of a demo-only database")
    seed.add_argument("--auto", action="store_true", help="skip when a login provider is configured")
    seed.add_argument(
        "--today",
        type=date.fromisoformat,
        help="reference day (YYYY-MM-DD) the demo dates are computed from; default: today",
    )
    check = sub.add_parser("check-db", help="report whether the database is ready for production")
    check.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the report")
    args = parser.parse_args(argv)
    url = database_url()
    if args.command == "migrate":
        return cmd_migrate(url)
    if args.command == "check-db":
        return cmd_check_db(url, args.lang)
    return cmd_seed(url, force=args.force, auto=args.auto, today=args.today)


if __name__ == "__main__":
    sys.exit(main())
