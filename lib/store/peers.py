"""SQL for peers: sharing levels, peer groups, and what territories compare of each other.

Results are fetched with ``.all()`` (one bulk fetch): a group's ten-year history is thousands of
rows, and row-by-row iteration costs more than the query.

Aggregates stay in the database: axis means per assessment, the latest assessment of each
territory (a window function), and the spread of a group — median, quartiles, minimum and
maximum — computed by SQL that runs unchanged on SQLite and PostgreSQL (see ``_spread``).
Which territories an aggregate counts is decided before, by ``lib.domain.sharing``; these
functions take the territory ids they may read and never decide that themselves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import cache
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from lib.store import tables

A = tables.assessment
S = tables.assessment_score
M = tables.milestone
T = tables.territory
G = tables.peer_group
GM = tables.peer_group_member
SH = tables.territory_sharing

SUBMITTED = "submitted"
QUARTILES = (0.25, 0.5, 0.75)


# --- Sharing levels --------------------------------------------------------------------------


def chosen_levels(conn: Connection, territory_id: int) -> list[Row]:
    """The levels this territory's admin chose (kind, level, updated_at, updated_by name)."""
    query = (
        sa.select(SH.c.kind, SH.c.level, SH.c.updated_at, tables.person.c.display_name.label("updated_by"))
        .select_from(SH.outerjoin(tables.person, tables.person.c.id == SH.c.updated_by))
        .where(SH.c.territory_id == territory_id)
    )
    return conn.execute(query).all()


def set_level(conn: Connection, territory_id: int, kind: str, level: str, person_id: int | None) -> None:
    values = {"level": level, "updated_by": person_id, "updated_at": tables.utcnow()}
    done = conn.execute(
        sa.update(SH).where(SH.c.territory_id == territory_id, SH.c.kind == kind).values(**values)
    )
    if done.rowcount == 0:
        conn.execute(sa.insert(SH).values(territory_id=territory_id, kind=kind, **values))


def territories_with_level(
    conn: Connection, kind: str, default: str, territory_ids: Sequence[int] | None = None
) -> list[Row]:
    """Territories (id, slug, name, kind, region, population) with their level for ``kind``:
    the chosen one, else ``default``. Every territory when ``territory_ids`` is None."""
    level = sa.func.coalesce(SH.c.level, default).label("level")
    query = (
        sa.select(T.c.id, T.c.slug, T.c.name, T.c.kind, T.c.region, T.c.population, T.c.is_demo, level)
        .select_from(T.outerjoin(SH, sa.and_(SH.c.territory_id == T.c.id, SH.c.kind == kind)))
        .order_by(T.c.name, T.c.id)
    )
    if territory_ids is not None:
        query = query.where(T.c.id.in_(list(territory_ids)))
    return conn.execute(query).all()


def territory_by_slug(conn: Connection, slug: str) -> Row | None:
    return conn.execute(sa.select(T.c.id, T.c.slug, T.c.name).where(T.c.slug == slug)).first()


def levels_of(conn: Connection, territory_ids: Sequence[int]) -> list[Row]:
    """Every chosen level (territory_id, kind, level) of these territories."""
    if not territory_ids:
        return []
    return list(
        conn.execute(
            sa.select(SH.c.territory_id, SH.c.kind, SH.c.level).where(
                SH.c.territory_id.in_(list(territory_ids))
            )
        )
    )


# --- Peer groups -----------------------------------------------------------------------------


def groups_of(conn: Connection, territory_ids: Sequence[int] | None) -> list[Row]:
    """Peer groups (id, slug, name, description, members) holding one of these territories;
    every group when None. ``members`` counts all the group's territories."""
    members = (
        sa.select(sa.func.count())
        .where(GM.c.peer_group_id == G.c.id)
        .correlate(G)
        .scalar_subquery()
        .label("members")
    )
    query = sa.select(G.c.id, G.c.slug, G.c.name, G.c.description, members).order_by(G.c.name, G.c.id)
    if territory_ids is not None:
        inside = sa.select(GM.c.peer_group_id).where(GM.c.territory_id.in_(list(territory_ids)))
        query = query.where(G.c.id.in_(inside))
    return conn.execute(query).all()


def group_member_ids(conn: Connection, group_id: int) -> list[int]:
    return list(
        conn.execute(
            sa.select(GM.c.territory_id).where(GM.c.peer_group_id == group_id).order_by(GM.c.territory_id)
        ).scalars()
    )


def peer_ids(conn: Connection, territory_ids: Sequence[int]) -> set[int]:
    """Territories sharing at least one peer group with one of ``territory_ids``."""
    if not territory_ids:
        return set()
    mine = GM.alias("mine")
    query = (
        sa.select(GM.c.territory_id)
        .distinct()
        .select_from(GM.join(mine, mine.c.peer_group_id == GM.c.peer_group_id))
        .where(mine.c.territory_id.in_(list(territory_ids)))
    )
    return set(conn.execute(query).scalars())


def in_any_group(conn: Connection, territory_ids: Sequence[int]) -> bool:
    if not territory_ids:
        return False
    query = sa.select(GM.c.territory_id).where(GM.c.territory_id.in_(list(territory_ids))).limit(1)
    return conn.execute(query).first() is not None


def territory_ids_matching(
    conn: Connection,
    *,
    kinds: Sequence[str] = (),
    regions: Sequence[str] = (),
    population: tuple[int | None, int | None] | None = None,
) -> list[int]:
    """Territories of these kinds, regions and population range [low, high[ (a coordinator's filter)."""
    query = sa.select(T.c.id).order_by(T.c.name, T.c.id)
    if kinds:
        query = query.where(T.c.kind.in_(list(kinds)))
    if regions:
        query = query.where(T.c.region.in_(list(regions)))
    if population is not None:
        low, high = population
        if low is not None:
            query = query.where(T.c.population >= low)
        if high is not None:
            query = query.where(T.c.population < high)
    return conn.execute(query).scalars().all()


def regions(conn: Connection) -> list[str]:
    query = sa.select(T.c.region).where(T.c.region.is_not(None)).distinct().order_by(T.c.region)
    return conn.execute(query).scalars().all()


# --- Assessments: axis means, latest per territory, spread ---------------------------------


def _axis(criterion_axis: Mapping[str, str]) -> sa.ColumnElement:
    # The axis of a criterion lives in the framework file: it enters SQL as a CASE (decision 0006).
    return _axis_case(tuple(criterion_axis.items()))


@cache
def _axis_case(pairs: tuple[tuple[str, str], ...]) -> sa.ColumnElement:
    # Built once per framework: SQLAlchemy then finds the compiled statements in its cache.
    return sa.case(dict(pairs), value=S.c.criterion_id, else_=sa.null())


def _axis_means(criterion_axis: Mapping[str, str], assessments: sa.Subquery) -> sa.Select:
    """Mean level per (assessment of ``assessments``, axis), with its territory and date.

    Criteria the framework no longer knows fall out by the HAVING on their (NULL) axis rather
    than by ``criterion_id IN (…)``: with that list SQLite seeks every (assessment, criterion)
    pair in the primary key instead of reading each assessment's scores in one sweep (26 ms
    of CPU against 19 ms for a group of 60 territories over 10 years).
    """
    axis = _axis(criterion_axis)
    return (
        sa.select(
            assessments.c.id.label("assessment_id"),
            assessments.c.territory_id,
            assessments.c.assessed_on,
            axis.label("axis_id"),
            sa.func.avg(sa.cast(S.c.level, sa.Float)).label("score"),
        )
        .select_from(assessments.join(S, S.c.assessment_id == assessments.c.id))
        .where(S.c.level.is_not(None))
        .group_by(assessments.c.id, assessments.c.territory_id, assessments.c.assessed_on, axis)
        .having(axis.is_not(None))
    )


def _latest_submitted(territory_ids: Sequence[int], on: date | None = None) -> sa.Subquery:
    """The latest submitted assessment of each territory (on or before ``on``)."""
    rank = (
        sa.func.row_number()
        .over(partition_by=A.c.territory_id, order_by=(A.c.assessed_on.desc(), A.c.id.desc()))
        .label("rank")
    )
    ranked = sa.select(A.c.id, A.c.territory_id, A.c.assessed_on, rank).where(
        A.c.status == SUBMITTED, A.c.territory_id.in_(list(territory_ids))
    )
    if on is not None:
        ranked = ranked.where(A.c.assessed_on <= on)
    ranked = ranked.subquery("ranked")
    return (
        sa.select(ranked.c.id, ranked.c.territory_id, ranked.c.assessed_on)
        .where(ranked.c.rank == 1)
        .subquery("latest")
    )


def latest_axis_scores(
    conn: Connection, criterion_axis: Mapping[str, str], territory_ids: Sequence[int]
) -> list[Row]:
    """Each territory's latest submitted assessment, as (territory_id, assessment_id,
    assessed_on, axis_id, score) rows."""
    if not territory_ids:
        return []
    query = _axis_means(criterion_axis, _latest_submitted(territory_ids)).order_by(
        sa.text("territory_id"), sa.text("axis_id")
    )
    return conn.execute(query).all()


def _weight(position: sa.ColumnElement, count: sa.ColumnElement, q: float) -> sa.ColumnElement:
    # Linear interpolation between the two values around the q-quantile (PostgreSQL's
    # percentile_cont, pandas' default): the value at sorted position q·(n−1), each neighbour
    # weighted by its closeness, 1 − |position − q·(n−1)| when positive.
    closeness = 1.0 - sa.func.abs(position - q * (count - 1))
    return sa.case((closeness > 0, closeness), else_=0.0)


def _spread(values: sa.Subquery, groups: Sequence[str]) -> sa.Select:
    """Per group of ``values`` (columns ``groups`` + ``score``): territories counted, minimum,
    the three quartiles and maximum."""
    keys = [values.c[g] for g in groups]
    ordered = sa.select(
        *keys,
        values.c.score,
        (sa.func.row_number().over(partition_by=keys, order_by=values.c.score) - 1).label("position"),
        sa.func.count().over(partition_by=keys).label("n"),
    ).subquery("ordered")
    okeys = [ordered.c[g] for g in groups]
    position, count = sa.cast(ordered.c.position, sa.Float), sa.cast(ordered.c.n, sa.Float)
    q1, median, q3 = (
        sa.func.sum(ordered.c.score * _weight(position, count, q)).label(name)
        for q, name in zip(QUARTILES, ("q1", "median", "q3"), strict=True)
    )
    return (
        sa.select(
            *okeys,
            sa.func.count().label("territories"),
            sa.func.min(ordered.c.score).label("minimum"),
            q1,
            median,
            q3,
            sa.func.max(ordered.c.score).label("maximum"),
        )
        .group_by(*okeys)
        .order_by(*okeys)
    )


def axis_spread(
    conn: Connection, criterion_axis: Mapping[str, str], territory_ids: Sequence[int]
) -> list[Row]:
    """Across these territories' latest assessments, per axis: territories, minimum, q1,
    median, q3, maximum."""
    if not territory_ids:
        return []
    means = _axis_means(criterion_axis, _latest_submitted(territory_ids)).subquery("means")
    return conn.execute(_spread(means, ["axis_id"])).all()


def axis_history(
    conn: Connection, criterion_axis: Mapping[str, str], territory_ids: Sequence[int]
) -> list[Row]:
    """Every submitted assessment of these territories: (territory_id, assessment_id,
    assessed_on, axis_id, score), oldest first."""
    if not territory_ids:
        return []
    submitted = sa.select(A.c.id, A.c.territory_id, A.c.assessed_on).where(
        A.c.status == SUBMITTED, A.c.territory_id.in_(list(territory_ids))
    )
    query = _axis_means(criterion_axis, submitted.subquery("submitted")).order_by(
        sa.text("assessed_on"), sa.text("assessment_id")
    )
    return conn.execute(query).all()


def yearly_spread(
    conn: Connection, criterion_axis: Mapping[str, str], territory_ids: Sequence[int]
) -> list[Row]:
    """The group's trajectory: per year and axis, the spread of the territories' scores that
    year (a territory's score for a year is the mean of its assessments' axis means that year)."""
    if not territory_ids:
        return []
    submitted = sa.select(A.c.id, A.c.territory_id, A.c.assessed_on).where(
        A.c.status == SUBMITTED, A.c.territory_id.in_(list(territory_ids))
    )
    means = _axis_means(criterion_axis, submitted.subquery("submitted")).subquery("means")
    year = sa.extract("year", means.c.assessed_on)
    per_year = (
        sa.select(
            sa.cast(year, sa.Integer).label("year"),
            means.c.axis_id,
            means.c.territory_id,
            sa.func.avg(means.c.score).label("score"),
        )
        .group_by(year, means.c.axis_id, means.c.territory_id)
        .subquery("per_year")
    )
    return conn.execute(_spread(per_year, ["year", "axis_id"])).all()


def submitted_assessments(conn: Connection, territory_ids: Sequence[int]) -> list[Row]:
    """(id, territory_id, assessed_on) of every submitted assessment, oldest first."""
    if not territory_ids:
        return []
    query = (
        sa.select(A.c.id, A.c.territory_id, A.c.assessed_on)
        .where(A.c.status == SUBMITTED, A.c.territory_id.in_(list(territory_ids)))
        .order_by(A.c.territory_id, A.c.assessed_on, A.c.id)
    )
    return conn.execute(query).all()


def axis_scores_of(
    conn: Connection, criterion_axis: Mapping[str, str], assessment_ids: Sequence[int]
) -> list[Row]:
    """(assessment_id, territory_id, assessed_on, axis_id, score) of these assessments."""
    if not assessment_ids:
        return []
    chosen = sa.select(A.c.id, A.c.territory_id, A.c.assessed_on).where(A.c.id.in_(list(assessment_ids)))
    return conn.execute(_axis_means(criterion_axis, chosen.subquery("chosen"))).all()


def criterion_levels_of(conn: Connection, assessment_ids: Sequence[int]) -> list[Row]:
    """(assessment_id, criterion_id, level) of these assessments, rated criteria only."""
    if not assessment_ids:
        return []
    query = sa.select(S.c.assessment_id, S.c.criterion_id, S.c.level).where(
        S.c.assessment_id.in_(list(assessment_ids)), S.c.level.is_not(None)
    )
    return conn.execute(query).all()


def latest_assessment_dates(conn: Connection, territory_ids: Sequence[int]) -> dict[int, date]:
    """The date of each territory's latest submitted assessment (absent: never assessed)."""
    if not territory_ids:
        return {}
    query = (
        sa.select(A.c.territory_id, sa.func.max(A.c.assessed_on).label("last"))
        .where(A.c.status == SUBMITTED, A.c.territory_id.in_(list(territory_ids)))
        .group_by(A.c.territory_id)
    )
    return {r.territory_id: _as_date(r.last) for r in conn.execute(query).all()}


def _as_date(value) -> date:
    # SQLite hands back an aggregated DATE as text.
    return date.fromisoformat(value) if isinstance(value, str) else value


# --- Journeys and stories --------------------------------------------------------------------


class PhaseSpan(NamedTuple):
    territory_id: int
    phase: str
    first: date
    last: date
    milestones: int


def phase_spans(conn: Connection, territory_ids: Sequence[int]) -> list[PhaseSpan]:
    """When each territory told its first and last milestone of each phase, and how many."""
    if not territory_ids:
        return []
    query = (
        sa.select(
            M.c.territory_id,
            M.c.phase,
            sa.func.min(M.c.occurred_on).label("first"),
            sa.func.max(M.c.occurred_on).label("last"),
            sa.func.count().label("milestones"),
        )
        .where(M.c.territory_id.in_(list(territory_ids)))
        .group_by(M.c.territory_id, M.c.phase)
    )
    return [
        PhaseSpan(r.territory_id, r.phase, _as_date(r.first), _as_date(r.last), int(r.milestones))
        for r in conn.execute(query).all()
    ]


def milestones_of(conn: Connection, territory_ids: Sequence[int]) -> list[Row]:
    if not territory_ids:
        return []
    query = (
        sa.select(M, T.c.name.label("territory_name"))
        .join(T, T.c.id == M.c.territory_id)
        .where(M.c.territory_id.in_(list(territory_ids)))
        .order_by(M.c.territory_id, M.c.occurred_on, M.c.id)
    )
    return conn.execute(query).all()


def latest_stories(
    conn: Connection,
    territory_ids: Sequence[int],
    *,
    phases: Sequence[str] = (),
    dimensions: Sequence[str] = (),
    axes: Sequence[str] = (),
    limit: int = 30,
) -> list[Row]:
    """The latest milestones of these territories, newest first, with their territory's name."""
    if not territory_ids:
        return []
    query = (
        sa.select(M, T.c.name.label("territory_name"), T.c.slug.label("territory_slug"))
        .join(T, T.c.id == M.c.territory_id)
        .where(M.c.territory_id.in_(list(territory_ids)))
        .order_by(M.c.occurred_on.desc(), M.c.id.desc())
        .limit(limit)
    )
    for column, chosen in (
        (M.c.phase, phases),
        (M.c.storytelling_dimension, dimensions),
        (M.c.axis_id, axes),
    ):
        if chosen:
            query = query.where(column.in_(list(chosen)))
    return conn.execute(query).all()


# --- Feedback across territories -------------------------------------------------------------

C = tables.campaign
R = tables.response
AN = tables.answer
FT = tables.form_template


def templates_used(conn: Connection, territory_ids: Sequence[int]) -> list[Row]:
    """Template versions with submitted responses in these territories' campaigns:
    (id, slug, version, title_fr, title_en, territories, responses), most used first."""
    if not territory_ids:
        return []
    query = (
        sa.select(
            FT.c.id,
            FT.c.slug,
            FT.c.version,
            FT.c.title_fr,
            FT.c.title_en,
            sa.func.count(sa.distinct(C.c.territory_id)).label("territories"),
            sa.func.count(R.c.id).label("responses"),
        )
        .select_from(FT.join(C, C.c.form_template_id == FT.c.id).join(R, R.c.campaign_id == C.c.id))
        .where(C.c.territory_id.in_(list(territory_ids)), R.c.status == SUBMITTED)
        .group_by(FT.c.id, FT.c.slug, FT.c.version, FT.c.title_fr, FT.c.title_en)
        .order_by(sa.text("territories DESC"), FT.c.slug, FT.c.version.desc())
    )
    return conn.execute(query).all()


def template_content(conn: Connection, template_id: int) -> Row | None:
    return conn.execute(sa.select(FT).where(FT.c.id == template_id)).first()


def responses_by_territory_and_role(
    conn: Connection, template_id: int, territory_ids: Sequence[int]
) -> list[Row]:
    """(territory_id, role, responses): submitted responses to campaigns of this template version."""
    if not territory_ids:
        return []
    query = (
        sa.select(C.c.territory_id, R.c.respondent_role.label("role"), sa.func.count().label("responses"))
        .select_from(R.join(C, C.c.id == R.c.campaign_id))
        .where(
            C.c.form_template_id == template_id,
            C.c.territory_id.in_(list(territory_ids)),
            R.c.status == SUBMITTED,
        )
        .group_by(C.c.territory_id, R.c.respondent_role)
    )
    return conn.execute(query).all()


def scale_answers_by_territory(
    conn: Connection, template_id: int, territory_ids: Sequence[int], question_ids: Sequence[str]
) -> list[Row]:
    """(territory_id, question_id, role, value, answers) for these scale questions."""
    if not territory_ids or not question_ids:
        return []
    cols = (
        C.c.territory_id,
        AN.c.question_id,
        R.c.respondent_role.label("role"),
        AN.c.numeric_value.label("value"),
    )
    query = (
        sa.select(*cols, sa.func.count().label("answers"))
        .select_from(AN.join(R, R.c.id == AN.c.response_id).join(C, C.c.id == R.c.campaign_id))
        .where(
            C.c.form_template_id == template_id,
            C.c.territory_id.in_(list(territory_ids)),
            R.c.status == SUBMITTED,
            AN.c.question_id.in_(list(question_ids)),
            AN.c.numeric_value.is_not(None),
        )
        .group_by(C.c.territory_id, AN.c.question_id, R.c.respondent_role, AN.c.numeric_value)
        .order_by(C.c.territory_id, AN.c.question_id, R.c.respondent_role, AN.c.numeric_value)
    )
    return conn.execute(query).all()


# --- Contacts --------------------------------------------------------------------------------

CONSENT = tables.peer_contact_consent


def consent_of(conn: Connection, person_id: int) -> datetime | None:
    return conn.execute(
        sa.select(CONSENT.c.agreed_at).where(CONSENT.c.person_id == person_id)
    ).scalar_one_or_none()


def set_consent(conn: Connection, person_id: int, agreed: bool) -> bool:
    """Record or withdraw the opt-in; whether anything changed."""
    if agreed:
        if consent_of(conn, person_id) is not None:
            return False
        conn.execute(sa.insert(CONSENT).values(person_id=person_id, agreed_at=tables.utcnow()))
        return True
    return conn.execute(sa.delete(CONSENT).where(CONSENT.c.person_id == person_id)).rowcount > 0


def public_consent_of(conn: Connection, person_id: int) -> bool:
    return bool(
        conn.execute(sa.select(CONSENT.c.public).where(CONSENT.c.person_id == person_id)).scalar_one_or_none()
    )


def set_public_consent(conn: Connection, person_id: int, agreed: bool) -> bool:
    """Widen the opt-in to the public showcase, or narrow it back; whether anything changed."""
    done = conn.execute(
        sa.update(CONSENT)
        .where(CONSENT.c.person_id == person_id, CONSENT.c.public.is_not(agreed))
        .values(public=agreed)
    )
    return done.rowcount > 0


def consenting_contacts(conn: Connection, territory_ids: Sequence[int]) -> list[Row]:
    """(territory_id, display_name, email, role) of the members of these territories who agreed
    to be contacted by peers; nobody else."""
    if not territory_ids:
        return []
    P, MS = tables.person, tables.membership
    query = (
        sa.select(MS.c.territory_id, P.c.display_name, P.c.email, MS.c.role)
        .select_from(P.join(CONSENT, CONSENT.c.person_id == P.c.id).join(MS, MS.c.person_id == P.c.id))
        .where(MS.c.territory_id.in_(list(territory_ids)))
        .order_by(MS.c.territory_id, P.c.display_name, P.c.id)
    )
    return conn.execute(query).all()
