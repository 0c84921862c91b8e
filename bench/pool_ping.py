"""What checking a pooled connection before use costs, through a network as slow as production's.

Run with ``make bench`` or ``python -m bench.pool_ping [--rtt 0,1,25,100] [--uses 40]``. Needs
the PostgreSQL server of the tests (127.0.0.1:5432 as ``postgres``, or ``PARCOURS_TEST_PG``);
it creates a throw-away database and drops it at the end.

1. *Uses per rerun.* The demo data set is loaded, then every page is run through AppTest as
   the demo coordinator and as a territory admin; the pool's checkouts are counted during a
   rerun (the page's second run, as when someone clicks).
2. *Cost of one use* — take a connection, run one small query, give it back — through a proxy
   that delays every packet by half the chosen round-trip time (0: straight to the server;
   1 ms: app and database in one data centre; 25 ms: two European regions; 100 ms: across the
   Atlantic, as from Streamlit Community Cloud to a database in Paris). Four ways of checking:
   ``none``; ``pre-ping``, SQLAlchemy's ``pool_pre_ping`` (a check on every use: the former
   setting); ``idle check, due``, ``lib.store.db``'s check when the connection has been idle
   past ``ping_after_idle`` (so it runs); ``idle check, fresh``, the same when it was used
   moments ago (so it does not — the common case within a rerun).
3. What pre-ping adds to a rerun: uses per rerun × (pre-ping − none), at each round trip.

Figures are medians; nothing asserts on them. Results are appended to
``bench/results/pool_ping.jsonl`` (git-ignored).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

from lib.store import migrate, tables
from lib.store.db import PG_SCHEMA, ROOT, ConnectionSettings, make_engine

ADMIN_DSN = os.environ.get("PARCOURS_TEST_PG", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")
RESULTS = ROOT / "bench" / "results" / "pool_ping.jsonl"
PAGES = ("home", "journey", "campaigns", "results", "members")


# --- a network with latency ---------------------------------------------------------------


class LatencyProxy:
    """TCP proxy on 127.0.0.1 that delivers every chunk ``rtt_ms / 2`` after it arrived, in order."""

    def __init__(self, target_host: str, target_port: int, rtt_ms: float) -> None:
        self.target = (target_host, target_port)
        self.delay = rtt_ms / 2000
        self.loop = asyncio.new_event_loop()
        self.port = 0
        ready = threading.Event()
        threading.Thread(target=self._serve, args=(ready,), daemon=True).start()
        ready.wait()

    def _serve(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()

    async def _client(self, reader, writer) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        for stream in (writer, up_writer):  # small packets leave at once, as from a real client
            stream.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _pipe(self, reader, writer) -> None:
        queue: asyncio.Queue = asyncio.Queue()

        async def deliver() -> None:
            while (item := await queue.get()) is not None:
                due, data = item
                await asyncio.sleep(max(0.0, due - self.loop.time()))
                writer.write(data)
                await writer.drain()
            writer.close()

        delivering = asyncio.create_task(deliver())
        while data := await reader.read(65536):
            queue.put_nowait((self.loop.time() + self.delay, data))
        queue.put_nowait(None)
        await delivering

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)


@contextmanager
def throwaway_database() -> Iterator[str]:
    name = f"parcours_bench_{uuid.uuid4().hex[:10]}"
    params = psycopg.conninfo.conninfo_to_dict(ADMIN_DSN)
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'create database "{name}"')
    try:
        yield f"postgresql+psycopg://{params['user']}@{params['host']}:{params['port']}/{name}"
    finally:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'drop database if exists "{name}" with (force)')


# --- 1. uses per rerun --------------------------------------------------------------------


def uses_per_rerun(url: str) -> dict[str, dict[str, int]]:
    """Checkouts during one rerun of each page, for the demo coordinator and a territory admin."""
    from streamlit.testing.v1 import AppTest

    from components.navigation import page_path
    from lib.demo.seed import seed_demo

    engine = make_engine(url)
    migrate.upgrade(engine)
    seed_demo(engine, today=date(2026, 11, 30))
    with engine.connect() as conn:
        people = dict(
            conn.execute(
                sa.select(tables.membership.c.role, sa.func.min(tables.membership.c.person_id))
                .where(tables.membership.c.role.in_(["coordinator", "territory_admin"]))
                .group_by(tables.membership.c.role)
            ).all()
        )
    engine.dispose()

    checkouts = 0

    def counted(*_args) -> None:
        nonlocal checkouts
        checkouts += 1

    os.environ["DATABASE_URL"] = url
    entry = str(ROOT / "tests" / "app_entry.py")
    counts: dict[str, dict[str, int]] = {}
    sa.event.listen(Pool, "checkout", counted)
    try:
        for role, person_id in sorted(people.items()):
            counts[role] = {}
            for page in PAGES:
                at = AppTest.from_file(entry, default_timeout=120)
                at.session_state["demo_person_id"] = person_id
                at.run()
                at.switch_page(page_path(page))
                at.run()  # the page's first run: caches fill
                before = checkouts
                at.run()  # a rerun, as after a click
                if at.exception:
                    raise RuntimeError(f"{page} as {role}: {at.exception}")
                counts[role][page] = checkouts - before
    finally:
        sa.event.remove(Pool, "checkout", counted)
    return counts


# --- 2. cost of one use -------------------------------------------------------------------


def _engines(url: str) -> dict[str, Engine]:
    pre_ping = sa.create_engine(url, pool_pre_ping=True).execution_options(
        schema_translate_map={None: PG_SCHEMA}
    )  # the former make_engine
    return {
        "none": make_engine(url, ConnectionSettings(ping_after_idle=float("inf"))),
        "pre-ping": pre_ping,
        "idle check, due": make_engine(url, ConnectionSettings(ping_after_idle=0)),
        "idle check, fresh": make_engine(url, ConnectionSettings()),
    }


def _use(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(sa.select(sa.func.count()).select_from(tables.territory)).scalar_one()


def cost_of_one_use(url: str, uses: int) -> dict[str, float]:
    """Median milliseconds of one use, per way of checking. The ways take turns, so that a
    neighbour's load on the machine falls on all of them alike."""
    engines = _engines(url)
    timings: dict[str, list[float]] = {name: [] for name in engines}
    for engine in engines.values():
        _use(engine)  # connected once before timing
    for _ in range(uses):
        for name, engine in engines.items():
            started = time.perf_counter()
            _use(engine)
            timings[name].append((time.perf_counter() - started) * 1000)
    for engine in engines.values():
        engine.dispose()
    return {name: statistics.median(values) for name, values in timings.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rtt", default="0,1,25,100", help="round-trip times to simulate, in ms")
    parser.add_argument("--uses", type=int, default=40, help="uses timed per way and round trip")
    args = parser.parse_args(argv)
    rtts = [float(x) for x in args.rtt.split(",")]
    try:
        psycopg.connect(ADMIN_DSN, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL does not answer ({exc}); nothing measured.")
        return 0

    with throwaway_database() as url:
        started = time.perf_counter()
        per_rerun = uses_per_rerun(url)
        seconds = time.perf_counter() - started
        print(f"1. Connections taken from the pool during one rerun (demo data, {seconds:.0f} s):")
        print(f"   {'page':<10}" + "".join(f"{role:>17}" for role in per_rerun))
        for page in PAGES:
            print(f"   {page:<10}" + "".join(f"{per_rerun[role][page]:>17}" for role in per_rerun))
        most = max(n for pages in per_rerun.values() for n in pages.values())

        parsed = sa.make_url(url)
        costs = {}
        for rtt in rtts:
            proxy = None
            target = url
            if rtt > 0:
                proxy = LatencyProxy(parsed.host, parsed.port or 5432, rtt)
                target = parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
            costs[rtt] = cost_of_one_use(target, args.uses)
            if proxy:
                proxy.close()

    ways = list(next(iter(costs.values())))
    print("\n2. One use (take a connection, one small query, give it back), median ms:")
    print(f"   {'round trip':<12}" + "".join(f"{w:>19}" for w in ways))
    for rtt, by_way in costs.items():
        print(f"   {rtt:>7g} ms  " + "".join(f"{by_way[w]:>19.2f}" for w in ways))
    print(f"\n3. What pre-ping adds to the busiest rerun ({most} uses), against the idle check:")
    for rtt, by_way in costs.items():
        extra = by_way["pre-ping"] - by_way["idle check, fresh"]
        trips = f" ({extra / rtt:.1f} round trips per use)" if rtt else ""
        print(f"   {rtt:>7g} ms round trip: {most * extra:8.1f} ms per rerun{trips}")
    print("   (The proxy is Python on a shared machine: it adds its own delay to every hop, so read")
    print("   the differences between columns; the absolute times at small round trips are too high.)")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as fh:
        record = {"at": time.strftime("%Y-%m-%dT%H:%M:%S"), "uses_per_rerun": per_rerun, "costs_ms": costs}
        fh.write(json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
