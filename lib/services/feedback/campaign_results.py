"""Results of a campaign: what the results page shows, aggregated in SQL, with the one anonymity
rule by response (``lib.domain.anonymity``) shared with the exports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from lib.access import Action, Actor, require
from lib.domain import anonymity, clock
from lib.domain import feedback_analytics as fa
from lib.domain import question_types as qt
from lib.domain.errors import NotFound
from lib.domain.forms import FormTemplate
from lib.domain.inputs import Checks
from lib.services.cache import caches
from lib.services.feedback.campaigns import Campaign, campaign_of
from lib.services.feedback.templates import respondent_roles, stored_template
from lib.services.unit_of_work import reading
from lib.store import feedback as store


def readable_campaign(conn: Connection, actor: Actor | None, campaign_id: int, today: date) -> Campaign:
    row = store.campaign_by_id(conn, campaign_id)
    if row is None:
        # Same answer as a refusal for people without rights: existence is not disclosed.
        require(actor, Action.VIEW_NETWORK)
        raise NotFound(campaign_id=campaign_id)
    require(actor, Action.VIEW_RESULTS, row.territory_id)
    return campaign_of(row, today)


def check_period(campaign_id: Any, start: Any, end: Any) -> None:
    """What a results or export request names: a campaign, and optionally a period of days."""
    checks = Checks()
    checks.record_id("campaign_id", campaign_id)
    checks.day("start", start, required=False)
    checks.day("end", end, required=False)
    checks.done()


def instants(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """A period of French days, from ``start`` to ``end`` included, as UTC instants."""
    since = clock.start_of_local_day(start) if start is not None else None
    until = clock.start_of_local_day(end + timedelta(days=1)) if end is not None else None
    return since, until


def role_groups(
    conn: Connection, campaign: Campaign, shown: Mapping[str, int], period: bool
) -> anonymity.RoleGroups:
    """How roles are shown for this campaign and period: the one rule of ``lib.domain.anonymity``,
    for the screen and the exports alike."""
    if not campaign.anonymous:
        return anonymity.NAMED
    whole = store.submitted_by_role(conn, campaign.id) if period else shown
    return anonymity.role_groups(whole, shown, order=respondent_roles())


@dataclass(frozen=True)
class Figures:
    """A campaign's results for a period: the same for everyone who may read them (cached)."""

    submitted: int
    counts: pd.DataFrame
    counts_table: pd.DataFrame
    distribution: pd.DataFrame
    means: pd.DataFrame
    gaps: pd.DataFrame
    choices: pd.DataFrame
    texts: dict[str, list[tuple[str, list[str]]]]
    # Number questions: answers, quartiles and median per group, then for everyone.
    numbers: pd.DataFrame
    groups: anonymity.RoleGroups  # roles pooled for anonymity, if any


@dataclass(frozen=True)
class Results(Figures):
    """What the results page shows: the figures, and what is this reader's or this moment's."""

    campaign: Campaign
    template: FormTemplate
    drafts: int
    min_answers: int = fa.MIN_ANSWERS_PER_ROLE


def _figures(
    conn: Connection,
    campaign: Campaign,
    template: FormTemplate,
    since: datetime | None,
    until: datetime | None,
    min_answers: int,
) -> Figures:
    roles = respondent_roles()
    # One aggregate per kind of summary a question type declares (``question_types``).
    scale_ids, choice_ids, text_ids, number_ids = (
        [q.id for q in template.questions_summarised_as(kind)]
        for kind in (qt.BY_VALUE, qt.BY_OPTION, qt.TEXTS, qt.NUMBERS)
    )
    shown = store.submitted_by_role(conn, campaign.id, since, until)
    # Anonymous means anonymous: no figure by role rests on too few responses.
    groups = role_groups(conn, campaign, shown, since is not None or until is not None)
    of = groups.of
    hours = store.counts_by_role_and_hour(conn, campaign.id, since, until)
    counts = fa.counts_over_time(((clock.local_day(h), of(role), n) for h, role, n in hours), roles)
    dist = fa.distribution(
        (q, of(role), v, n)
        for q, role, v, n in store.numeric_distribution(conn, campaign.id, scale_ids, since, until)
    )
    choices = fa.choice_counts(
        (q, of(role), o, n)
        for q, role, o, n in store.choice_distribution(conn, campaign.id, choice_ids, since, until)
    )
    texts = fa.texts_by_role(store.free_texts(conn, campaign.id, text_ids, since, until), roles, groups)
    numbers = fa.number_summary(
        (
            (q, of(role), v, n)
            for q, role, v, n in store.numeric_distribution(conn, campaign.id, number_ids, since, until)
        ),
        roles,
    )
    scales = {q.id: (q.min, q.max) for q in template.questions_summarised_as(qt.BY_VALUE)}
    means = fa.role_means(dist, roles)
    return Figures(
        submitted=int(counts["responses"].sum()) if not counts.empty else 0,
        counts=counts,
        counts_table=fa.counts_table(counts, roles),
        distribution=dist,
        means=means,
        gaps=fa.perception_gaps(dist, scales, roles, min_answers, means=means),
        choices=choices,
        texts=texts,
        numbers=numbers,
        groups=groups,
    )


def results(
    engine: Engine,
    actor: Actor | None,
    campaign_id: int,
    start: date | None = None,
    end: date | None = None,
    min_answers: int = fa.MIN_ANSWERS_PER_ROLE,
    today: date | None = None,
) -> Results:
    """Everything the results page shows for one campaign, aggregated in SQL.

    The figures are cached per process under the campaign's data version, read here with the
    row the rights are checked on (``lib.services.cache``): only the drafts are counted anew.
    """
    check_period(campaign_id, start, end)
    with reading(engine) as conn:
        campaign = readable_campaign(conn, actor, campaign_id, today or clock.today())
        template = stored_template(conn, campaign.template_id)
        since, until = instants(start, end)
        key = (
            campaign.id,
            campaign.data_version,
            campaign.anonymous,
            campaign.template_id,
            since,
            until,
            min_answers,
        )
        figures = caches().results.get_or_compute(
            key, lambda: _figures(conn, campaign, template, since, until, min_answers)
        )
        drafts = store.count_drafts(conn, campaign_id)
    # Copies: a page that reshapes a frame must not reshape the one kept for the next reader.
    kept = {f.name: getattr(figures, f.name) for f in fields(Figures)}
    copied = {name: value.copy() for name, value in kept.items() if isinstance(value, pd.DataFrame)}
    texts = {q: [(role, list(said)) for role, said in by_role] for q, by_role in figures.texts.items()}
    return Results(
        **(kept | copied | {"texts": texts}),
        campaign=campaign,
        template=template,
        drafts=drafts,
        min_answers=min_answers,
    )
