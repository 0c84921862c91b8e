"""Reports: the *Rapport de parcours* of one territory over a period, and the coordinators'
*Rapport de réseau*, as data, then as PDF.

Rights and sharing are decided here, never by the document:

- only someone who may open the territory's journey (``VIEW_TERRITORY``: its members and the
  network's coordinators) may build its report; the stakeholders' section needs
  ``VIEW_RESULTS`` as well;
- a report leaves the app (printed, mailed, handed to a council), so what it says of *other*
  territories is what any member of this territory may see, whoever builds it: the peers'
  section is read as a reader of the territory (``_territory_reader``) through
  ``lib.services.peers``, where the one sharing rule (``lib.domain.sharing``) names a peer only
  where it shares, and counts the others only in aggregates large enough to hide them. A
  coordinator building the report does not add the names only coordinators may see;
- stakeholders' results come from ``lib.services.feedback.results`` for the period, with the
  anonymity rule of decision 0010 (roles too small to hide in are pooled, free texts of pooled
  roles sorted).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine

from lib.access import Action, Actor, Membership, Role, can, require
from lib.domain import clock
from lib.domain import journey as journey_domain
from lib.domain.errors import NotFound
from lib.domain.framework import Framework, load_framework
from lib.domain.inputs import Checks
from lib.i18n import LANGUAGES
from lib.services import feedback, indicators, peers, steering
from lib.services.journey import AxisPoint, Milestone, milestone_of
from lib.services.unit_of_work import reading
from lib.store import journey as journey_store
from lib.store import peers as peers_store
from lib.store import reports as store
from lib.store.territories import list_territories

# How many criteria the "moved most" table lists.
MOVERS = 6

Progress = Callable[[float, str], None]  # (share done, translation key of the step)


class Section(StrEnum):
    """The parts of the report a person may choose; the cover and contents always come."""

    STANDING = "standing"  # where we stand: radar, table, trajectories, criteria that moved
    JOURNEY = "journey"  # phases and milestones, stories of the period
    INDICATORS = "indicators"  # figures on the ground against their targets (issue 18)
    FEEDBACK = "feedback"  # what the stakeholders said
    PEERS = "peers"  # among peers
    ANNEX = "annex"  # the framework, and how each figure is computed


@dataclass(frozen=True)
class TerritoryCard:
    id: int
    slug: str
    name: str
    kind: str
    region: str | None


@dataclass(frozen=True)
class AssessmentSnapshot:
    id: int
    assessed_on: date
    axis_scores: dict[str, float | None]
    levels: dict[str, int | None]  # by criterion


@dataclass(frozen=True)
class CriterionMove:
    criterion_id: str
    axis_id: str
    before: int
    after: int

    @property
    def change(self) -> int:
        return self.after - self.before


@dataclass
class CampaignReport:
    campaign: feedback.Campaign
    results: feedback.Results


@dataclass
class PeerGroupReport:
    group: peers.Group
    comparison: peers.Comparison


@dataclass
class JourneyReport:
    territory: TerritoryCard
    start: date | None  # None: since the beginning
    end: date
    lang: str
    generated_on: date
    sections: tuple[Section, ...]
    latest: AssessmentSnapshot | None = None
    previous: AssessmentSnapshot | None = None
    history: list[AxisPoint] = field(default_factory=list)
    movers: list[CriterionMove] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)  # the whole journey up to ``end``
    stories: list[Milestone] = field(default_factory=list)  # the milestones of the period
    campaigns: list[CampaignReport] = field(default_factory=list)
    indicators: list[indicators.Indicator] = field(default_factory=list)  # as of ``end``
    peer_groups: list[PeerGroupReport] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """Nothing assessed, told or asked yet: the report says so in a few lines."""
        return self.latest is None and not self.milestones and not self.campaigns and not self.indicators

    def within(self, day: date) -> bool:
        return (self.start is None or day >= self.start) and day <= self.end


def _territory_reader(actor: Actor, territory_id: int) -> Actor:
    """The actor as a plain reader of the territory: what the report may say of others."""
    return Actor(
        person_id=actor.person_id,
        email=actor.email,
        display_name=actor.display_name,
        memberships=(Membership(territory_id, Role.READER),),
    )


def _check(territory_id, start, end, lang, sections) -> tuple:
    checks = Checks()
    territory_id = checks.record_id("territory_id", territory_id)
    start = checks.day("start", start, required=False)
    end = checks.day("end", end, required=False)
    lang = checks.one_of("lang", lang, LANGUAGES)
    chosen = tuple(checks.one_of("sections", s, [x.value for x in Section]) for s in sections)
    if start is not None and end is not None and end < start:
        checks.fail("end", "report.error.end_before_start")
    checks.done()
    return territory_id, start, end, lang, tuple(Section(s) for s in Section if s.value in chosen)


def _snapshot(conn, framework: Framework, row) -> AssessmentSnapshot:
    levels = {s.criterion_id: s.level for s in journey_store.scores_of(conn, [row.id])}
    scores = {cid: journey_domain.CriterionScore(level=lv) for cid, lv in levels.items()}
    return AssessmentSnapshot(row.id, row.assessed_on, journey_domain.axis_scores(framework, scores), levels)


def criteria_moves(
    framework: Framework, latest: AssessmentSnapshot, previous: AssessmentSnapshot, count: int = MOVERS
) -> list[CriterionMove]:
    """The criteria whose level changed most between two assessments, biggest change first
    (rises before falls of the same size, then the framework's order)."""
    moves = []
    for c in framework.criteria:
        before, after = previous.levels.get(c.id), latest.levels.get(c.id)
        if before is not None and after is not None and before != after:
            moves.append(CriterionMove(c.id, c.axis_id, before, after))
    order = {c.id: i for i, c in enumerate(framework.criteria)}
    moves.sort(key=lambda m: (-abs(m.change), -m.change, order[m.criterion_id]))
    return moves[:count]


def journey_report(
    engine: Engine,
    actor: Actor | None,
    territory_id: int,
    *,
    start: date | None = None,
    end: date | None = None,
    lang: str = "fr",
    sections: Iterable[Section | str] = tuple(Section),
    framework: Framework | None = None,
    progress: Progress | None = None,
    today: date | None = None,
) -> JourneyReport:
    """What the Rapport de parcours of ``territory_id`` says, for ``start``–``end`` (days
    included; ``start`` None: since the beginning, ``end`` None: today)."""
    require(actor, Action.VIEW_TERRITORY, territory_id)
    territory_id, start, end, lang, chosen = _check(territory_id, start, end, lang, sections)
    today = today or clock.today()
    end = end or today
    framework = framework or load_framework()
    step = progress or (lambda share, key: None)
    step(0.05, "report.progress.journey")
    with reading(engine) as conn:
        rows = list_territories(conn, [territory_id])
        if not rows:
            raise NotFound(territory_id=territory_id)
        row = rows[0]
        report = JourneyReport(
            territory=TerritoryCard(row.id, row.slug, row.name, row.kind, row.region),
            start=start,
            end=end,
            lang=lang,
            generated_on=today,
            sections=chosen,
        )
        two = store.submitted_until(conn, territory_id, end, status=journey_domain.Status.SUBMITTED)
        if two:
            report.latest = _snapshot(conn, framework, two[0])
        if len(two) > 1:
            report.previous = _snapshot(conn, framework, two[1])
        mapping = journey_domain.criterion_axis_map(framework)
        report.history = [
            AxisPoint(p.assessment_id, p.assessed_on, p.axis_id, p.score)
            for p in journey_store.axis_scores(conn, mapping, territory_id=territory_id)
            if report.within(p.assessed_on)
        ]
        milestones = journey_store.list_milestones(conn, territory_id)
    report.milestones = [m for m in (milestone_of(r) for r in milestones) if m.occurred_on <= end]
    report.stories = [m for m in report.milestones if report.within(m.occurred_on)]
    if report.latest is not None and report.previous is not None:
        report.movers = criteria_moves(framework, report.latest, report.previous)
    if Section.INDICATORS in chosen:
        report.indicators = indicators.board(engine, actor, territory_id, on=end).indicators
    if Section.FEEDBACK in chosen and can(actor, Action.VIEW_RESULTS, territory_id):
        step(0.2, "report.progress.feedback")
        report.campaigns = _campaigns(engine, actor, territory_id, start, end)
    if Section.PEERS in chosen:
        step(0.4, "report.progress.peers")
        report.peer_groups = _peer_groups(engine, _territory_reader(actor, territory_id), framework)
    return report


def _campaigns(
    engine: Engine, actor: Actor, territory_id: int, start: date | None, end: date
) -> list[CampaignReport]:
    """The territory's own campaigns open at some point of the period, oldest first, each with
    its results for the period (the anonymity rule applies to the period, as on screen)."""
    campaigns = [
        c
        for c in feedback.results_campaigns(engine, actor, territory_ids=[territory_id])
        if c.territory_id == territory_id and c.opens_on <= end and (start is None or c.closes_on >= start)
    ]
    campaigns.sort(key=lambda c: (c.opens_on, c.id))
    return [CampaignReport(c, feedback.results(engine, actor, c.id, start=start, end=end)) for c in campaigns]


def _peer_groups(engine: Engine, reader: Actor, framework: Framework) -> list[PeerGroupReport]:
    territory_id = reader.territory_ids[0]
    groups = peers.comparison_groups(engine, reader, territory_id)
    return [
        PeerGroupReport(
            g,
            peers.compare(
                engine,
                reader,
                territory_id,
                peers.Scope(group_id=g.id),
                framework,
                sections=[peers.Section.POSITION],
            ),
        )
        for g in groups
    ]


# --- The document --------------------------------------------------------------------------


def file_name(report: JourneyReport) -> str:
    """``rapport-parcours_<territoire>_<début>_<fin>_<langue>.pdf``: what, where, when, which language."""
    english = report.lang == "en"
    prefix = "journey-report" if english else "rapport-parcours"
    begin = report.start.isoformat() if report.start else ("start" if english else "debut")
    return f"{prefix}_{report.territory.slug}_{begin}_{report.end.isoformat()}_{report.lang}.pdf"


def journey_report_pdf(
    engine: Engine,
    actor: Actor | None,
    territory_id: int,
    *,
    framework: Framework | None = None,
    progress: Progress | None = None,
    **options: Any,
) -> tuple[str, bytes]:
    """The Rapport de parcours as ``(file name, PDF bytes)``; ``progress`` hears each step.
    ``options`` are ``journey_report``'s (``start``, ``end``, ``lang``, ``sections``, ``today``)."""
    from lib.render import journey_report as render

    framework = framework or load_framework()
    report = journey_report(engine, actor, territory_id, framework=framework, progress=progress, **options)
    pdf = render.pdf(report, framework, progress=progress)
    if progress is not None:
        progress(1.0, "report.progress.done")
    return file_name(report), pdf


# --- The Rapport de réseau (coordinators) ----------------------------------------------------


@dataclass
class GroupTrajectory:
    group: peers.Group
    trajectory: pd.DataFrame  # year, axis_id, territories, minimum, q1, median, q3, maximum


@dataclass
class NetworkReport:
    lang: str
    generated_on: date
    overview: steering.Overview  # headline figures, every territory's status, the stalled ones
    coverage: pd.DataFrame  # which of the 4 Fantastiques answered each territory's campaigns
    fantastiques: list[str]
    trajectory: pd.DataFrame  # the whole network's, per year and axis (as ``GroupTrajectory``)
    groups: list[GroupTrajectory] = field(default_factory=list)


def network_report(
    engine: Engine,
    actor: Actor | None,
    *,
    days: int = 365,
    lang: str = "fr",
    framework: Framework | None = None,
    progress: Progress | None = None,
    today: date | None = None,
) -> NetworkReport:
    """What the Rapport de réseau says over the ``days`` ending ``today``: coordinators only
    (``VIEW_NETWORK``), who see every territory named, as on *Pilotage du réseau*."""
    require(actor, Action.VIEW_NETWORK)
    checks = Checks()
    lang = checks.one_of("lang", lang, LANGUAGES)
    checks.done()
    framework = framework or load_framework()
    today = today or clock.today()
    step = progress or (lambda share, key: None)
    step(0.05, "report.progress.network")
    overview = steering.overview(engine, actor, days=days, today=today)
    coverage = steering.coverage(engine, actor, days=days, today=today)
    mapping = journey_domain.criterion_axis_map(framework)
    with reading(engine) as conn:
        everyone = peers_store.territory_ids_matching(conn)
        trajectory = _spread_frame(peers_store.yearly_spread(conn, mapping, everyone))
    step(0.3, "report.progress.peers")
    groups = [
        GroupTrajectory(g, peers.group_overview(engine, actor, g.id, framework, today).trajectory)
        for g in peers.comparison_groups(engine, actor, None)
    ]
    return NetworkReport(
        lang=lang,
        generated_on=today,
        overview=overview,
        coverage=coverage,
        fantastiques=[r.id for r in framework.stakeholder_roles if r.flag],
        trajectory=trajectory,
        groups=groups,
    )


def _spread_frame(rows) -> pd.DataFrame:
    columns = ["year", "axis_id", "territories", "minimum", "q1", "median", "q3", "maximum"]
    return pd.DataFrame([r._asdict() for r in rows], columns=columns)


def network_file_name(report: NetworkReport) -> str:
    """``rapport-reseau_<début>_<fin>_<langue>.pdf``."""
    prefix = "network-report" if report.lang == "en" else "rapport-reseau"
    period = report.overview.period
    return f"{prefix}_{period.first_day.isoformat()}_{period.today.isoformat()}_{report.lang}.pdf"


def network_report_pdf(
    engine: Engine,
    actor: Actor | None,
    *,
    framework: Framework | None = None,
    progress: Progress | None = None,
    **options: Any,
) -> tuple[str, bytes]:
    """The Rapport de réseau as ``(file name, PDF bytes)``. ``options`` are
    ``network_report``'s (``days``, ``lang``, ``today``)."""
    from lib.render import network_report as render

    framework = framework or load_framework()
    report = network_report(engine, actor, framework=framework, progress=progress, **options)
    pdf = render.pdf(report, framework, progress=progress)
    if progress is not None:
        progress(1.0, "report.progress.done")
    return network_file_name(report), pdf
