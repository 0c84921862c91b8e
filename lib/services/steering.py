"""Network steering: engagement at a glance for coordinators, and the activity journal.

Rights: everything about the network needs VIEW_NETWORK (coordinators). The journal is the
coordinators' whole log, or, for a territory admin, the entries recorded with the
territories where they hold VIEW_ACTIVITY; anybody else is refused. Reads only: each use
case is one read, aggregated in SQL (``lib.store.steering``), shaped by
``lib.domain.engagement``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy.engine import Engine

from lib.access import Action, Actor, can, require, require_anywhere
from lib.domain import clock, forms
from lib.domain import engagement as domain
from lib.domain import feedback_analytics as fa
from lib.domain.errors import FieldError, NotFound, ValidationFailed
from lib.domain.forms import FormTemplate, parse_template
from lib.domain.framework import load_framework
from lib.services import cache
from lib.services.feedback import Campaign, results_campaigns
from lib.services.unit_of_work import reading
from lib.store import feedback as feedback_store
from lib.store import steering as store
from lib.store.steering import JournalFilter, Scope

# Pages name the part of the network they look at with ``Scope`` (from this module).

JOURNAL_PAGE_SIZE = 50
JOURNAL_EXPORT_LIMIT = 10_000


def _period(days: int, today: date | None) -> domain.Period:
    if not domain.MIN_DAYS <= int(days) <= domain.MAX_DAYS:
        raise ValidationFailed(
            {"days": FieldError("steering.error.days", {"min": domain.MIN_DAYS, "max": domain.MAX_DAYS})}
        )
    return domain.Period(days=int(days), today=today or clock.today())


def _fantastiques() -> list[str]:
    return [r.id for r in load_framework().stakeholder_roles if r.flag]


@dataclass(frozen=True)
class FilterChoices:
    peer_groups: list[tuple[int, str]]
    kinds: list[str]
    regions: list[str]


# Every view below is the same for everyone holding VIEW_NETWORK (checked before any lookup):
# their cache keys name that right as the reader, beside what was asked.
NETWORK_READER = Action.VIEW_NETWORK.value


def filter_choices(engine: Engine, actor: Actor | None) -> FilterChoices:
    """The peer groups, kinds and regions a coordinator can narrow the view to."""
    require(actor, Action.VIEW_NETWORK)
    with reading(engine) as conn:
        found = cache.network_cached(
            conn, ("steering.filter_choices", NETWORK_READER), lambda: store.filter_choices(conn)
        )
    return FilterChoices(**{k: list(v) for k, v in found.items()})


@dataclass
class Overview:
    """The network at a glance: headline figures with their change, each territory's status,
    the stalled ones with their admins, and the freshness of self-assessments."""

    period: domain.Period
    figures: list[domain.Figure]
    territories: pd.DataFrame
    stalled: pd.DataFrame
    freshness: pd.DataFrame

    def copy(self) -> Overview:
        """The same view with tables of its own: a cached view is never changed by a reader."""
        return Overview(
            self.period,
            list(self.figures),
            self.territories.copy(),
            self.stalled.copy(),
            self.freshness.copy(),
        )


def overview(
    engine: Engine,
    actor: Actor | None,
    *,
    days: int = domain.DEFAULT_DAYS,
    scope: Scope | None = None,
    today: date | None = None,
) -> Overview:
    require(actor, Action.VIEW_NETWORK)
    period = _period(days, today)
    scope = scope or Scope()
    with reading(engine) as conn:
        view = cache.network_cached(
            conn,
            ("steering.overview", NETWORK_READER, period.days, period.today, scope),
            lambda: _overview(conn, period, scope),
        )
    return view.copy()


def _overview(conn, period: domain.Period, scope: Scope) -> Overview:
    rows = store.territory_engagement(
        conn, scope, period.since, period.until, period.previous_since, period.today
    )
    counts = store.headline_counts(
        conn, scope, period.since, period.until, period.previous_since, period.today, period.previous_day
    )
    admins = store.territory_admins(conn, scope)
    status = domain.territory_status(rows, period)
    figures = [
        domain.Figure("active_territories", int(status["active"].sum()), int(status["active_before"].sum())),
        domain.Figure("responses", counts["responses"], counts["responses_before"]),
        domain.Figure("campaigns_open", counts["campaigns_open"], counts["campaigns_open_before"]),
        domain.Figure("assessments", counts["assessments"], counts["assessments_before"]),
    ]
    stalled = domain.stalled(status)
    names: dict[int, list[str]] = {}
    emails: dict[int, list[str]] = {}
    for admin in admins:
        names.setdefault(admin.territory_id, []).append(admin.display_name or admin.email)
        emails.setdefault(admin.territory_id, []).append(admin.email)
    stalled["admins"] = [", ".join(names.get(tid, [])) for tid in stalled["territory_id"]]
    stalled["admin_emails"] = ["; ".join(emails.get(tid, [])) for tid in stalled["territory_id"]]
    return Overview(period, figures, status, stalled, domain.freshness_counts(status))


def activity_map(
    engine: Engine, actor: Actor | None, *, scope: Scope | None = None, today: date | None = None
) -> tuple[list[date], pd.DataFrame]:
    """Events per territory and French month over the last ``MONTHS`` months (see the domain)."""
    require(actor, Action.VIEW_NETWORK)
    today = today or clock.today()
    scope = scope or Scope()
    months = domain.month_starts(today)

    def compute() -> pd.DataFrame:
        territories = _territory_frame(store.territory_slugs(conn, scope))
        counts = store.events_by_month(conn, scope, domain.month_bounds(today))
        return domain.activity_map(counts, territories, months)

    with reading(engine) as conn:
        grid = cache.network_cached(conn, ("steering.activity_map", NETWORK_READER, today, scope), compute)
    return months, grid.copy()


def _territory_frame(rows) -> pd.DataFrame:
    return pd.DataFrame([(r.id, r.slug, r.name) for r in rows], columns=["territory_id", "slug", "name"])


def coverage(
    engine: Engine,
    actor: Actor | None,
    *,
    days: int = domain.DEFAULT_DAYS,
    scope: Scope | None = None,
    today: date | None = None,
) -> pd.DataFrame:
    """Which of the 4 Fantastiques answered each territory's campaigns in the period."""
    require(actor, Action.VIEW_NETWORK)
    period = _period(days, today)
    scope = scope or Scope()

    def compute() -> pd.DataFrame:
        territories = _territory_frame(store.territory_slugs(conn, scope))
        counts = store.responses_by_role(conn, scope, period.since, period.until)
        return domain.role_coverage(counts, territories, _fantastiques())

    with reading(engine) as conn:
        frame = cache.network_cached(
            conn, ("steering.coverage", NETWORK_READER, period.days, period.today, scope), compute
        )
    return frame.copy()


# --- a network-wide campaign by territory ---------------------------------------------------


def network_campaigns(engine: Engine, actor: Actor | None, today: date | None = None) -> list[Campaign]:
    """The network-wide campaigns, newest first."""
    require(actor, Action.VIEW_NETWORK)
    return [c for c in results_campaigns(engine, actor, today, territory_ids=[]) if c.territory_id is None]


@dataclass
class CampaignSplit:
    template: FormTemplate
    responses: pd.DataFrame  # territory_id (None: not said), name, one column per role, total
    means: pd.DataFrame  # territory_id, name, question_id, answers, mean (NaN under min_answers)
    min_answers: int


def campaign_by_territory(engine: Engine, actor: Actor | None, campaign_id: int) -> CampaignSplit:
    """A network-wide campaign's responses and scale means, territory by territory.

    In an anonymous campaign a territory's mean is shown only over ``MIN_ANSWERS_PER_ROLE``
    answers or more: below that it would be one person's answer under their territory's name."""
    require(actor, Action.VIEW_NETWORK)
    with reading(engine) as conn:
        row = feedback_store.campaign_by_id(conn, campaign_id)
        if row is None or row.territory_id is not None:
            raise NotFound(campaign_id=campaign_id)
        stored = feedback_store.template_by_id(conn, row.form_template_id)
        template = parse_template(stored.content, source=f"{stored.slug} v{stored.version}")
        scale_ids = [q.id for q in template.questions_of_type(forms.SCALE)]
        counts = store.campaign_responses_by_territory(conn, campaign_id)
        sums = store.campaign_sums_by_territory(conn, campaign_id, scale_ids)
        names = store.territory_names(conn, sorted({tid for tid, *_ in counts if tid is not None}))
    roles = [r.id for r in load_framework().stakeholder_roles]
    min_answers = fa.MIN_ANSWERS_PER_ROLE if row.anonymous else 1
    responses, means = domain.campaign_split(counts, sums, names, roles, min_answers)
    means.insert(1, "name", [names.get(tid) if tid is not None else None for tid in means["territory_id"]])
    return CampaignSplit(template, responses, means, min_answers)


def territory_link_targets(engine: Engine, actor: Actor | None, campaign_id: int) -> tuple[str, list]:
    """The share token of a network-wide campaign and every territory's ``(slug, name)``: each
    territory gets its own link, so that its respondents' answers are counted for it."""
    require(actor, Action.VIEW_NETWORK)
    with reading(engine) as conn:
        row = feedback_store.campaign_by_id(conn, campaign_id)
        if row is None or row.territory_id is not None:
            raise NotFound(campaign_id=campaign_id)
        territories = store.territory_slugs(conn, Scope())
    return row.share_token, [(r.slug, r.name) for r in territories]


# --- the journal --------------------------------------------------------------------------


def journal_territories(actor: Actor | None) -> tuple[int, ...] | None:
    """Whose entries this person may read: None for the whole log (coordinators), else the
    territories where they hold VIEW_ACTIVITY. Refused when there is none."""
    if can(actor, Action.VIEW_NETWORK):
        return None
    actor = require_anywhere(actor, Action.VIEW_ACTIVITY)
    return tuple(tid for tid in actor.territory_ids if can(actor, Action.VIEW_ACTIVITY, tid))


@dataclass(frozen=True)
class JournalQuery:
    """What a reader asked for; every field optional. Days are French days, both included."""

    territory_id: int | None = None
    person_id: int | None = None
    actions: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None


def _journal_filter(actor: Actor | None, query: JournalQuery) -> JournalFilter:
    allowed = journal_territories(actor)
    if query.territory_id is not None:
        require(actor, Action.VIEW_ACTIVITY, query.territory_id)
        territories: tuple[int, ...] | None = (query.territory_id,)
    else:
        territories = allowed
    if query.start and query.end and query.end < query.start:
        raise ValidationFailed({"end": FieldError("steering.error.end_before_start")})
    return JournalFilter(
        territory_ids=territories,
        person_id=query.person_id,
        actions=tuple(query.actions),
        since=clock.start_of_local_day(query.start) if query.start else None,
        until=clock.start_of_local_day(query.end + timedelta(days=1)) if query.end else None,
    )


JOURNAL_COLUMNS = [
    "occurred_at",
    "action",
    "person_name",
    "person_email",
    "territory_name",
    "subject_type",
    "subject_id",
    "details",
]


def _journal_frame(rows) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "occurred_at": r.occurred_at.astimezone(clock.LOCAL_TIMEZONE).replace(tzinfo=None),
                "action": r.action,
                "person_name": r.person_name,
                "person_email": r.person_email,
                "territory_name": r.territory_name,
                "subject_type": r.subject_type,
                "subject_id": r.subject_id,
                "details": r.details,
            }
            for r in rows
        ],
        columns=JOURNAL_COLUMNS,
    )


@dataclass
class JournalPage:
    entries: pd.DataFrame  # JOURNAL_COLUMNS, times in Paris without zone, newest first
    page: int
    has_more: bool


def journal(
    engine: Engine, actor: Actor | None, query: JournalQuery | None = None, page: int = 0
) -> JournalPage:
    """One page of the activity log, newest first."""
    flt = _journal_filter(actor, query or JournalQuery())
    page = max(0, int(page))
    with reading(engine) as conn:
        rows = store.journal(conn, flt, JOURNAL_PAGE_SIZE + 1, page * JOURNAL_PAGE_SIZE)
    return JournalPage(_journal_frame(rows[:JOURNAL_PAGE_SIZE]), page, len(rows) > JOURNAL_PAGE_SIZE)


def journal_export(engine: Engine, actor: Actor | None, query: JournalQuery | None = None) -> pd.DataFrame:
    """The entries matching ``query``, newest first, at most ``JOURNAL_EXPORT_LIMIT``."""
    flt = _journal_filter(actor, query or JournalQuery())
    with reading(engine) as conn:
        rows = store.journal(conn, flt, JOURNAL_EXPORT_LIMIT)
    return _journal_frame(rows)


@dataclass(frozen=True)
class JournalChoices:
    territories: list[tuple[int, str]]
    people: list[tuple[int, str]]
    actions: tuple[str, ...]


def journal_choices(engine: Engine, actor: Actor | None) -> JournalChoices:
    """What the journal can be filtered by, within what this person may read."""
    allowed = journal_territories(actor)
    with reading(engine) as conn:
        territories = store.territory_slugs(conn, Scope())
        people = store.people(conn, allowed)
    if allowed is not None:
        territories = [r for r in territories if r.id in allowed]
    return JournalChoices(
        territories=[(r.id, r.name) for r in territories],
        people=[(p.id, p.display_name or p.email) for p in people],
        actions=domain.JOURNAL_ACTIONS,
    )


# --- exports --------------------------------------------------------------------------------


def _inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with every text cell (and header) made inert: territory names, people's names
    and question labels are typed by people, and a spreadsheet must never run one. Columns keep
    their type (a count with a gap stays 90, never 90.0)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = pd.Series([fa._inert(v) for v in out[column]], index=out.index, dtype=object)
    out.columns = [fa._inert(c) for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV as French spreadsheets open it: ``;`` between columns, UTF-8 with a BOM."""
    return _inert_frame(frame).to_csv(index=False, sep=";").encode("utf-8-sig")


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """One sheet per table (names cut to Excel's 31 characters)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            _inert_frame(frame).to_excel(writer, sheet_name=name[:31], index=False)
    return buffer.getvalue()
