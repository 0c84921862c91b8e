"""SQL for feedback: templates, campaigns, responses and their answers, and the aggregates
the results page reads (always grouped in SQL, never whole tables into pandas).

Every function takes an open connection; services decide the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from lib.domain import template_versions
from lib.domain.forms import FormTemplate
from lib.store import tables

SUBMITTED = "submitted"
DRAFT = "draft"

# --- Templates -----------------------------------------------------------------------------


def template_by_id(conn: Connection, template_id: int) -> Row | None:
    return conn.execute(
        sa.select(tables.form_template).where(tables.form_template.c.id == template_id)
    ).first()


def latest_templates(conn: Connection) -> list[Row]:
    """The newest version of each template, by title."""
    newest = (
        sa.select(tables.form_template.c.slug, sa.func.max(tables.form_template.c.version).label("version"))
        .group_by(tables.form_template.c.slug)
        .subquery()
    )
    query = (
        sa.select(tables.form_template)
        .join(
            newest,
            sa.and_(
                newest.c.slug == tables.form_template.c.slug,
                newest.c.version == tables.form_template.c.version,
            ),
        )
        .order_by(tables.form_template.c.slug)
    )
    return list(conn.execute(query))


def newest_template(conn: Connection, slug: str) -> Row | None:
    return conn.execute(
        sa.select(tables.form_template)
        .where(tables.form_template.c.slug == slug)
        .order_by(tables.form_template.c.version.desc())
        .limit(1)
    ).first()


def template_has_answers(conn: Connection, template_id: int) -> bool:
    """Whether any response (even a draft) was started on a campaign using this version."""
    query = (
        sa.select(sa.literal(1))
        .select_from(
            tables.response.join(tables.campaign, tables.campaign.c.id == tables.response.c.campaign_id)
        )
        .where(tables.campaign.c.form_template_id == template_id)
        .limit(1)
    )
    return conn.execute(query).first() is not None


def save_template(
    conn: Connection,
    *,
    slug: str,
    version: int,
    title_fr: str,
    title_en: str,
    content: dict[str, Any],
    framework_version: str | None,
    created_by: int | None = None,
    at: datetime | None = None,
) -> tuple[int, int]:
    """Store a template document; returns ``(id, version)`` of the version that holds it.

    Whether it updates the newest stored version of the same slug or adds a new one is the
    domain's rule (``lib.domain.template_versions``); this carries it out. ``at`` fixes the
    timestamps (the demo seed must write the same rows every time).
    """
    stamps = {"created_at": at, "updated_at": at} if at is not None else {}
    newest = newest_template(conn, slug)
    values = {
        "title_fr": title_fr,
        "title_en": title_en,
        "content": content,
        "framework_version": framework_version,
    }
    wording = template_versions.Wording(title_fr, title_en, content, created_by)
    placement = _placement(conn, newest, wording, version)
    if placement.step == template_versions.Step.KEEP:
        return newest.id, newest.version
    if placement.step == template_versions.Step.UPDATE:
        conn.execute(
            sa.update(tables.form_template)
            .where(tables.form_template.c.id == newest.id)
            .values(version=placement.version, **values)
        )
        return newest.id, placement.version
    new_id = conn.execute(
        sa.insert(tables.form_template).values(
            slug=slug, version=placement.version, created_by=created_by, **values, **stamps
        )
    ).inserted_primary_key[0]
    return new_id, placement.version


def _placement(
    conn: Connection, newest: Row | None, wording: template_versions.Wording, floor: int
) -> template_versions.Placement:
    stored = None
    if newest is not None:
        said = template_versions.Wording(newest.title_fr, newest.title_en, newest.content, newest.created_by)
        stored = template_versions.StoredVersion(newest.version, said, template_has_answers(conn, newest.id))
    return template_versions.place(stored, wording, floor=floor)


def template_placement(
    conn: Connection, template: FormTemplate, content: dict[str, Any], created_by: int | None
) -> template_versions.Placement:
    """Where ``store_template`` would put this template's wording, without storing it."""
    wording = template_versions.Wording(template.title.fr, template.title.en, content, created_by)
    return _placement(conn, newest_template(conn, template.slug), wording, template.version)


def store_template(
    conn: Connection,
    template: FormTemplate,
    *,
    framework_version: str | None,
    created_by: int | None = None,
    at: datetime | None = None,
) -> tuple[int, int]:
    """``save_template`` for a parsed template: its slug, version, titles and document."""
    return save_template(
        conn,
        slug=template.slug,
        version=template.version,
        title_fr=template.title.fr,
        title_en=template.title.en,
        content=template.raw,
        framework_version=framework_version,
        created_by=created_by,
        at=at,
    )


# --- Campaigns -----------------------------------------------------------------------------


def insert_campaign(conn: Connection, **values: Any) -> int:
    return conn.execute(sa.insert(tables.campaign).values(**values)).inserted_primary_key[0]


def _campaign_query(*, counted: bool = True) -> sa.Select:
    # Correlated: counted through the (campaign_id, status) index for the campaigns selected,
    # never over the whole response table. A share link shows no count: not counted there.
    submitted_count = (
        sa.select(sa.func.count())
        .where(tables.response.c.campaign_id == tables.campaign.c.id, tables.response.c.status == SUBMITTED)
        .correlate(tables.campaign)
        .scalar_subquery()
        if counted
        else sa.null()
    )
    return sa.select(
        tables.campaign,
        tables.territory.c.name.label("territory_name"),
        tables.form_template.c.slug.label("template_slug"),
        tables.form_template.c.version.label("template_version"),
        tables.form_template.c.title_fr.label("template_title_fr"),
        tables.form_template.c.title_en.label("template_title_en"),
        submitted_count.label("submitted_count"),
    ).select_from(
        tables.campaign.join(
            tables.form_template, tables.form_template.c.id == tables.campaign.c.form_template_id
        ).join(tables.territory, tables.territory.c.id == tables.campaign.c.territory_id, isouter=True)
    )


def bump_data_version(conn: Connection, campaign_id: int) -> None:
    """Mark the campaign's submitted responses as changed, in the writer's own transaction: what
    was computed from them under the former version is never read again (``lib.services.cache``)."""
    conn.execute(
        sa.update(tables.campaign)
        .where(tables.campaign.c.id == campaign_id)
        .values(data_version=tables.campaign.c.data_version + 1, updated_at=tables.campaign.c.updated_at)
    )


def campaign_by_id(conn: Connection, campaign_id: int) -> Row | None:
    return conn.execute(_campaign_query().where(tables.campaign.c.id == campaign_id)).first()


def campaign_by_token(conn: Connection, token: str) -> Row | None:
    """The campaign behind a share link (without its submitted count, which a link never shows)."""
    return conn.execute(_campaign_query(counted=False).where(tables.campaign.c.share_token == token)).first()


def list_campaigns(conn: Connection, territory_ids: Sequence[int] | None) -> list[Row]:
    """Campaigns of these territories plus the network-wide ones; every campaign when None."""
    query = _campaign_query()
    if territory_ids is not None:
        query = query.where(
            sa.or_(
                tables.campaign.c.territory_id.in_(list(territory_ids)),
                tables.campaign.c.territory_id.is_(None),
            )
        )
    return list(conn.execute(query.order_by(tables.campaign.c.opens_on.desc(), tables.campaign.c.id.desc())))


def _matching(query: sa.Select, search: str) -> sa.Select:
    if not search:
        return query
    return query.where(
        sa.or_(
            tables.campaign.c.title.icontains(search, autoescape=True),
            tables.territory.c.name.icontains(search, autoescape=True),
        )
    )


def _of_territories(query: sa.Select, territory_ids: Sequence[int] | None) -> sa.Select:
    """Only these territories' campaigns (the network's left out); every one when None."""
    if territory_ids is None:
        return query
    return query.where(tables.campaign.c.territory_id.in_(list(territory_ids)))


def campaigns_page(
    conn: Connection, *, search: str, limit: int, offset: int, territory_ids: Sequence[int] | None = None
) -> list[Row]:
    """A page of the network's campaigns (only ``territory_ids``' when given), newest first,
    whose title or territory's name contains ``search`` (any case); counted only for the
    page's campaigns."""
    query = _of_territories(_matching(_campaign_query(), search), territory_ids)
    query = query.order_by(tables.campaign.c.opens_on.desc(), tables.campaign.c.id.desc())
    return list(conn.execute(query.limit(limit).offset(offset)))


def count_campaigns(conn: Connection, *, search: str, territory_ids: Sequence[int] | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(
        tables.campaign.join(
            tables.territory, tables.territory.c.id == tables.campaign.c.territory_id, isouter=True
        )
    )
    return int(conn.execute(_of_territories(_matching(query, search), territory_ids)).scalar_one())


# --- Responses -----------------------------------------------------------------------------


def insert_response(conn: Connection, **values: Any) -> int:
    return conn.execute(sa.insert(tables.response).values(**values)).inserted_primary_key[0]


def response_by_code(conn: Connection, campaign_id: int, resume_code: str) -> Row | None:
    return conn.execute(
        sa.select(tables.response).where(
            tables.response.c.campaign_id == campaign_id, tables.response.c.resume_code == resume_code
        )
    ).first()


def update_response(conn: Connection, response_id: int, **values: Any) -> None:
    conn.execute(sa.update(tables.response).where(tables.response.c.id == response_id).values(**values))


def claim_draft(conn: Connection, response_id: int) -> bool:
    """Lock a response for the rest of the transaction, if it is still a draft; whether it is.

    A guarded UPDATE rather than a read: it takes PostgreSQL's row lock and SQLite's write lock
    alike, so whoever comes second waits, then finds the response sent (or reads the first
    one's saved answers). The row count says who won."""
    return (
        conn.execute(
            sa.update(tables.response)
            .where(tables.response.c.id == response_id, tables.response.c.status == DRAFT)
            .values(updated_at=tables.utcnow())
        ).rowcount
        == 1
    )


def replace_answers(
    conn: Connection, response_id: int, rows: Iterable[tuple[str, float | None, str | None]]
) -> None:
    conn.execute(sa.delete(tables.answer).where(tables.answer.c.response_id == response_id))
    payload = [
        {"response_id": response_id, "question_id": q, "numeric_value": n, "text_value": s}
        for q, n, s in rows
    ]
    if payload:
        conn.execute(sa.insert(tables.answer), payload)


# --- Aggregates for the results page -------------------------------------------------------


def _period(
    column: sa.ColumnElement, since: datetime | None, until: datetime | None
) -> list[sa.ColumnElement]:
    """Timestamps from ``since`` (included) to ``until`` (excluded): instants, not days, so the
    caller decides which time zone a day is taken in."""
    clauses = []
    if since is not None:
        clauses.append(column >= since)
    if until is not None:
        clauses.append(column < until)
    return clauses


def _submitted(campaign_id: int, since: datetime | None, until: datetime | None) -> list[sa.ColumnElement]:
    return [
        tables.response.c.campaign_id == campaign_id,
        tables.response.c.status == SUBMITTED,
        *_period(tables.response.c.submitted_at, since, until),
    ]


def _utc_hour(conn: Connection, column: sa.ColumnElement) -> sa.ColumnElement:
    # Hours, not days: a French day starts at 23:00 or 22:00 UTC, so days are made from hours
    # by the caller. SQLite stores UTC text; PostgreSQL must be told to read the hour in UTC.
    if conn.dialect.name == "postgresql":
        return sa.func.to_char(sa.func.timezone("UTC", column), "YYYY-MM-DD HH24")
    return sa.func.strftime("%Y-%m-%d %H", column)


def counts_by_role_and_hour(
    conn: Connection, campaign_id: int, since: datetime | None = None, until: datetime | None = None
) -> list[tuple[datetime, str, int]]:
    """``(UTC hour, role, submitted responses)``."""
    hour = _utc_hour(conn, tables.response.c.submitted_at).label("hour")
    query = (
        sa.select(hour, tables.response.c.respondent_role, sa.func.count().label("n"))
        .where(*_submitted(campaign_id, since, until))
        .group_by(hour, tables.response.c.respondent_role)
        .order_by(hour)
    )
    # fromisoformat, not strptime: a tenth of the cost, once per (hour, role) row.
    return [
        (datetime.fromisoformat(f"{r.hour}:00+00:00"), r.respondent_role, int(r.n))
        for r in conn.execute(query)
    ]


def submitted_by_role(
    conn: Connection, campaign_id: int, since: datetime | None = None, until: datetime | None = None
) -> dict[str, int]:
    """Submitted responses per role."""
    query = (
        sa.select(tables.response.c.respondent_role, sa.func.count().label("n"))
        .where(*_submitted(campaign_id, since, until))
        .group_by(tables.response.c.respondent_role)
    )
    return {r.respondent_role: int(r.n) for r in conn.execute(query)}


def count_drafts(conn: Connection, campaign_id: int) -> int:
    query = sa.select(sa.func.count()).where(
        tables.response.c.campaign_id == campaign_id, tables.response.c.status == DRAFT
    )
    return int(conn.execute(query).scalar_one())


def _answers_of_submitted(campaign_id: int, since: datetime | None, until: datetime | None) -> sa.Select:
    return (
        sa.select()
        .select_from(tables.answer.join(tables.response, tables.response.c.id == tables.answer.c.response_id))
        .where(*_submitted(campaign_id, since, until))
    )


def numeric_distribution(
    conn: Connection,
    campaign_id: int,
    question_ids: Sequence[str],
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[tuple[str, str, float, int]]:
    """``(question_id, role, value, answers)`` for numeric answers to these questions."""
    if not question_ids:
        return []
    cols = (tables.answer.c.question_id, tables.response.c.respondent_role, tables.answer.c.numeric_value)
    query = (
        _answers_of_submitted(campaign_id, since, until)
        .add_columns(*cols, sa.func.count().label("n"))
        .where(
            tables.answer.c.question_id.in_(list(question_ids)), tables.answer.c.numeric_value.is_not(None)
        )
        .group_by(*cols)
        .order_by(*cols)
    )
    return [(r.question_id, r.respondent_role, float(r.numeric_value), int(r.n)) for r in conn.execute(query)]


def choice_distribution(
    conn: Connection,
    campaign_id: int,
    question_ids: Sequence[str],
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[tuple[str, str, str, int]]:
    """``(question_id, role, option, answers)`` for choice questions."""
    if not question_ids:
        return []
    cols = (tables.answer.c.question_id, tables.response.c.respondent_role, tables.answer.c.text_value)
    query = (
        _answers_of_submitted(campaign_id, since, until)
        .add_columns(*cols, sa.func.count().label("n"))
        .where(tables.answer.c.question_id.in_(list(question_ids)), tables.answer.c.text_value.is_not(None))
        .group_by(*cols)
        .order_by(*cols)
    )
    return [(r.question_id, r.respondent_role, r.text_value, int(r.n)) for r in conn.execute(query)]


def free_texts(
    conn: Connection,
    campaign_id: int,
    question_ids: Sequence[str],
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 2000,
) -> list[tuple[str, str, str]]:
    """``(question_id, role, text)``, newest first, at most ``limit`` rows."""
    if not question_ids:
        return []
    query = (
        _answers_of_submitted(campaign_id, since, until)
        .add_columns(
            tables.answer.c.question_id, tables.response.c.respondent_role, tables.answer.c.text_value
        )
        .where(tables.answer.c.question_id.in_(list(question_ids)), tables.answer.c.text_value.is_not(None))
        .order_by(tables.response.c.submitted_at.desc(), tables.answer.c.id)
        .limit(limit)
    )
    return [(r.question_id, r.respondent_role, r.text_value) for r in conn.execute(query)]


def submitted_responses(
    conn: Connection, campaign_id: int, since: datetime | None = None, until: datetime | None = None
) -> list[dict[str, Any]]:
    query = (
        sa.select(
            tables.response.c.id,
            tables.response.c.respondent_role.label("role"),
            tables.response.c.created_at,
            tables.response.c.submitted_at,
            tables.response.c.document,
        )
        .where(*_submitted(campaign_id, since, until))
        .order_by(tables.response.c.submitted_at, tables.response.c.id)
    )
    return [
        {
            "id": r.id,
            "role": r.role,
            "created_at": r.created_at,
            "submitted_at": r.submitted_at,
            "respondent_name": (r.document or {}).get("respondent_name"),
        }
        for r in conn.execute(query)
    ]


def submitted_answers(
    conn: Connection, campaign_id: int, since: datetime | None = None, until: datetime | None = None
) -> list[tuple[int, str, float | None, str | None]]:
    query = (
        _answers_of_submitted(campaign_id, since, until)
        .add_columns(
            tables.answer.c.response_id,
            tables.answer.c.question_id,
            tables.answer.c.numeric_value,
            tables.answer.c.text_value,
        )
        .order_by(tables.answer.c.response_id, tables.answer.c.id)
    )
    return [(r.response_id, r.question_id, r.numeric_value, r.text_value) for r in conn.execute(query)]


# --- Managing a campaign's life (close early, reopen, delete) -------------------------------


def campaign_row(conn: Connection, campaign_id: int) -> Row | None:
    return conn.execute(sa.select(tables.campaign).where(tables.campaign.c.id == campaign_id)).first()


def set_campaign_dates(conn: Connection, campaign_id: int, *, opens_on: date, closes_on: date) -> None:
    conn.execute(
        sa.update(tables.campaign)
        .where(tables.campaign.c.id == campaign_id)
        .values(opens_on=opens_on, closes_on=closes_on)
    )


def update_campaign(conn: Connection, campaign_id: int, **values: Any) -> None:
    conn.execute(sa.update(tables.campaign).where(tables.campaign.c.id == campaign_id).values(**values))


def has_responses(conn: Connection, campaign_id: int) -> bool:
    """Any response at all, drafts included: someone has started typing."""
    query = sa.select(sa.literal(1)).where(tables.response.c.campaign_id == campaign_id).limit(1)
    return conn.execute(query).first() is not None


def delete_campaign(conn: Connection, campaign_id: int) -> int:
    return conn.execute(sa.delete(tables.campaign).where(tables.campaign.c.id == campaign_id)).rowcount
