"""Use cases of a territory's indicators: follow catalogue or own indicators, enter values and
targets, read them against the path to the target, and the Accueil summary.

Who may do what, decided here and nowhere else:
- write (follow an indicator, enter or remove a value or a target): whoever may edit the
  territory's journey (``Action.EDIT_JOURNEY``: contributors, territory admins, coordinators);
- read: whoever the territory's sharing level for ``Kind.INDICATORS`` reaches, through the one
  sharing rule (``lib.domain.sharing.may_see``): its members always, peers or the whole network
  when it says so, coordinators.
A reader it does not reach is refused exactly like a territory that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection, Engine

from lib.access import Action, Actor, can, require, require_peer_group
from lib.domain import clock, sharing
from lib.domain import indicator_import as csv_rows
from lib.domain import indicators as domain
from lib.domain.csv_import import ImportRefused, read_file
from lib.domain.errors import FieldError, NotFound, ValidationFailed
from lib.domain.framework import Label, load_framework
from lib.domain.indicators import Catalogue, Definition, Direction, Nature, Point, Reading, Spread, Status
from lib.domain.inputs import Checks
from lib.domain.sharing import Kind
from lib.services.imports import ImportReport, Progress
from lib.services.peers import viewer_of
from lib.services.unit_of_work import reading, writing
from lib.store import indicators as store
from lib.store import peers as peers_store
from lib.store.activity import log_activity
from lib.store.territories import territory_exists

NAME_MAX = 200
DEFINITION_MAX = 2000
SOURCE_MAX = 300
COMMENT_MAX = 2000


@dataclass(frozen=True)
class Value:
    year: int
    value: float
    nature: str
    measured_on: date | None = None
    source: str = ""
    comment: str = ""


@dataclass(frozen=True)
class Target:
    year: int
    value: float


@dataclass(frozen=True)
class Indicator:
    id: int
    definition: Definition
    own: bool  # the territory's own, not from the catalogue
    values: list[Value]
    targets: list[Target]
    reading: Reading


@dataclass(frozen=True)
class Summary:
    """The Accueil's line: how many indicators in each status."""

    counts: dict[Status, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Board:
    """Everything the Indicateurs page shows for one territory (as of ``on``'s year: no value
    of a later year, the statuses read in that year)."""

    territory_id: int
    can_edit: bool
    indicators: list[Indicator]
    not_followed: list[Definition]  # the catalogue's indicators the territory could add
    catalogue_version: str

    @property
    def summary(self) -> Summary:
        counts: dict[Status, int] = {}
        for i in self.indicators:
            counts[i.reading.status] = counts.get(i.reading.status, 0) + 1
        return Summary(counts)


# --- Reading -------------------------------------------------------------------------------


def _require_reader(conn: Connection, actor: Actor | None, territory_id: int) -> None:
    if not territory_exists(conn, territory_id):
        raise NotFound(territory=territory_id)
    chosen = {r.kind: r.level for r in peers_store.levels_of(conn, [territory_id])}
    level = sharing.levels_with_defaults(chosen)[Kind.INDICATORS]
    if not sharing.may_see(viewer_of(conn, actor), territory_id, level):
        # Answered like a territory that does not exist: a refusal would say there is one.
        raise NotFound(territory=territory_id)


def _definition(row: Any, catalogue: Catalogue) -> Definition:
    if row.catalogue_id is not None:
        known = catalogue.get(row.catalogue_id)
        if known is not None:
            return known
    # A territory's own indicator, or a catalogue one the catalogue no longer lists: what the
    # row says (its name, else its id) keeps it readable.
    name = row.name or row.catalogue_id
    return Definition(
        id=row.catalogue_id or "own",
        name=Label(name, name),
        definition=Label(row.definition or "", row.definition or ""),
        unit=row.unit,
        direction=Direction(row.direction),
    )


def _indicators(
    conn: Connection, territory_id: int, catalogue: Catalogue, current_year: int
) -> list[Indicator]:
    rows = store.indicators_of(conn, territory_id)
    ids = [r.id for r in rows]
    values: dict[int, list[Value]] = {i: [] for i in ids}
    targets: dict[int, list[Target]] = {i: [] for i in ids}
    for v in store.values_of(conn, ids):
        if v.year > current_year:
            continue  # a board read as of a past day (the report's end) knows no later value
        values[v.indicator_id].append(
            Value(v.year, v.value, v.nature, v.measured_on, v.source or "", v.comment or "")
        )
    for g in store.targets_of(conn, ids):
        targets[g.indicator_id].append(Target(g.year, g.value))
    out = []
    for r in rows:
        definition = _definition(r, catalogue)
        out.append(
            Indicator(
                id=r.id,
                definition=definition,
                own=r.catalogue_id is None,
                values=values[r.id],
                targets=targets[r.id],
                reading=domain.read_indicator(
                    definition,
                    [Point(v.year, v.value) for v in values[r.id]],
                    [Point(g.year, g.value) for g in targets[r.id]],
                    current_year,
                ),
            )
        )
    return out


def board(
    engine: Engine,
    actor: Actor | None,
    territory_id: int,
    *,
    on: date | None = None,
    catalogue: Catalogue | None = None,
) -> Board:
    """The territory's indicators as of ``on`` (today by default)."""
    catalogue = catalogue or domain.load_catalogue()
    current_year = (on or clock.today()).year
    with reading(engine) as conn:
        _require_reader(conn, actor, territory_id)
        indicators = _indicators(conn, territory_id, catalogue, current_year)
    followed = {i.definition.id for i in indicators if not i.own}
    return Board(
        territory_id=territory_id,
        can_edit=can(actor, Action.EDIT_JOURNEY, territory_id),
        indicators=indicators,
        not_followed=[d for d in catalogue.indicators if d.id not in followed],
        catalogue_version=catalogue.version,
    )


def summary(engine: Engine, actor: Actor | None, territory_id: int, *, on: date | None = None) -> Summary:
    return board(engine, actor, territory_id, on=on).summary


# --- Writing -------------------------------------------------------------------------------


def _indicator_of(conn: Connection, territory_id: int, indicator_id: Any):
    row = store.indicator(conn, indicator_id) if isinstance(indicator_id, int) else None
    if row is None or row.territory_id != territory_id:
        raise NotFound(indicator=indicator_id)
    return row


def follow(engine: Engine, actor: Actor | None, territory_id: int, catalogue_id: Any) -> int:
    """Add one of the catalogue's indicators to the territory's (once)."""
    actor = require(actor, Action.EDIT_JOURNEY, territory_id)
    catalogue = domain.load_catalogue()
    checks = Checks()
    catalogue_id = checks.one_of("catalogue_id", catalogue_id, [d.id for d in catalogue.indicators])
    checks.done()
    definition = catalogue.get(catalogue_id)
    with writing(engine) as conn:
        if store.follows(conn, territory_id, catalogue_id):
            checks.fail("catalogue_id", "indicators.error.already_followed")
            checks.done()
        new_id = store.add_indicator(
            conn,
            territory_id=territory_id,
            catalogue_id=catalogue_id,
            name=None,
            definition=None,
            unit=definition.unit,
            direction=definition.direction.value,
            person_id=actor.person_id,
        )
        _journal(conn, actor, territory_id, "indicator.added", new_id, {"catalogue_id": catalogue_id})
    return new_id


def add_own(
    engine: Engine,
    actor: Actor | None,
    territory_id: int,
    *,
    name: Any,
    unit: Any,
    direction: Any,
    definition: Any = "",
) -> int:
    """Add an indicator of the territory's own."""
    actor = require(actor, Action.EDIT_JOURNEY, territory_id)
    checks = Checks()
    name = checks.text("name", name, required=True, max_length=NAME_MAX)
    unit = checks.one_of("unit", unit, list(domain.UNITS))
    direction = checks.one_of("direction", direction, [d.value for d in Direction])
    definition = checks.text("definition", definition, max_length=DEFINITION_MAX)
    checks.done()
    with writing(engine) as conn:
        new_id = store.add_indicator(
            conn,
            territory_id=territory_id,
            catalogue_id=None,
            name=name,
            definition=definition or None,
            unit=unit,
            direction=direction,
            person_id=actor.person_id,
        )
        _journal(conn, actor, territory_id, "indicator.added", new_id, {"own": True})
    return new_id


def _figure(checks: Checks, field_name: str, typed: Any, unit: str) -> float | None:
    """A figure as typed (French notation welcome), within what the unit allows."""
    if typed is None or (isinstance(typed, str) and not typed.strip()):
        checks.fail(field_name, "error.required")
        return None
    value = domain.parse_number(typed)
    problem = domain.value_problem(value, unit)
    if problem is not None:
        checks.fail(field_name, problem[0], **problem[1])
        return None
    return value


def _year(checks: Checks, typed: Any) -> int | None:
    if typed is None or (isinstance(typed, str) and not typed.strip()):
        checks.fail("year", "error.required")
        return None
    year = domain.parse_year(typed)
    if year is None:
        checks.fail("year", domain.BAD_YEAR, first=domain.FIRST_YEAR, last=domain.LAST_YEAR)
    return year


def save_value(
    engine: Engine,
    actor: Actor | None,
    territory_id: int,
    indicator_id: int,
    *,
    year: Any,
    value: Any,
    nature: Any = Nature.MEASURED.value,
    source: Any = "",
    comment: Any = "",
    measured_on: Any = None,
) -> int:
    """Record (or replace) the indicator's value for a year. ``measured_on``, when given, is
    the day the figure describes, and its year is the value's year."""
    actor = require(actor, Action.EDIT_JOURNEY, territory_id)
    with writing(engine) as conn:
        row = _indicator_of(conn, territory_id, indicator_id)
        checks = Checks()
        day = checks.day("measured_on", measured_on, required=False)
        the_year = day.year if day is not None else _year(checks, year)
        if the_year is not None and the_year > clock.today().year:
            # A value measures what happened; a future year is a target (or a slip of the keys).
            checks.fail("measured_on" if day is not None else "year", "indicators.error.future_year")
        if day is not None and not domain.FIRST_YEAR <= day.year <= domain.LAST_YEAR:
            checks.fail("measured_on", domain.BAD_YEAR, first=domain.FIRST_YEAR, last=domain.LAST_YEAR)
        figure = _figure(checks, "value", value, row.unit)
        nature = checks.one_of("nature", nature, [n.value for n in Nature])
        source = checks.text("source", source, max_length=SOURCE_MAX)
        comment = checks.text("comment", comment, max_length=COMMENT_MAX)
        checks.done()
        saved = store.save_value(
            conn,
            row.id,
            year=the_year,
            value=figure,
            nature=nature,
            measured_on=day,
            source=source,
            comment=comment,
            person_id=actor.person_id,
        )
        _journal(conn, actor, territory_id, "indicator.value_saved", row.id, {"year": the_year})
    return saved


def save_target(
    engine: Engine, actor: Actor | None, territory_id: int, indicator_id: int, *, year: Any, value: Any
) -> int:
    """Record (or replace) the indicator's target for a year."""
    actor = require(actor, Action.EDIT_JOURNEY, territory_id)
    with writing(engine) as conn:
        row = _indicator_of(conn, territory_id, indicator_id)
        checks = Checks()
        the_year = _year(checks, year)
        figure = _figure(checks, "value", value, row.unit)
        checks.done()
        saved = store.save_target(conn, row.id, year=the_year, value=figure, person_id=actor.person_id)
        _journal(conn, actor, territory_id, "indicator.target_saved", row.id, {"year": the_year})
    return saved


def remove_value(
    engine: Engine, actor: Actor | None, territory_id: int, indicator_id: int, year: int
) -> None:
    """Take back the indicator's value of ``year``, entered by mistake; the journal keeps who did."""
    _remove(engine, actor, territory_id, indicator_id, year, store.remove_value, "indicator.value_removed")


def remove_target(
    engine: Engine, actor: Actor | None, territory_id: int, indicator_id: int, year: int
) -> None:
    """Take back the indicator's target of ``year``, entered by mistake; the journal keeps who did."""
    _remove(engine, actor, territory_id, indicator_id, year, store.remove_target, "indicator.target_removed")


def _remove(engine, actor, territory_id, indicator_id, year, remove, action: str) -> None:
    actor = require(actor, Action.EDIT_JOURNEY, territory_id)
    with writing(engine) as conn:
        row = _indicator_of(conn, territory_id, indicator_id)
        if not remove(conn, row.id, year):
            raise NotFound(year=year)
        _journal(conn, actor, territory_id, action, row.id, {"year": year})


# --- CSV import ----------------------------------------------------------------------------


def model_file() -> bytes:
    return csv_rows.model_file()


def import_csv(
    engine: Engine, actor: Actor | None, territory_id: int, data: Any, *, progress: Progress | None = None
) -> ImportReport:
    """Check every row of ``data`` (values and targets of indicators the territory follows),
    then write them all — a year already entered is replaced — or none when any row is wrong.

    Raises ``ImportRefused`` when the file itself cannot be read; returns the report otherwise,
    ``applied`` saying whether it was written. Rows are checked inside the transaction that
    writes them: an indicator cannot vanish in between.
    """
    actor = require(actor, Action.EDIT_JOURNEY, territory_id)
    if not isinstance(data, bytes):
        raise ImportRefused("import.error.file")
    parsed = read_file(data, csv_rows.COLUMNS, csv_rows.REQUIRED)
    total = len(parsed.records)
    if not total:
        raise ImportRefused("import.error.no_rows")
    report = ImportReport("indicators", total, parsed.encoding, parsed.separator)
    tell = progress or (lambda done, stage: None)
    with writing(engine) as conn:
        followed = csv_rows.followed_names(
            [(r.id, r.catalogue_id, r.name, r.unit) for r in store.indicators_of(conn, territory_id)]
        )
        seen: dict[tuple, int] = {}
        rows = []
        for record in parsed.records:
            values, problems = csv_rows.check_row(record, followed, seen, clock.today().year)
            rows.append(values)
            report.problems.extend(problems)
        tell(0.5, "check")
        if report.problems:
            tell(1.0, "check")
            return report
        for index, row in enumerate(rows):
            if row["kind"] == "target":
                store.save_target(
                    conn, row["indicator_id"], year=row["year"], value=row["value"], person_id=actor.person_id
                )
            else:
                store.save_value(
                    conn,
                    row["indicator_id"],
                    year=row["year"],
                    value=row["value"],
                    nature=row["nature"],
                    measured_on=None,
                    source=row["source"],
                    comment=row["comment"],
                    person_id=actor.person_id,
                )
            if index % 250 == 0:
                tell(0.5 + index / total / 2, "write")
        log_activity(
            conn,
            person_id=actor.person_id,
            territory_id=territory_id,
            action="indicator.imported",
            details={"rows": total},
        )
    report.applied = True
    tell(1.0, "write")
    return report


# --- Among peers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PeerFigure:
    territory_id: int
    name: str
    year: int
    value: float  # per PER_INHABITANTS[unit] inhabitants
    own: bool = False


@dataclass(frozen=True)
class PeerSpread:
    """One catalogue indicator per inhabitant across a peer group, under the sharing rules of
    the comparison page: named figures only where the reader may see them, the others counted
    without a name, and no spread at all under ``sharing.MIN_TERRITORIES`` territories."""

    definition: Definition
    per: int  # figures are per this many inhabitants
    named: list[PeerFigure]
    spread: Spread | None
    counted: int
    unnamed: int


def among_peers(
    engine: Engine,
    actor: Actor | None,
    territory_id: int,
    group_id: int,
    catalogue_id: str,
    *,
    on: date | None = None,
) -> PeerSpread:
    """The latest recent value per inhabitant of each territory of a peer group, as far as each
    shares its indicators with this reader (``Kind.INDICATORS``)."""
    catalogue = domain.load_catalogue()
    definition = catalogue.get(catalogue_id) if isinstance(catalogue_id, str) else None
    if definition is None or not definition.per_inhabitant:
        raise ValidationFailed({"catalogue_id": FieldError("error.invalid_value")})
    since = (on or clock.today()).year - domain.RECENT_YEARS
    with reading(engine) as conn:
        if not (actor is not None and actor.is_coordinator):
            require(actor, Action.VIEW_TERRITORY, territory_id)
        ids = peers_store.group_member_ids(conn, group_id)
        require_peer_group(actor, territory_id, ids)
        viewer = viewer_of(conn, actor)
        rows = peers_store.territories_with_level(
            conn, Kind.INDICATORS, sharing.DEFAULT_LEVELS[Kind.INDICATORS], ids
        )
        latest = {r.territory_id: r for r in store.latest_values(conn, catalogue_id, ids, since)}
    figures: dict[int, PeerFigure] = {}
    for r in rows:
        found = latest.get(r.id)
        value = None if found is None else domain.per_inhabitants(found.value, r.population, definition.unit)
        if value is not None:
            figures[r.id] = PeerFigure(r.id, r.name, found.year, value, own=r.id == territory_id)
    members = sharing.aggregate_members(viewer, {r.id: r.level for r in rows}, with_data=list(figures))
    return PeerSpread(
        definition=definition,
        per=domain.PER_INHABITANTS[definition.unit],
        named=[figures[i] for i in members.named],
        spread=domain.spread(figures[i].value for i in members.counted) if members.shown else None,
        counted=len(members.counted),
        unnamed=len(members.unnamed),
    )


# --- What the app already knows ------------------------------------------------------------


@dataclass(frozen=True)
class AppFigures:
    years: list[domain.AppYear]
    pivot_roles: int  # how many pivot hats there are to cover


def app_figures(engine: Engine, actor: Actor | None, territory_id: int) -> AppFigures:
    """Engagement figures Parcours computes from what the territory did in it: milestones per
    year, campaigns and responses per campaign, pivot roles covered. For the territory's members
    (counts only: no answer, no name)."""
    require(actor, Action.VIEW_TERRITORY, territory_id)
    framework = load_framework()
    pivots = [r.id for r in framework.stakeholder_roles if r.flag]
    with reading(engine) as conn:
        milestones = {int(r.year): r.milestones for r in store.milestones_by_year(conn, territory_id)}
        campaigns = {int(r.year): r.campaigns for r in store.campaigns_by_year(conn, territory_id)}
        responses = [
            (int(r.year), r.role, r.responses) for r in store.responses_by_year_and_role(conn, territory_id)
        ]
    return AppFigures(domain.app_years(milestones, campaigns, responses, pivots), len(pivots))


def _journal(conn, actor: Actor, territory_id: int, action: str, indicator_id: int, details: dict) -> None:
    """Who changed which indicator of which territory, in the activity log."""
    log_activity(
        conn,
        person_id=actor.person_id,
        territory_id=territory_id,
        action=action,
        subject_type="indicator",
        subject_id=indicator_id,
        details=details,
    )
