"""Peers learning from each other: progress, "who can help me", phases side by side.

Pure rules on what SQL returned (no SQL, no Streamlit). Who may be read at all is decided
before, by ``lib.domain.sharing``.

Who can help me — the ranking rule
----------------------------------
For one of my weak spots (an axis, by its mean score, or a criterion, by its level), among
the territories whose self-assessments I may see:

1. **Eligible**: their latest score there is at least ``MIN_LEAD`` (half a level) above mine.
   A territory level with me has little to teach me on that point.
2. **Merit** = their latest score + their progress there, where progress is the change since
   their assessment ``PROGRESS_WINDOW_DAYS`` (two years) before their latest one — or since
   their first if they have not been assessing for two years; 0 with a single assessment. A
   territory that climbed from 1 to 3 recently (merit 5) ranks above one that has sat at 4
   for years (merit 4): it remembers how it got there. A territory that slid back loses
   merit.
3. **Ties**: the higher latest score, then a territory of one of my peer groups, then the
   name — so the order never depends on the database's.
4. The first ``HELPERS_PER_SPOT`` are kept.

My weak spots are my ``WEAK_AXES`` lowest axes and ``WEAK_CRITERIA`` lowest criteria of my
latest assessment (ties in the framework's order).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

PROGRESS_WINDOW_DAYS = 730
MIN_LEAD = 0.5
HELPERS_PER_SPOT = 3
WEAK_AXES = 2
WEAK_CRITERIA = 3

# Population bands for a coordinator's comparison: (id, lowest included, highest excluded).
POPULATION_BANDS: tuple[tuple[str, int | None, int | None], ...] = (
    ("under_2k", None, 2_000),
    ("2k_10k", 2_000, 10_000),
    ("10k_50k", 10_000, 50_000),
    ("50k_200k", 50_000, 200_000),
    ("over_200k", 200_000, None),
)


def population_range(band: str) -> tuple[int | None, int | None]:
    for ident, low, high in POPULATION_BANDS:
        if ident == band:
            return low, high
    raise KeyError(band)


# --- Progress ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    latest_on: date
    latest: float
    since_on: date | None  # None: a single assessment, no change known
    change: float  # 0.0 without an earlier assessment

    @property
    def months(self) -> int | None:
        if self.since_on is None:
            return None
        return round((self.latest_on - self.since_on).days / 30.44)


def baseline(
    dated: Sequence[tuple[int, date]], window_days: int = PROGRESS_WINDOW_DAYS
) -> tuple[int, int | None]:
    """Of ``(assessment_id, date)`` pairs (oldest first): the latest one, and the one progress is
    measured from — the latest at least ``window_days`` older, else the first (None if alone)."""
    latest_id, latest_on = dated[-1]
    earlier = [ident for ident, on in dated[:-1] if (latest_on - on).days >= window_days]
    if earlier:
        return latest_id, earlier[-1]
    return latest_id, (dated[0][0] if len(dated) > 1 else None)


def progress(latest: tuple[date, float], since: tuple[date, float] | None) -> Progress:
    if since is None:
        return Progress(latest[0], latest[1], None, 0.0)
    return Progress(latest[0], latest[1], since[0], latest[1] - since[1])


# --- Who can help me -----------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    territory_id: int
    name: str
    progress: Progress
    same_group: bool

    @property
    def merit(self) -> float:
        return self.progress.latest + self.progress.change


def rank_helpers(
    mine: float | None, candidates: Iterable[Candidate], limit: int = HELPERS_PER_SPOT
) -> list[Candidate]:
    """The candidates able to help where I score ``mine``, best first (see the module's rule)."""
    floor = (mine if mine is not None else 0.0) + MIN_LEAD
    eligible = [c for c in candidates if c.progress.latest >= floor - 1e-9]
    eligible.sort(key=lambda c: (-round(c.merit, 6), -round(c.progress.latest, 6), not c.same_group, c.name))
    return eligible[:limit]


def weakest(scores: Mapping[str, float | None], order: Sequence[str], count: int) -> list[str]:
    """The ``count`` lowest rated keys of ``scores``, ties in ``order``."""
    rank = {key: i for i, key in enumerate(order)}
    rated = [k for k in order if scores.get(k) is not None]
    return sorted(rated, key=lambda k: (scores[k], rank[k]))[:count]


# --- Phases side by side -------------------------------------------------------------------

PHASE_COLUMNS = ["territory_id", "phase", "phase_order", "start", "end", "ongoing", "days", "milestones"]


def phase_periods(spans: Iterable, phase_order: Sequence[str], today: date) -> pd.DataFrame:
    """When each territory went through each phase it reached.

    ``spans`` are rows with territory_id, phase, first, milestones. A phase starts at its
    first milestone and lasts until the next reached phase starts; the last one reached is
    ongoing (until ``today``). Phases unknown to the framework are left out.
    """
    rank = {p: i for i, p in enumerate(phase_order)}
    by_territory: dict[int, list] = {}
    for s in spans:
        if s.phase in rank:
            by_territory.setdefault(s.territory_id, []).append(s)
    rows = []
    for territory_id in sorted(by_territory):
        items = sorted(by_territory[territory_id], key=lambda s: rank[s.phase])
        for i, s in enumerate(items):
            ongoing = i == len(items) - 1
            end = today if ongoing else max(s.first, items[i + 1].first)
            days = (end - s.first).days
            rows.append(
                (territory_id, s.phase, rank[s.phase], s.first, end, ongoing, days, int(s.milestones))
            )
    # Built in order, once: pandas costs more than the loop on frames this small.
    return pd.DataFrame(rows, columns=PHASE_COLUMNS)


def months(days: int) -> int:
    return round(days / 30.44)
