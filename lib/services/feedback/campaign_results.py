"""Results of a campaign: what the results page shows, aggregated in SQL, with the one anonymity
rule by response (``lib.domain.anonymity``) shared with the exports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from lib.access import Action, Actor, require
from lib.domain import anonymity, clock, forms
from lib.domain import feedback_analytics as fa
from lib.domain.errors import NotFound
from lib.domain.forms import FormTemplate
from lib.domain.inputs import Checks
from lib.services.feedback.campaigns import Campaign, campaign_of
from lib.services.feedback.templates import respondent_roles, stored_template
from lib.services.unit_of_work import reading
from lib.store import feedback as store


@dataclass
class Results:
    campaign: Campaign
    template: FormTemplate
    submitted: int
    drafts: int
    counts: pd.DataFrame
    counts_table: pd.DataFrame
    distribution: pd.DataFrame
    means: pd.DataFrame
    gaps: pd.DataFrame
    choices: pd.DataFrame
    texts: dict[str, list[tuple[str, list[str]]]] = field(default_factory=dict)
    min_answers: int = fa.MIN_ANSWERS_PER_ROLE
    groups: anonymity.RoleGroups = anonymity.NAMED  # roles pooled for anonymity, if any


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


def results(
    engine: Engine,
    actor: Actor | None,
    campaign_id: int,
    start: date | None = None,
    end: date | None = None,
    min_answers: int = fa.MIN_ANSWERS_PER_ROLE,
    today: date | None = None,
) -> Results:
    """Everything the results page shows for one campaign, aggregated in SQL."""
    check_period(campaign_id, start, end)
    roles = respondent_roles()
    with reading(engine) as conn:
        campaign = readable_campaign(conn, actor, campaign_id, today or clock.today())
        template = stored_template(conn, campaign.template_id)
        scale_ids = [q.id for q in template.questions_of_type(forms.SCALE)]
        choice_ids = [q.id for q in template.questions_of_type(*forms.CHOICE_TYPES)]
        text_ids = [q.id for q in template.questions_of_type(*forms.TEXT_TYPES)]
        since, until = instants(start, end)
        shown = store.submitted_by_role(conn, campaign_id, since, until)
        # Anonymous means anonymous: no figure by role rests on too few responses.
        groups = role_groups(conn, campaign, shown, since is not None or until is not None)
        of = groups.of
        hours = store.counts_by_role_and_hour(conn, campaign_id, since, until)
        counts = fa.counts_over_time(((clock.local_day(h), of(role), n) for h, role, n in hours), roles)
        dist = fa.distribution(
            (q, of(role), v, n)
            for q, role, v, n in store.numeric_distribution(conn, campaign_id, scale_ids, since, until)
        )
        choices = fa.choice_counts(
            (q, of(role), o, n)
            for q, role, o, n in store.choice_distribution(conn, campaign_id, choice_ids, since, until)
        )
        texts = fa.texts_by_role(store.free_texts(conn, campaign_id, text_ids, since, until), roles, groups)
        drafts = store.count_drafts(conn, campaign_id)
    scales = {q.id: (q.min, q.max) for q in template.questions_of_type(forms.SCALE)}
    return Results(
        campaign=campaign,
        template=template,
        submitted=int(counts["responses"].sum()) if not counts.empty else 0,
        drafts=drafts,
        counts=counts,
        counts_table=fa.counts_table(counts, roles),
        distribution=dist,
        means=fa.role_means(dist, roles),
        gaps=fa.perception_gaps(dist, scales, roles, min_answers),
        choices=choices,
        texts=texts,
        min_answers=min_answers,
        groups=groups,
    )
