"""Indicators: the network's catalogue (``data/indicators.yaml``), figures typed in French, and
the rules that read a territory's values against its targets. Pure: no SQL, no Streamlit.

The trajectory
--------------
The *path* is the straight line from the *baseline* — the territory's first value — to its
first target after that year, then on from target to target (a 2026 step, then the 2030
objective). After the last target the path stays at that target. A year before the baseline
has no path.

For a value, the *gap to the path* is ``value - path(year)``; whether a gap is good news depends
on the indicator's direction (for emissions, below the path is ahead).

The *year-on-year change* compares a value with the previous value entered, whatever the
years in between: 2019 then 2021 reads "-10 since 2019" (a missing year is not invented).

The status, for the Accueil summary:
- ``no_recent_value``: no value at all, or the latest is older than ``RECENT_YEARS`` years
  before the current year (official statistics come out one to two years late);
- ``reached``: the latest value is at or beyond the last target, in the direction of progress;
- ``no_target``: values but no target after the baseline: nothing to be on track for;
- ``on_track``: the latest value is on the path or ahead of it;
- ``off_track``: behind the path.
A single value (the baseline itself) is on its path: it is where the path starts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from lib.domain import formats
from lib.domain.framework import Framework, Label, load_framework

CATALOGUE_PATH = Path(__file__).resolve().parents[2] / "data" / "indicators.yaml"

# A value whose year is older than this many years before the current year is not recent.
RECENT_YEARS = 3
# Years a value or a target may be given for.
FIRST_YEAR = 1990
LAST_YEAR = 2100
# Beyond this, a figure is a typing slip, not a measure (and floats lose their units).
LARGEST = 1e12

_ID = re.compile(r"^[a-z][a-z0-9_]{1,59}$")


class Direction(StrEnum):
    INCREASE = "increase"  # more is progress
    DECREASE = "decrease"  # less is progress


class Nature(StrEnum):
    MEASURED = "measured"
    ESTIMATED = "estimated"


class Status(StrEnum):
    ON_TRACK = "on_track"
    REACHED = "reached"
    OFF_TRACK = "off_track"
    NO_RECENT_VALUE = "no_recent_value"
    NO_TARGET = "no_target"


@dataclass(frozen=True)
class Unit:
    id: str
    label: Label
    minimum: float | None  # None: no bound (net emissions can be negative)
    maximum: float | None


UNITS: dict[str, Unit] = {
    u.id: u
    for u in (
        Unit("t_co2e", Label("t CO₂e", "t CO₂e"), None, LARGEST),
        Unit("mwh", Label("MWh", "MWh"), 0, LARGEST),
        Unit("dwellings", Label("logements", "homes"), 0, LARGEST),
        Unit("km", Label("km", "km"), 0, LARGEST),
        Unit("percent", Label("%", "%"), 0, 100),
        Unit("count", Label("nombre", "number"), 0, LARGEST),
        Unit("people", Label("personnes", "people"), 0, LARGEST),
    )
}


class CatalogueError(ValueError):
    """The catalogue file is broken; the message names the file and the faulty key."""


@dataclass(frozen=True)
class Definition:
    """What an indicator is: from the catalogue, or a territory's own."""

    id: str  # catalogue id, or "own" for a territory's own indicator
    name: Label
    definition: Label
    unit: str
    direction: Direction
    axis_id: str | None = None
    value_dimension: str | None = None
    per_inhabitant: bool = False
    source: Label | None = None
    adapt: bool = False

    def better(self, a: float, b: float) -> bool:
        """Is ``a`` at least as good as ``b`` in the direction of progress? (A path computed
        between two corners is a float: a value on it to the ninth digit counts as on it.)"""
        slack = 1e-9 * max(1.0, abs(b))
        return a >= b - slack if self.direction == Direction.INCREASE else a <= b + slack


@dataclass(frozen=True)
class Catalogue:
    version: str
    indicators: tuple[Definition, ...]

    def get(self, indicator_id: str) -> Definition | None:
        return next((d for d in self.indicators if d.id == indicator_id), None)


def _fail(file: str, key: str, problem: str) -> CatalogueError:
    return CatalogueError(f"{file} : « {key} » : {problem}")


def _label(node: Any, key: str, where: str, file: str) -> Label:
    value = node.get(key) if isinstance(node, dict) else None
    if not isinstance(value, dict):
        raise _fail(file, f"{where}.{key}", "texte manquant (fr et en attendus)")
    for lang in ("fr", "en"):
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            raise _fail(file, f"{where}.{key}.{lang}", "texte manquant")
    return Label(fr=value["fr"].strip(), en=value["en"].strip())


def parse_catalogue(
    data: Any, file: str = "indicators.yaml", framework: Framework | None = None
) -> Catalogue:
    """Check every indicator of the catalogue; the first problem names the file and the key."""
    framework = framework or load_framework()
    if not isinstance(data, dict):
        raise _fail(file, "(racine)", "le fichier doit contenir un dictionnaire YAML")
    version = data.get("version")
    if version in (None, ""):
        raise _fail(file, "version", "clé manquante")
    nodes = data.get("indicators")
    if not isinstance(nodes, list) or not nodes:
        raise _fail(file, "indicators", "doit être une liste non vide")
    axes = {a.id for a in framework.axes}
    dimensions = {d.id for d in framework.value_dimensions}
    seen: set[str] = set()
    out = []
    for i, node in enumerate(nodes):
        where = f"indicators[{i}]"
        if not isinstance(node, dict):
            raise _fail(file, where, "doit être un dictionnaire")
        ident = node.get("id")
        if not isinstance(ident, str) or not _ID.match(ident):
            raise _fail(file, f"{where}.id", f"identifiant invalide {ident!r} (minuscules, chiffres, _)")
        where = f"indicators[{i}] ({ident})"
        if ident in seen:
            raise _fail(file, f"{where}.id", "identifiant en double")
        seen.add(ident)
        unit = node.get("unit")
        if unit not in UNITS:
            raise _fail(file, f"{where}.unit", f"unité inconnue {unit!r} ; attendues : {', '.join(UNITS)}")
        direction = node.get("direction")
        if direction not in {d.value for d in Direction}:
            raise _fail(
                file, f"{where}.direction", f"sens inconnu {direction!r} ; attendus : increase, decrease"
            )
        documents = node.get("documents")
        if not isinstance(documents, dict) or len(documents) != 1:
            raise _fail(
                file, f"{where}.documents", "un axe (axis) ou une dimension de valeur (value_dimension)"
            )
        axis_id = documents.get("axis")
        dimension = documents.get("value_dimension")
        if axis_id is not None and axis_id not in axes:
            raise _fail(file, f"{where}.documents.axis", f"axe inconnu du référentiel {axis_id!r}")
        if dimension is not None and dimension not in dimensions:
            raise _fail(
                file, f"{where}.documents.value_dimension", f"dimension inconnue du référentiel {dimension!r}"
            )
        if axis_id is None and dimension is None:
            raise _fail(
                file, f"{where}.documents", "un axe (axis) ou une dimension de valeur (value_dimension)"
            )
        for flag in ("per_inhabitant", "adapt"):
            if not isinstance(node.get(flag), bool):
                raise _fail(file, f"{where}.{flag}", "true ou false attendu")
        out.append(
            Definition(
                id=ident,
                name=_label(node, "name", where, file),
                definition=_label(node, "definition", where, file),
                unit=unit,
                direction=Direction(direction),
                axis_id=axis_id,
                value_dimension=dimension,
                per_inhabitant=node["per_inhabitant"],
                source=_label(node, "source", where, file),
                adapt=node["adapt"],
            )
        )
    return Catalogue(version=str(version), indicators=tuple(out))


def load_catalogue_file(path: Path, framework: Framework | None = None) -> Catalogue:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path.name} : YAML illisible : {exc}") from exc
    return parse_catalogue(data, path.name, framework)


@cache
def load_catalogue() -> Catalogue:
    """The network's catalogue; the same for every user, read once per process."""
    return load_catalogue_file(CATALOGUE_PATH)


# --- Figures as people type them ------------------------------------------------------------

NOT_A_NUMBER = "indicators.error.not_a_number"
BELOW_MINIMUM = "indicators.error.below_minimum"
ABOVE_MAXIMUM = "indicators.error.above_maximum"
BAD_YEAR = "indicators.error.year"

# Thousands separators a French text may hold: space, no-break space, narrow no-break space.
_SPACES = re.compile(r"[ \u00a0\u202f\u2009]")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d+)?|[.,]\d+)$")


def parse_number(text: Any) -> float | None:
    """A figure typed in French (``12 345,6``, ``-3,2``) or with a decimal point (``12345.6``).

    Returns None when it is not a number a person meant: empty, letters, two decimal marks,
    "1.234,5", infinity, NaN. A number already (from a CSV reader or a test) passes as it is.
    """
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        value = float(text)
        return value if math.isfinite(value) else None
    if not isinstance(text, str):
        return None
    compact = _SPACES.sub("", text.strip())
    if not _NUMBER.match(compact):
        return None
    value = float(compact.replace(",", "."))
    return value if math.isfinite(value) else None


def value_problem(value: float | None, unit: str) -> tuple[str, dict] | None:
    """Why this parsed figure cannot be a value in ``unit`` (a translation key and its
    parameters), or None when it can."""
    if value is None:
        return NOT_A_NUMBER, {}
    bounds = UNITS[unit]
    low = bounds.minimum if bounds.minimum is not None else -LARGEST
    if value < low:
        return BELOW_MINIMUM, {"minimum": low}
    if value > (bounds.maximum or LARGEST):
        return ABOVE_MAXIMUM, {"maximum": bounds.maximum}
    return None


def parse_year(text: Any) -> int | None:
    """A year between FIRST_YEAR and LAST_YEAR, typed or given; None otherwise."""
    if isinstance(text, bool):
        return None
    if isinstance(text, str):
        text = text.strip()
        if not text.isdigit():
            return None
        text = int(text)
    if isinstance(text, int) and FIRST_YEAR <= text <= LAST_YEAR:
        return text
    return None


# --- Trajectory ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    year: int
    value: float


@dataclass(frozen=True)
class YearRow:
    """One value read against the path: what the table under the chart shows."""

    year: int
    value: float
    path: float | None  # the path's value that year (None before the baseline)
    gap: float | None  # value - path
    change: float | None  # value - the previous value
    since: int | None  # the previous value's year


@dataclass(frozen=True)
class Reading:
    status: Status
    baseline: Point | None
    path: tuple[Point, ...]  # the path's corners: baseline, then each later target
    rows: tuple[YearRow, ...]
    latest: YearRow | None
    target: Point | None  # the target the path is heading to now (the next one, else the last)


def _by_year(points: Iterable[Point]) -> list[Point]:
    """One point per year (the last one given wins), oldest first."""
    return sorted({p.year: p for p in points}.values(), key=lambda p: p.year)


def path_corners(values: Sequence[Point], targets: Sequence[Point]) -> tuple[Point, ...]:
    """The baseline (first value) then every target after its year; empty without a value."""
    values = _by_year(values)
    if not values:
        return ()
    baseline = values[0]
    return (baseline, *[t for t in _by_year(targets) if t.year > baseline.year])


def path_at(corners: Sequence[Point], year: int) -> float | None:
    """The path's value in ``year``: straight between corners, flat after the last."""
    if not corners or year < corners[0].year:
        return None
    for a, b in pairwise(corners):
        if year <= b.year:
            return a.value + (b.value - a.value) * (year - a.year) / (b.year - a.year)
    return corners[-1].value


def read_indicator(
    definition: Definition, values: Sequence[Point], targets: Sequence[Point], current_year: int
) -> Reading:
    """Every value against the path, and the indicator's status in ``current_year``."""
    ordered = _by_year(values)
    corners = path_corners(ordered, targets)
    rows = []
    previous: Point | None = None
    for p in ordered:
        # Without a target there is no path: a flat line at the baseline would be invented.
        on_path = path_at(corners, p.year) if len(corners) > 1 else None
        rows.append(
            YearRow(
                year=p.year,
                value=p.value,
                path=on_path,
                gap=None if on_path is None else p.value - on_path,
                change=None if previous is None else p.value - previous.value,
                since=None if previous is None else previous.year,
            )
        )
        previous = p
    latest = rows[-1] if rows else None
    later = list(corners[1:])
    target = None
    if latest is not None and later:
        target = next((c for c in later if c.year > latest.year), later[-1])
    return Reading(
        status=_status(definition, latest, later, current_year),
        baseline=corners[0] if corners else None,
        path=corners,
        rows=tuple(rows),
        latest=latest,
        target=target,
    )


def _status(
    definition: Definition, latest: YearRow | None, targets: list[Point], current_year: int
) -> Status:
    if latest is None or latest.year < current_year - RECENT_YEARS:
        return Status.NO_RECENT_VALUE
    if not targets:
        return Status.NO_TARGET
    if definition.better(latest.value, targets[-1].value):
        return Status.REACHED
    assert latest.path is not None  # a value's year is never before the baseline
    return Status.ON_TRACK if definition.better(latest.value, latest.path) else Status.OFF_TRACK


# Per inhabitant, or per 1,000 inhabitants where one inhabitant's share would read 0,00.
PER_INHABITANTS = {"t_co2e": 1, "mwh": 1, "dwellings": 1000, "km": 1000, "count": 1000, "people": 1000}


def per_inhabitants(value: float, population: int | None, unit: str) -> float | None:
    """A value for ``PER_INHABITANTS[unit]`` inhabitants (None without a population)."""
    if not population or population <= 0 or unit not in PER_INHABITANTS:
        return None
    return value * PER_INHABITANTS[unit] / population


@dataclass(frozen=True)
class Spread:
    """Where a figure sits among territories: quartiles by linear interpolation between ranks
    (pandas' and spreadsheets' default, so a recount in a spreadsheet gives the same)."""

    count: int
    minimum: float
    q1: float
    median: float
    q3: float
    maximum: float


def _quantile(ordered: Sequence[float], q: float) -> float:
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def spread(values: Iterable[float]) -> Spread | None:
    ordered = sorted(values)
    if not ordered:
        return None
    return Spread(
        count=len(ordered),
        minimum=ordered[0],
        q1=_quantile(ordered, 0.25),
        median=_quantile(ordered, 0.5),
        q3=_quantile(ordered, 0.75),
        maximum=ordered[-1],
    )


def trajectory_frames(
    values: Sequence[tuple[int, float, str]],
    reading: Reading,
    targets: Sequence[Point],
    natures: dict[str, str],
    lang: str,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """What ``lib.render.charts.trajectory_chart`` draws, for the screen and the printed report:
    values (year, value, nature as ``natures`` names it, shown), the path's corners (none for a
    baseline alone) and the targets (year, value, shown)."""
    frame = pd.DataFrame(
        [
            {"year": year, "value": value, "nature": natures[nature], "shown": formats.figure(value, lang)}
            for year, value, nature in values
        ],
        columns=["year", "value", "nature", "shown"],
    )
    path = pd.DataFrame(
        [{"year": p.year, "value": p.value} for p in reading.path] if len(reading.path) > 1 else [],
        columns=["year", "value"],
    )
    goals = pd.DataFrame(
        [{"year": g.year, "value": g.value, "shown": formats.figure(g.value, lang)} for g in targets],
        columns=["year", "value", "shown"],
    )
    return frame, path, goals


# --- Figures the app already knows ------------------------------------------------------------


@dataclass(frozen=True)
class AppYear:
    """One year of what Parcours itself recorded for a territory."""

    year: int
    milestones: int
    campaigns: int
    responses: int
    roles_covered: int  # how many of the framework's four pivot hats ("4 Fantastiques") answered

    @property
    def responses_per_campaign(self) -> float | None:
        return self.responses / self.campaigns if self.campaigns else None


def app_years(
    milestones: dict[int, int],
    campaigns: dict[int, int],
    responses: Iterable[tuple[int, str, int]],
    pivot_roles: Iterable[str],
) -> list[AppYear]:
    """Per year, oldest first: milestones told, campaigns opened, responses to them and the
    pivot roles among their respondents. A year with none of these is left out."""
    pivots = set(pivot_roles)
    answered: dict[int, int] = {}
    hats: dict[int, set[str]] = {}
    for year, role, count in responses:
        answered[year] = answered.get(year, 0) + count
        if role in pivots and count:
            hats.setdefault(year, set()).add(role)
    years = sorted(set(milestones) | set(campaigns) | set(answered))
    return [
        AppYear(
            year=y,
            milestones=milestones.get(y, 0),
            campaigns=campaigns.get(y, 0),
            responses=answered.get(y, 0),
            roles_covered=len(hats.get(y, ())),
        )
        for y in years
    ]
