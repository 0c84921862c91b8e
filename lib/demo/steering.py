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

from lib.access import Role
from lib.domain.engagement import LOGIN_ACTION
from lib.store import demo as demo_store

if TYPE_CHECKING:
    from lib.demo.seed import SeedContext

ENGAGED = "demo-vallee-des-tilleuls"
SILENT_ELECTED = "demo-val-fougere"
# Whom an elected official's answer in Val-Fougère's campaigns is given to instead.
STAND_IN_ROLE = "local_agent"
# One response in eight came through the network's general link and says no territory.
UNATTRIBUTED_EVERY = 8


def _weekly_logins(ctx: SeedContext) -> int:
    territory = ctx.territory(ENGAGED)
    members = ctx.members(territory["id"], (Role.TERRITORY_ADMIN, Role.CONTRIBUTOR, Role.READER))
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
        demo_store.raise_last_login(ctx.conn, person_id, moment)
    return written


def _silent_elected_officials(ctx: SeedContext) -> int:
    territory_id = ctx.territory(SILENT_ELECTED)["id"]
    ids = demo_store.responses_of_role(ctx.conn, territory_id, "elected_official")
    demo_store.set_responses(ctx.conn, ids, respondent_role=STAND_IN_ROLE)
    _retag(ctx, set(ids), role=STAND_IN_ROLE)
    return len(ids)


def _network_responses_by_territory(ctx: SeedContext) -> int:
    responses = demo_store.network_responses(ctx.conn)
    answering = [x for x in ctx.territories if x["tier"] != "stalled"]
    written = 0
    for index, (response_id, role) in enumerate(responses):
        if index % UNATTRIBUTED_EVERY == UNATTRIBUTED_EVERY - 1:
            continue
        candidates = [
            x for x in answering if not (x["slug"] == SILENT_ELECTED and role == "elected_official")
        ]
        territory = ctx.rng.choice(candidates)
        demo_store.set_responses(ctx.conn, [response_id], territory_id=territory["id"])
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
