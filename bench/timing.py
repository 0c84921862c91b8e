"""What the benchmarks share: a throw-away database, and the median of repeated runs."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy.engine import Engine

from lib.services import cache
from lib.store import migrate
from lib.store.db import make_engine

T = TypeVar("T")


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def median_cpu_seconds(fn: Callable[[], object], repeat: int) -> float:
    """The same, in this process's CPU time: steadier than the wall clock on a shared machine
    (SQLite runs in-process, so its work is counted; a server database's would not be)."""
    timings = []
    for _ in range(repeat):
        started = time.process_time()
        fn()
        timings.append(time.process_time() - started)
    return statistics.median(timings)


@contextmanager
def scratch_sqlite() -> Iterator[Engine]:
    """A migrated SQLite database in a temporary folder, gone afterwards."""
    with tempfile.TemporaryDirectory(prefix="parcours-bench-") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        migrate.upgrade(engine)
        try:
            yield engine
        finally:
            engine.dispose()


def uncached(fn: Callable[[], T]) -> Callable[[], T]:
    """``fn`` run with empty process caches (``lib.services.cache``), as the first rerun after
    a write: what it computes is timed, not a cache lookup."""

    def run() -> T:
        with cache.using(cache.Caches()):
            return fn()

    return run
