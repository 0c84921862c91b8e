"""Full export and restore, and CSV imports, at network size, against a baseline in the same run.

    python -m bench.backup [--size S|M|L]

Export and restore: ``bench.network`` builds a network into SQLite; it is exported, restored
into a new PostgreSQL database, exported again from there and restored into a new SQLite
file; every table's row count is compared at the end. Baselines: the same restore into
PostgreSQL with INSERTs instead of COPY, and into SQLite with one INSERT per row
(``CHUNK = 1``) instead of chunks of 2,000.

Imports: 10,000 territories from one CSV file (all checked, then written in one transaction),
on SQLite and PostgreSQL. Baseline: ``administration.save_territory`` once per territory (a
transaction each), timed over 1,000 territories and multiplied by 10.
"""

from __future__ import annotations

import argparse
import io
import time

from bench import network
from bench.screens import postgres_database, sqlite_database
from lib.access import Role
from lib.services import administration, backup, imports
from lib.services.identity import load_actor
from lib.store import backup as backup_store
from lib.store import migrate, tables

IMPORT_ROWS = 10_000
BASELINE_ROWS = 1_000


def _timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def _archive(engine) -> bytes:
    out = io.BytesIO()
    backup.write_archive(engine, out)
    return out.getvalue()


def _coordinator(engine):
    with engine.begin() as conn:
        person_id = conn.execute(
            tables.person.insert()
            .values(email="bench@reseau.test", display_name="Bench")
            .returning(tables.person.c.id)
        ).scalar_one()
        conn.execute(
            tables.membership.insert().values(person_id=person_id, territory_id=None, role=Role.COORDINATOR)
        )
    return load_actor(engine, person_id)


def bench_backup(size_name: str) -> None:
    size = network.SIZES[size_name]
    with (
        sqlite_database() as source,
        postgres_database() as pg,
        postgres_database() as pg_inserts,
        sqlite_database() as back,
        sqlite_database() as slow,
    ):
        _, built = _timed(lambda: network.build(source, size))
        counts = network.counts(source)
        rows = sum(counts.values())
        print(f"network {size_name}: {rows:,} rows in {len(counts)} tables, built in {built:.1f} s")

        archive, t_export = _timed(lambda: _archive(source))
        _, t_pg = _timed(lambda: backup.restore_archive(pg, io.BytesIO(archive)))
        archive_pg, t_export_pg = _timed(lambda: _archive(pg))
        _, t_back = _timed(lambda: backup.restore_archive(back, io.BytesIO(archive_pg)))
        same = network.counts(back) == counts == network.counts(pg)

        backup_store.PG_COPY = False
        try:
            _, t_pg_inserts = _timed(lambda: backup.restore_archive(pg_inserts, io.BytesIO(archive)))
        finally:
            backup_store.PG_COPY = True
        chunk = backup_store.CHUNK
        backup_store.CHUNK = 1
        try:
            _, t_slow = _timed(lambda: backup.restore_archive(slow, io.BytesIO(archive)))
        finally:
            backup_store.CHUNK = chunk

        print(f"  archive: {len(archive) / 1e6:.1f} MB (ZIP of CSVs), revision {migrate.head_revision()}")
        print(f"  export SQLite            {t_export:7.2f} s   {rows / t_export:10,.0f} rows/s")
        print(f"  restore into PostgreSQL  {t_pg:7.2f} s   {rows / t_pg:10,.0f} rows/s")
        print(
            f"  baseline: restore into PostgreSQL with INSERTs (executemany) {t_pg_inserts:7.2f} s"
            f" ({t_pg_inserts / t_pg:.1f}x slower than COPY)"
        )
        print(f"  export PostgreSQL        {t_export_pg:7.2f} s   {rows / t_export_pg:10,.0f} rows/s")
        print(f"  restore into SQLite      {t_back:7.2f} s   {rows / t_back:10,.0f} rows/s")
        print(
            f"  baseline: restore into SQLite one INSERT per row {t_slow:7.2f} s"
            f" ({t_slow / t_back:.1f}x slower)"
        )
        print(f"  every table's row count identical after both restores: {same}")


def _territories_csv(n: int) -> bytes:
    header = "identifiant;nom;type;code_insee;siren;region;population\n"
    return (header + "".join(f"t-{i};Territoire {i};commune;;;Bretagne;{i}\n" for i in range(n))).encode()


def _import_once(engine) -> float:
    actor = _coordinator(engine)
    data = _territories_csv(IMPORT_ROWS)
    started = time.perf_counter()
    report = imports.import_csv(engine, actor, "territories", data)
    assert report.applied
    return time.perf_counter() - started


def _one_service_call_per_row(engine) -> float:
    actor = _coordinator(engine)
    started = time.perf_counter()
    for i in range(BASELINE_ROWS):
        draft = administration.TerritoryDraft(name=f"Territoire {i}", kind="commune")
        administration.save_territory(engine, actor, draft)
    return time.perf_counter() - started


def bench_imports() -> None:
    for name, database in (("SQLite", sqlite_database), ("PostgreSQL", postgres_database)):
        with database() as engine, database() as baseline:
            for e in (engine, baseline):
                migrate.upgrade(e)
            t_import = _import_once(engine)
            t_base = _one_service_call_per_row(baseline)
            scaled = t_base * IMPORT_ROWS / BASELINE_ROWS
            print(
                f"import {IMPORT_ROWS:,} territories, {name}: {t_import:.2f} s; "
                f"baseline one service call per row: {t_base:.2f} s for {BASELINE_ROWS:,}, "
                f"~{scaled:.1f} s for {IMPORT_ROWS:,} ({scaled / t_import:.1f}x slower)"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="S", choices=sorted(network.SIZES))
    args = parser.parse_args(argv)
    bench_backup(args.size)
    bench_imports()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
