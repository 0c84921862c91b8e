"""Figures the reliability suites measure (generated cases and crashes per service and database,
concurrent submissions stored against expected), printed at the end of the pytest run so the
run itself can be quoted."""

from __future__ import annotations

from collections import Counter, defaultdict

_FIGURES: defaultdict[str, Counter] = defaultdict(Counter)


def add(line: str, **counts: int) -> None:
    """Add ``counts`` to the figures of ``line`` (say "generated input · invite · postgres")."""
    _FIGURES[line].update(counts)


def report(terminalreporter) -> None:
    if not _FIGURES:
        return
    terminalreporter.section("reliability figures")
    for line in sorted(_FIGURES):
        counts = ", ".join(f"{name} {n}" for name, n in _FIGURES[line].items())
        terminalreporter.write_line(f"{line}: {counts}")
