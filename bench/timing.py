"""Timing shared by the benchmarks: the median of repeated runs, in seconds."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


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
