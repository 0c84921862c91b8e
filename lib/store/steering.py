"""SQL for network steering: engagement per territory, the activity map, role coverage, the
headline figures, a network-wide campaign by territory, and the activity journal.

Every figure set is one query that groups in the database (a network may hold a thousand
territories and millions of answers); pandas only shapes what comes back. Periods arrive as
UTC instants already computed from French days (``lib.domain.engagement``), so nothing here
depends on the database's time zone. Every function takes an open connection.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from lib.domain.engagement import ENGAGEMENT_PREFIXES, LOGIN_ACTION
from lib.store import tables

SUBMITTED = "submitted"
TERRITORY_ADMIN = "territory_admin"


@dataclass(frozen=True)
class Scope:
    """Which territories a view covers: all of them when every list is empty."""

    peer_group_ids: tuple[int, ...] = ()
    kinds: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()

    @property
    def whole_network(self) -> bool:
        return not (self.peer_group_ids or self.kinds or self.regions)


def _in_scope(scope: Scope, territory_id: sa.ColumnElement) -> list[sa.ColumnElement]:
    """Conditions keeping ``territory_id`` within the scope. Archived territories are in none;
    for the whole network, whatever names no territory (a network answer whose territory was
    not given) still counts."""
    if scope.whole_network:
        archived = sa.select(tables.territory.c.id).where(tables.territory.c.archived_at.is_not(None))
        return [sa.or_(territory_id.is_(None), territory_id.not_in(archived))]
    chosen = sa.select(tables.territory.c.id).where(tables.territory.c.archived_at.is_(None))
    if scope.kinds:
        chosen = chosen.where(tables.territory.c.kind.in_(scope.kinds))
    if scope.regions:
        chosen = chosen.where(tables.territory.c.region.in_(scope.regions))
    if scope.peer_group_ids:
        members = sa.select(tables.peer_group_member.c.territory_id).where(
            tables.peer_group_member.c.peer_group_id.in_(scope.peer_group_ids)
        )
        chosen = chosen.where(tables.territory.c.id.in_(members))
    return [territory_id.in_(chosen)]


def _engagement(action: sa.ColumnElement) -> sa.ColumnElement:
    return sa.or_(*(action.like(f"{prefix}%") for prefix in ENGAGEMENT_PREFIXES))


# --- events: the log entries that say a territory is alive ---------------------------------

log = tables.activity_log


def _period(start: datetime | None, end: datetime) -> list[sa.ColumnElement]:
    return [log.c.occurred_at < end] + ([log.c.occurred_at >= start] if start is not None else [])


def _own_events(what: sa.ColumnElement, start: datetime | None, end: datetime) -> sa.Select:
    """``what`` over the journey and feedback entries recorded with the territory of the outer
    query, in ``[start, end)``: read from the ``(territory_id, occurred_at, action)`` index."""
    return (
        sa.select(what)
        .where(log.c.territory_id == tables.territory.c.id, _engagement(log.c.action), *_period(start, end))
        .correlate(tables.territory)
    )


def _member_logins(what: sa.ColumnElement, start: datetime | None, end: datetime) -> sa.Select:
    """``what`` over the logins of the members of the outer query's territory, in ``[start,
    end)``: read from the ``(person_id, action, occurred_at)`` index."""
    m = tables.membership
    return (
        sa.select(what)
        .select_from(m.join(log, log.c.person_id == m.c.person_id))
        .where(m.c.territory_id == tables.territory.c.id, log.c.action == LOGIN_ACTION, *_period(start, end))
        .correlate(tables.territory)
    )


def _latest(events: sa.Select) -> sa.ScalarSelect:
    return events.order_by(log.c.occurred_at.desc()).limit(1).scalar_subquery()


def territory_engagement(
    conn: Connection, scope: Scope, since: datetime, until: datetime, previous_since: datetime, today: date
) -> list[dict[str, Any]]:
    """One row per territory of the scope, by name: its latest event recorded with it and its
    members' latest login (both before ``until``), whether it had any event in the previous
    period ``[previous_since, since)``, and the day of its latest submitted self-assessment.

    Each lookup walks an index backwards and stops at the first match: a thousand short index
    reads, never the whole log."""
    tr, a = tables.territory, tables.assessment
    before = sa.or_(
        sa.exists(_own_events(sa.literal(1), previous_since, since)),
        sa.exists(_member_logins(sa.literal(1), previous_since, since)),
    )
    latest_assessment = (
        sa.select(sa.func.max(a.c.assessed_on))
        .where(a.c.territory_id == tr.c.id, a.c.status == SUBMITTED, a.c.assessed_on <= today)
        .correlate(tr)
        .scalar_subquery()
    )
    query = (
        sa.select(
            tr.c.id.label("territory_id"),
            tr.c.slug,
            tr.c.name,
            tr.c.kind,
            tr.c.region,
            _latest(_own_events(log.c.occurred_at, None, until)).label("last_event"),
            _latest(_member_logins(log.c.occurred_at, None, until)).label("last_login"),
            sa.case((before, True), else_=False).label("active_before"),
            sa.type_coerce(latest_assessment, sa.Date).label("latest_assessment"),
        )
        .where(*_in_scope(scope, tr.c.id))
        .order_by(tr.c.name, tr.c.id)
    )
    return [dict(r._mapping) for r in conn.execute(query)]


def events_by_month(conn: Connection, scope: Scope, bounds: Sequence[datetime]) -> list[tuple[int, int, int]]:
    """``(territory_id, month index, events)`` where month *i* is ``[bounds[i], bounds[i+1])``,
    for the months with at least one event.

    One row per territory, one count per month, each a range of the covering indexes (never the
    log's rows). French months arrive as UTC bounds, so both dialects count them exactly without
    any time-zone support in the database."""
    count = sa.func.count()
    months = [
        (
            _own_events(count, start, end).scalar_subquery()
            + _member_logins(count, start, end).scalar_subquery()
        ).label(f"m{index}")
        for index, (start, end) in enumerate(itertools.pairwise(bounds))
    ]
    query = sa.select(tables.territory.c.id, *months).where(*_in_scope(scope, tables.territory.c.id))
    return [(row[0], index, int(n)) for row in conn.execute(query) for index, n in enumerate(row[1:]) if n]


def _response_territory() -> sa.ColumnElement:
    """The territory a response counts for: its own campaign's, or the one its respondent
    answered for on a network-wide campaign."""
    return sa.func.coalesce(tables.response.c.territory_id, tables.campaign.c.territory_id)


def responses_by_role(
    conn: Connection, scope: Scope, since: datetime, until: datetime
) -> list[tuple[int, str, int]]:
    """``(territory_id, respondent role, submitted responses)`` in ``[since, until)``."""
    r, c = tables.response, tables.campaign
    counted = (
        sa.select(_response_territory().label("territory_id"), r.c.respondent_role.label("role"))
        .select_from(r.join(c, c.c.id == r.c.campaign_id))
        .where(r.c.status == SUBMITTED, r.c.submitted_at >= since, r.c.submitted_at < until)
        .subquery()
    )
    query = (
        sa.select(counted.c.territory_id, counted.c.role, sa.func.count().label("n"))
        .where(counted.c.territory_id.is_not(None), *_in_scope(scope, counted.c.territory_id))
        .group_by(counted.c.territory_id, counted.c.role)
    )
    return [(row.territory_id, row.role, int(row.n)) for row in conn.execute(query)]


def headline_counts(
    conn: Connection,
    scope: Scope,
    since: datetime,
    until: datetime,
    previous_since: datetime,
    today: date,
    previous_day: date,
) -> dict[str, int]:
    """The headline counts now and over the previous period, in one query: responses received,
    self-assessments submitted, campaigns open (on ``today`` and on ``previous_day``).

    For a part of the network, a response counts when its territory is in it, and a campaign
    when it belongs to one of its territories or is network-wide."""
    r, c, a = tables.response, tables.campaign, tables.assessment

    def responses(start: datetime, end: datetime) -> sa.ScalarSelect:
        return (
            sa.select(sa.func.count())
            .select_from(r.join(c, c.c.id == r.c.campaign_id))
            .where(
                r.c.status == SUBMITTED,
                r.c.submitted_at >= start,
                r.c.submitted_at < end,
                *_in_scope(scope, _response_territory()),
            )
            .scalar_subquery()
        )

    def assessments(start: datetime, end: datetime) -> sa.ScalarSelect:
        return (
            sa.select(sa.func.count())
            .where(
                a.c.status == SUBMITTED,
                a.c.submitted_at >= start,
                a.c.submitted_at < end,
                *_in_scope(scope, a.c.territory_id),
            )
            .scalar_subquery()
        )

    def campaigns_open(day: date) -> sa.ScalarSelect:
        within = _in_scope(scope, c.c.territory_id)
        where = [c.c.opens_on <= day, c.c.closes_on >= day]
        if within:
            where.append(sa.or_(c.c.territory_id.is_(None), *within))
        return sa.select(sa.func.count()).select_from(c).where(*where).scalar_subquery()

    query = sa.select(
        responses(since, until).label("responses"),
        responses(previous_since, since).label("responses_before"),
        assessments(since, until).label("assessments"),
        assessments(previous_since, since).label("assessments_before"),
        campaigns_open(today).label("campaigns_open"),
        campaigns_open(previous_day).label("campaigns_open_before"),
    )
    return {key: int(value) for key, value in conn.execute(query).one()._mapping.items()}


def territory_admins(conn: Connection, scope: Scope) -> list[Row]:
    """``territory_id, display_name, email, last_login_at`` of every territory admin in the scope."""
    m, p = tables.membership, tables.person
    query = (
        sa.select(m.c.territory_id, p.c.display_name, p.c.email, p.c.last_login_at)
        .select_from(m.join(p, p.c.id == m.c.person_id))
        .where(
            m.c.role == TERRITORY_ADMIN, m.c.territory_id.is_not(None), *_in_scope(scope, m.c.territory_id)
        )
        .order_by(m.c.territory_id, p.c.display_name, p.c.email)
    )
    return list(conn.execute(query))


def filter_choices(conn: Connection) -> dict[str, list]:
    """What a view can be narrowed to: peer groups ``(id, name)``, kinds and regions in use."""
    groups = conn.execute(
        sa.select(tables.peer_group.c.id, tables.peer_group.c.name).order_by(tables.peer_group.c.name)
    )
    kinds = conn.execute(
        sa.select(tables.territory.c.kind).distinct().order_by(tables.territory.c.kind)
    ).scalars()
    regions = conn.execute(
        sa.select(tables.territory.c.region)
        .where(tables.territory.c.region.is_not(None))
        .distinct()
        .order_by(tables.territory.c.region)
    ).scalars()
    return {"peer_groups": [(g.id, g.name) for g in groups], "kinds": list(kinds), "regions": list(regions)}


# --- a network-wide campaign by territory ---------------------------------------------------


def campaign_responses_by_territory(conn: Connection, campaign_id: int) -> list[tuple[int | None, str, int]]:
    """``(territory_id or None, role, submitted responses)`` of one campaign."""
    r = tables.response
    query = (
        sa.select(r.c.territory_id, r.c.respondent_role, sa.func.count().label("n"))
        .where(r.c.campaign_id == campaign_id, r.c.status == SUBMITTED)
        .group_by(r.c.territory_id, r.c.respondent_role)
    )
    return [(row.territory_id, row.respondent_role, int(row.n)) for row in conn.execute(query)]


def campaign_sums_by_territory(
    conn: Connection, campaign_id: int, question_ids: Sequence[str]
) -> list[tuple[int | None, str, int, float]]:
    """``(territory_id or None, question_id, answers, sum of values)`` for these (scale) questions."""
    if not question_ids:
        return []
    r, a = tables.response, tables.answer
    query = (
        sa.select(
            r.c.territory_id,
            a.c.question_id,
            sa.func.count().label("n"),
            sa.func.sum(a.c.numeric_value).label("total"),
        )
        .select_from(a.join(r, r.c.id == a.c.response_id))
        .where(
            r.c.campaign_id == campaign_id,
            r.c.status == SUBMITTED,
            a.c.question_id.in_(list(question_ids)),
            a.c.numeric_value.is_not(None),
        )
        .group_by(r.c.territory_id, a.c.question_id)
    )
    return [(row.territory_id, row.question_id, int(row.n), float(row.total)) for row in conn.execute(query)]


def territory_names(conn: Connection, territory_ids: Sequence[int]) -> dict[int, str]:
    if not territory_ids:
        return {}
    rows = conn.execute(
        sa.select(tables.territory.c.id, tables.territory.c.name).where(
            tables.territory.c.id.in_(list(territory_ids))
        )
    )
    return {r.id: r.name for r in rows}


def territory_slugs(conn: Connection, scope: Scope) -> list[Row]:
    """``id, slug, name`` of the scope's territories, by name (for per-territory links)."""
    tr = tables.territory
    query = sa.select(tr.c.id, tr.c.slug, tr.c.name).where(*_in_scope(scope, tr.c.id)).order_by(tr.c.name)
    return list(conn.execute(query))


# --- the journal ------------------------------------------------------------------------------


@dataclass(frozen=True)
class JournalFilter:
    """Which entries of the activity log to list. ``territory_ids`` None: every entry (the
    coordinators' view); a tuple: only entries recorded with one of these territories."""

    territory_ids: tuple[int, ...] | None = None
    person_id: int | None = None
    actions: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None


def journal(conn: Connection, flt: JournalFilter, limit: int, offset: int = 0) -> list[Row]:
    """Entries newest first, with the person's name and e-mail and the territory's name."""
    p, tr = tables.person, tables.territory
    query = (
        sa.select(
            log.c.id,
            log.c.occurred_at,
            log.c.action,
            log.c.subject_type,
            log.c.subject_id,
            log.c.details,
            log.c.person_id,
            p.c.display_name.label("person_name"),
            p.c.email.label("person_email"),
            log.c.territory_id,
            tr.c.name.label("territory_name"),
        )
        .select_from(
            log.join(p, p.c.id == log.c.person_id, isouter=True).join(
                tr, tr.c.id == log.c.territory_id, isouter=True
            )
        )
        .order_by(log.c.occurred_at.desc(), log.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if flt.territory_ids is not None:
        query = query.where(log.c.territory_id.in_(flt.territory_ids))
    if flt.person_id is not None:
        query = query.where(log.c.person_id == flt.person_id)
    if flt.actions:
        query = query.where(log.c.action.in_(flt.actions))
    if flt.since is not None:
        query = query.where(log.c.occurred_at >= flt.since)
    if flt.until is not None:
        query = query.where(log.c.occurred_at < flt.until)
    return list(conn.execute(query))


def people(conn: Connection, territory_ids: Sequence[int] | None) -> list[Row]:
    """``id, display_name, email`` of everyone (None) or of the members of these territories."""
    p = tables.person
    query = sa.select(p.c.id, p.c.display_name, p.c.email).order_by(p.c.display_name, p.c.email)
    if territory_ids is not None:
        members = sa.select(tables.membership.c.person_id).where(
            tables.membership.c.territory_id.in_(list(territory_ids))
        )
        query = query.where(p.c.id.in_(members))
    return list(conn.execute(query))
