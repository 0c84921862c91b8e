"""Demo seed step: what each territory shares, whom peers may contact, what each story is about.

The peer groups and trajectories come from the earlier steps; this one makes them readable
between territories. Sharing levels differ on purpose so every peers' screen shows a case:
Bourg-les-Castors shares nothing (it only counts, unnamed, in its groups' spreads), Mont-Sureau
keeps its assessments to itself but tells its journey, Bel-Estuaire publishes everything it
may on the public showcase, the two-territory Hauts-de-France cohort is too small for a spread.
Each change is written to the activity log as its admin would have made it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from lib.access import Role
from lib.demo.texts import demo_file
from lib.store import demo as demo_store

if TYPE_CHECKING:
    from lib.demo.seed import SeedContext


def seed_sharing_and_contacts(ctx: SeedContext) -> int:
    rows = []
    for territory in ctx.territories:
        levels = territory["shares"]  # per kind of data (data/demo/territories.yaml)
        admins = ctx.members(territory["id"], (Role.TERRITORY_ADMIN,)) or ctx.coordinator_ids
        when = ctx.at(territory["joined_on"] + timedelta(days=ctx.rng.randint(3, 20)), 11)
        for kind, level in levels.items():
            rows.append(
                {
                    "territory_id": territory["id"],
                    "kind": kind,
                    "level": level,
                    "updated_by": admins[0],
                    "updated_at": when,
                }
            )
            ctx.log(
                when,
                "sharing.changed",
                person_id=admins[0],
                territory_id=territory["id"],
                subject_type="territory",
                subject_id=territory["id"],
                details={"kind": kind, "to": level},
            )
    demo_store.add_sharing_levels(ctx.conn, rows)

    cast = demo_file("people")["people"]
    contacts = {p["name"] for p in cast if p["peers_may_contact"]}
    public = {p["name"] for p in cast if p.get("public_contact")}
    consents = []
    for person in ctx.people:
        if person["display_name"] in contacts:
            when = ctx.at(ctx.today - timedelta(days=ctx.rng.randint(30, 300)), 10)
            consents.append(
                {"person_id": person["id"], "agreed_at": when, "public": person["display_name"] in public}
            )
            ctx.log(
                when,
                "contact.consent_given",
                person_id=person["id"],
                subject_type="person",
                subject_id=person["id"],
            )
            if person["display_name"] in public:
                ctx.log(
                    when,
                    "contact.public_given",
                    person_id=person["id"],
                    subject_type="person",
                    subject_id=person["id"],
                )
    demo_store.add_contact_consents(ctx.conn, consents)

    # The axis each story tells about (data/demo/journey.yaml), tagged as if written so.
    axes = {m["title"]: m["axis"] for stories in demo_file("journey")["milestones"].values() for m in stories}
    tagged = demo_store.tag_story_axes(ctx.conn, [x["id"] for x in ctx.territories], axes)
    return len(rows) + len(consents) + tagged
