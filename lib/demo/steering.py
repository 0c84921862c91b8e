"""Demo seed step: the signals a network coordinator should see on *Pilotage du réseau*.

Runs after the campaigns and responses, before the activity log is written:

- **an engaged territory** — Vallée-des-Tilleuls: its members log in every week of the past
  year, so its row of the activity map is never empty;
- **stalled territories** — the "stalled" tier (Bourg-les-Castors, Haute-Sylve) already did
  nothing for months; this step keeps it so by never counting a recent answer for them;
- **a territory whose elected officials never answer** — Val-Fougère: its campaigns
  receive answers from every other hat, none from an elected official;
- the network-wide campaign's responses are counted for the territories their respondents
  answered for (a few came through the general link and say none), so its results can be
  read territory by territory.

Rows written by earlier steps are adjusted in place, and their activity entries with them.
Everything is drawn from ``ctx.rng``: the same day gives the same rows.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa

from lib.domain.engagement import LOGIN_ACTION
from lib.store import tables

if TYPE_CHECKING:
    from lib.demo.seed import SeedContext

ENGAGED = "demo-vallee-des-tilleuls"
SILENT_ELECTED = "demo-val-fougere"
# Whom an elected official's answer in Val-Fougère's campaigns is given to instead.
STAND_IN_ROLE = "local_agent"
# One response in eight came through the network's general link and says no territory.
UNATTRIBUTED_EVERY = 8
# An adjustment is not an edit: the rows keep the time the earlier step gave them, so the
# same day still gives the same rows.
_KEEP_STAMP = {"updated_at": tables.response.c.updated_at}


def _weekly_logins(ctx: SeedContext) -> int:
    territory = ctx.territory(ENGAGED)
    members = ctx.members(territory["id"], ("territory_admin", "contributor", "reader"))
    latest: dict[int, object] = {}
    written = 0
    for week in range(52):
        day = ctx.today - timedelta(days=7 * week + ctx.rng.randint(0, 6))
        for person_id in ctx.rng.sample(members, ctx.rng.randint(1, len(members))):
            moment = ctx.at(day, ctx.rng.randint(8, 18), ctx.rng.randint(0, 59))
            ctx.log(moment, LOGIN_ACTION, person_id=person_id)
            latest[person_id] = max(moment, latest.get(person_id, moment))
            written += 1
    for person_id, moment in latest.items():
        ctx.conn.execute(
            sa.update(tables.person)
            .where(tables.person.c.id == person_id, tables.person.c.last_login_at < moment)
            .values(last_login_at=moment, updated_at=tables.person.c.updated_at)
        )
    return written


def _silent_elected_officials(ctx: SeedContext) -> int:
    territory_id = ctx.territory(SILENT_ELECTED)["id"]
    r, c = tables.response, tables.campaign
    ids = list(
        ctx.conn.execute(
            sa.select(r.c.id)
            .join(c, c.c.id == r.c.campaign_id)
            .where(c.c.territory_id == territory_id, r.c.respondent_role == "elected_official")
            .order_by(r.c.id)
        ).scalars()
    )
    if ids:
        ctx.conn.execute(
            sa.update(r).where(r.c.id.in_(ids)).values(respondent_role=STAND_IN_ROLE, **_KEEP_STAMP)
        )
    _retag(ctx, set(ids), role=STAND_IN_ROLE)
    return len(ids)


def _network_responses_by_territory(ctx: SeedContext) -> int:
    r, c = tables.response, tables.campaign
    responses = ctx.conn.execute(
        sa.select(r.c.id, r.c.respondent_role)
        .join(c, c.c.id == r.c.campaign_id)
        .where(c.c.territory_id.is_(None))
        .order_by(r.c.id)
    ).all()
    answering = [x for x in ctx.territories if x["tier"] != "stalled"]
    written = 0
    for index, (response_id, role) in enumerate(responses):
        if index % UNATTRIBUTED_EVERY == UNATTRIBUTED_EVERY - 1:
            continue
        candidates = [
            x for x in answering if not (x["slug"] == SILENT_ELECTED and role == "elected_official")
        ]
        territory = ctx.rng.choice(candidates)
        ctx.conn.execute(
            sa.update(r).where(r.c.id == response_id).values(territory_id=territory["id"], **_KEEP_STAMP)
        )
        _retag(ctx, {response_id}, territory_id=territory["id"])
        written += 1
    return written


def _retag(ctx: SeedContext, response_ids: set[int], **changes) -> None:
    """Keep the (not yet written) activity entries of these responses in step with them."""
    for entry in ctx.activity:
        if entry["subject_type"] == "response" and entry["subject_id"] in response_ids:
            if "role" in changes:
                entry["details"] = {**(entry["details"] or {}), "role": changes["role"]}
            if "territory_id" in changes:
                entry["territory_id"] = changes["territory_id"]


def seed_engagement_signals(ctx: SeedContext) -> int:
    return _weekly_logins(ctx) + _silent_elected_officials(ctx) + _network_responses_by_territory(ctx)
