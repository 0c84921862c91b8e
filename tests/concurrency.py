"""Helpers to run service calls at the same instant from several threads, and to line them up
at a chosen point (a barrier) so that a race is reproduced every time, not by luck."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

TIMEOUT = 30  # seconds: a thread still blocked after this is a deadlock, and the test says so


def run_together(*calls: Callable[[], Any]) -> list[Any]:
    """Run each call in its own thread, all released at once; return each one's result, or the
    exception it raised, in the order given."""
    start = threading.Barrier(len(calls), timeout=TIMEOUT)
    outcomes: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        start.wait()
        try:
            outcomes[i] = call()
        except Exception as exc:  # handed back to the test, which decides
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i, c), daemon=True) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
        assert not thread.is_alive(), "a thread is still blocked: deadlock"
    return outcomes


def meet_after_first_call(monkeypatch, owner: Any, name: str, parties: int = 2) -> None:
    """Make ``owner.name`` wait, after its first call in each thread, until ``parties`` threads
    have made theirs: every caller has read the same state before any of them writes."""
    real = getattr(owner, name)
    barrier = threading.Barrier(parties, timeout=TIMEOUT)
    seen = threading.local()

    def first_call_meets(*args, **kwargs):
        result = real(*args, **kwargs)
        if not getattr(seen, "done", False):
            seen.done = True
            barrier.wait()
        return result

    monkeypatch.setattr(owner, name, first_call_meets)
