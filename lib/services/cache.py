"""What a process keeps between reruns, and why it is never stale (decision 0015).

Only what is the same for everyone allowed to read it is kept here, each value under a key
that holds a data version read from the database on the same rerun:

- a stored form template, parsed: under its id and ``updated_at`` (a template is changed in
  place only while nobody has answered it, and every change moves ``updated_at``);
- a campaign's results (counts, distributions, gaps, choices, texts — everything but the
  drafts, counted afresh): under the campaign's ``data_version``, which every write to its
  submitted responses changes in the same transaction, and the period asked for;
- the network screens' figures (Pilotage du réseau, the coordinators' Accueil, « Qui peut
  m'aider ? »): under the network's data version (``lib.store.stamps``), which triggers move
  in the same transaction as every write to what they count, and under who reads: the
  coordinators' views under the right that opens them (all coordinators see the same
  network), a territory's peer answer under the reading person and their memberships.

The services check the reader's rights *before* looking a value up, and the key names the
campaign, so a value is only ever handed to someone allowed to read that very campaign. The
version is read on every rerun with the row the rights are checked on (no extra query), so a
response submitted through another process is counted on the next rerun here.

Entries of old versions are never served again; they leave as the least recently used.
``lib/`` never imports Streamlit, so this is a plain bounded mapping, one per process (and
``using()`` lets tests stand for two processes).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy.engine import Connection

from lib.store import stamps

T = TypeVar("T")


class VersionedCache:
    """A bounded least-recently-used mapping, safe across the threads of one process."""

    def __init__(self, name: str, max_entries: int) -> None:
        self.name = name
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return self._entries[key]
        # Computed outside the lock: two threads may both compute a missing value, which is
        # only wasted work, never a wrong one (the key says exactly what the value is of).
        value = compute()
        with self._lock:
            self.misses += 1
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._entries)


def network_cached(conn: Connection, key: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, or the value cached under ``key`` at the network's current data version.

    The version is read first, on ``conn``, before ``compute`` reads what it covers (see
    ``lib.store.stamps``). ``key`` names the use case and everything its value depends on
    besides the data: the reader's rights included. Callers check the rights before."""
    version = stamps.network_version(conn)
    return caches().network.get_or_compute((*key, version), compute)


class Caches:
    """Every cache of one process."""

    def __init__(self) -> None:
        self.templates = VersionedCache("templates", 64)
        # A big campaign's results weigh about a megabyte (its 2,000 latest texts mostly).
        self.results = VersionedCache("results", 32)
        # The network screens' figures (steering's views, « Qui peut m'aider ? »): a few hundred
        # kilobytes each at 1,000 territories, under the network's data version.
        self.network = VersionedCache("network", 64)


_current = Caches()


def caches() -> Caches:
    return _current


@contextmanager
def using(these: Caches) -> Iterator[Caches]:
    """Inside: ``these`` caches instead of the process's own, as another process would have
    its own (tests use it to stand for two processes on one database)."""
    global _current
    kept, _current = _current, these
    try:
        yield these
    finally:
        _current = kept
