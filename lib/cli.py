"""Command line for the operator: ``python -m lib.cli migrate | seed | check-db | export | restore``.

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
``export FILE`` writes the whole database as one archive (one CSV per table and a manifest,
``lib.services.backup``); ``restore FILE`` fills an empty database from such an archive, SQLite
or PostgreSQL alike, then stores the reference data as ``migrate`` does. Both exit with 1 and
say why when refused.
``send-mail`` writes the campaign reminders and the coordinators' weekly digest that are due,
deletes the addresses of campaigns closed long enough, then sends the e-mails due in the
outbox (``lib.services.mail``), retrying later those the server could not take; run it
every few minutes from cron or a systemd timer (docs/deploy.md). Without ``[smtp]`` settings
it sends nothing and says how many wait.
``purge`` applies the retention of personal data (``lib.services.privacy``, ``[privacy]`` in the
secrets): names typed in named campaigns closed long enough ago, and drafts abandoned long
enough ago with their resume codes, counted in Paris days (``--today`` to pin the day); run it
daily from cron or a systemd timer.
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
from lib.domain.errors import ServiceError
from lib.i18n import LANGUAGES, translate
from lib.services import backup, campaign_mail, digest, mail, privacy
from lib.services.database_check import check_database
from lib.services.smtp import SettingsError, load_settings
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


def _table_done(name: str, rows: int) -> None:
    print(f"  {name:<28} {rows:>9} rows", flush=True)


def _refusal(exc: ServiceError, lang: str) -> str:
    text = translate(exc.code, lang, **exc.params)
    cause = exc.__cause__
    # The database's own words help whoever restores; a page would never show them.
    return (
        f"{text} ({str(cause).strip().splitlines()[0]})"
        if isinstance(cause, sa.exc.SQLAlchemyError)
        else text
    )


def cmd_export(url: str, path: Path, lang: str) -> int:
    engine = make_engine(url)
    print(f"Export of {_shown(url)} to {path} …", flush=True)
    try:
        with path.open("wb") as out:
            manifest = backup.write_archive(engine, out, progress=_table_done)
    except ServiceError as exc:
        path.unlink(missing_ok=True)
        print(_refusal(exc, lang), file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"Done: {manifest.total_rows} rows, schema revision {manifest.revision}.")
    return 0


def cmd_restore(url: str, path: Path, lang: str) -> int:
    engine = make_engine(url)
    print(f"Restore of {path} into {_shown(url)} …", flush=True)
    try:
        with path.open("rb") as source:
            manifest = backup.restore_archive(engine, source, progress=_table_done)
        bootstrap(engine)
    except ServiceError as exc:
        print(_refusal(exc, lang), file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"Done: {manifest.total_rows} rows restored (archive of {manifest.created_at}).")
    return 0


def cmd_send_mail(url: str) -> int:
    try:
        config = load_settings()
    except (SettingsError, ValueError) as exc:
        print(f"Mail settings: {exc}", file=sys.stderr)
        return 1
    engine = make_engine(url)
    try:
        bootstrap(engine)
        # What the week and the calendar call for, then everything due.
        written = campaign_mail.remind(engine, config) + digest.write_digests(engine, config)
        purged = campaign_mail.purge(engine, config)
        report = mail.send_due(engine, config)
        waiting = mail.waiting(engine)
    finally:
        engine.dispose()
    print(f"Reminders and digests written: {written}; campaign addresses purged: {purged}.")
    if not report.configured:
        print(f"No [smtp] settings: nothing sent; {waiting} message(s) wait in the outbox.")
        return 0
    print(
        f"Sent {report.sent}, to retry {report.retried}, refused {report.refused}, "
        f"interrupted {report.interrupted}; {waiting} message(s) wait."
    )
    for line in report.errors:
        print(f"  {line}")
    return 0


def cmd_purge(url: str, today: date | None) -> int:
    try:
        config = privacy.load_settings()
    except SettingsError as exc:
        print(f"Privacy settings: {exc}", file=sys.stderr)
        return 1
    engine = make_engine(url)
    try:
        bootstrap(engine)
        done = privacy.purge(engine, config, today=today)
    except ServiceError as exc:
        print(_refusal(exc, "en"), file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    kept = config.retention
    print(
        f"Respondents' names removed: {done.names} (kept {kept.respondent_names_days} days after closing); "
        f"abandoned drafts deleted: {done.drafts} (kept {kept.abandoned_drafts_days} days after last change)."
    )
    return 0


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
    for name, help_text in (
        ("export", "write the whole database as one archive (ZIP: one CSV per table and a manifest)"),
        ("restore", "fill an empty database from an archive made by export"),
    ):
        command = sub.add_parser(name, help=help_text)
        command.add_argument("file", type=Path, help="the archive (.zip)")
        command.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the messages")
    sub.add_parser("send-mail", help="send the e-mails due in the outbox (run from cron or a timer)")
    purge = sub.add_parser("purge", help="remove personal data past its retention (run daily)")
    purge.add_argument("--today", type=date.fromisoformat, help="the Paris day to count from (YYYY-MM-DD)")
    args = parser.parse_args(argv)
    url = database_url()
    if args.command == "export":
        return cmd_export(url, args.file, args.lang)
    if args.command == "restore":
        return cmd_restore(url, args.file, args.lang)
    if args.command == "send-mail":
        return cmd_send_mail(url)
    if args.command == "purge":
        return cmd_purge(url, args.today)
    if args.command == "migrate":
        return cmd_migrate(url)
    if args.command == "check-db":
        return cmd_check_db(url, args.lang)
    return cmd_seed(url, force=args.force, auto=args.auto, today=args.today)


if __name__ == "__main__":
    sys.exit(main())
