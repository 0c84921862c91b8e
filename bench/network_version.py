"""What the network's data version costs the writes that move it (migration 0011, decision 0015).

    python -m bench.network_version [--db sqlite,postgresql] [--rounds 5] [--writes 40] [--threads 4]

A share-link submission (start a draft, submit it: the write that moves the stamp most often)
is timed with the triggers on and with them off, round after round in the same run, on a
fresh migrated database of each kind: one writer after the other, then ``--threads`` writers
at once on PostgreSQL, where several processes write concurrently (SQLite's writers take
turns anyway). Off means PostgreSQL's ``DISABLE TRIGGER USER`` on the watched tables, and on
SQLite the triggers dropped and made again. Figures are medians per submission in ms;
nothing asserts on them.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections.abc import Callable

import psycopg
from sqlalchemy.engine import Engine

from bench.screens import DATABASES
from lib.bootstrap import bootstrap
from lib.services import feedback
from lib.store import stamps
from lib.store.db import PG_SCHEMA, is_postgres
from tests.factories import make_campaign, make_territory

MOOD = {"mood": 4, "topics": ["energy"], "story": "Bien"}


def _switch(engine: Engine) -> Callable[[bool], None]:
    """A function turning the stamp's triggers on or off."""
    if is_postgres(engine):

        def switch(on: bool) -> None:
            with engine.begin() as conn:
                for table in stamps.WATCHED_TABLES:
                    conn.exec_driver_sql(
                        f"alter table {PG_SCHEMA}.{table} {'enable' if on else 'disable'} trigger user"
                    )

        return switch
    with engine.connect() as conn:
        made = conn.exec_driver_sql(
            "select name, sql from sqlite_master where type = 'trigger' and name like 'network_version_%'"
        ).all()

    def switch(on: bool) -> None:
        with engine.begin() as conn:
            for name, sql in made:
                conn.exec_driver_sql(f"drop trigger if exists {name}")
                if on:
                    conn.exec_driver_sql(sql)

    return switch


def _submissions(engine: Engine, token: str, writes: int, threads: int) -> float:
    """Median time of one submission (draft then submit), ``threads`` writers at once."""
    times: list[float] = []
    lock = threading.Lock()

    def writer(n: int) -> None:
        for _ in range(n):
            started = time.perf_counter()
            draft = feedback.start_response(engine, token, "inhabitant")
            feedback.submit_response(engine, token, draft.resume_code, MOOD)
            with lock:
                times.append(time.perf_counter() - started)

    workers = [threading.Thread(target=writer, args=(writes // threads,)) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return statistics.median(times) * 1000


def run_one(db: str, rounds: int, writes: int, threads: int) -> str:
    lines = [
        f"## {db}",
        "",
        "| writers | triggers on: ms per submission | triggers off | on ÷ off |",
        "|---|---:|---:|---:|",
    ]
    with DATABASES[db]() as engine:
        bootstrap(engine)
        _, token = make_campaign(engine, make_territory(engine, "Banc d'essai"))
        switch = _switch(engine)
        for n in sorted({1, threads if is_postgres(engine) else 1}):
            on: list[float] = []
            off: list[float] = []
            _submissions(engine, token, writes, n)  # warm
            for _ in range(rounds):
                switch(False)
                off.append(_submissions(engine, token, writes, n))
                switch(True)
                on.append(_submissions(engine, token, writes, n))
            a, b = statistics.median(on), statistics.median(off)
            lines.append(f"| {n} | {a:.2f} | {b:.2f} | {a / b:.2f}× |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--writes", type=int, default=40)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)
    for db in [d.strip() for d in args.db.split(",") if d.strip()]:
        try:
            print(run_one(db, args.rounds, args.writes, args.threads), flush=True)
        except psycopg.OperationalError as exc:
            print(f"## {db}: not measured ({exc})\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
