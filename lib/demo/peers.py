"""Demo seed step: what each territory shares, whom peers may contact, what each story is about.

The peer groups and trajectories come from the earlier steps; this one makes them readable
between territories. Sharing levels differ on purpose so every peers' screen shows a case:
Bourg-les-Castors shares nothing (it only counts, unnamed, in its groups' spreads), Mont-Sureau
keeps its assessments to itself but tells its journey, Bel-Estuaire shares everything with
the whole network, the two-territory Hauts-de-France cohort is too small for a spread.
Each change is written to the activity log as its admin would have made it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa

from lib.store import tables

if TYPE_CHECKING:
    from lib.demo.seed import SeedContext

# slug (without "demo-") → (assessments, journey, feedback)
_LEVELS = {
    "vallee-des-tilleuls": ("peers", "peers", "peers"),
    "port-lanterne": ("network", "network", "peers"),
    "bourg-les-castors": ("private", "private", "private"),
    "mont-sureau": ("private", "peers", "private"),
    "hauts-de-brume": ("peers", "peers", "private"),
    "val-fougere": ("peers", "network", "private"),
    "bel-estuaire": ("network", "network", "network"),
    "collines-douces": ("peers", "peers", "private"),
    "haute-sylve": ("network", "private", "private"),
    "marches-d-argent": ("network", "network", "private"),
    "landes-bleues": ("peers", "peers", "peers"),
    "etang-vert": ("private", "peers", "private"),
}
_KINDS = ("assessments", "journey", "feedback")

# The axis each demo story tells about (titles of ``lib.demo.seed._MILESTONES``).
_STORY_AXES = {
    "Le déclic de la friche": "engagement",
    "Un premier conseil consacré à la transition": "engagement",
    "La visite d’un territoire pionnier": "systemic",
    "Les premiers ateliers ouverts": "engagement",
    "Une cheffe de projet transition": "systemic",
    "Le premier budget participatif": "engagement",
    "Un projet de territoire voté": "cooperation",
    "Le pacte avec les entreprises locales": "cooperation",
    "Une charte de coopération avec l’État": "cooperation",
    "Tous les services formés": "systemic",
    "La transition dans chaque délibération": "evaluation",
    "Un conseil des usagers permanent": "cooperation",
    "L’accueil d’un groupe de pairs": "systemic",
    "Une évaluation par délibération": "evaluation",
    "Un guide pour essaimer": "evaluation",
}

# People who agreed that peers looking for help may contact them.
_CONTACTS = (
    "Élise Marchand",
    "Thomas Guillou",
    "Maëlle Le Goff",
    "Jean-Baptiste Delmas",
    "Pierre Morvan",
    "Sophie Arnaud",
)


def seed_sharing_and_contacts(ctx: SeedContext) -> int:
    rows = []
    for territory in ctx.territories:
        levels = dict(zip(_KINDS, _LEVELS[territory["slug"].removeprefix("demo-")], strict=True))
        admins = ctx.members(territory["id"], ("territory_admin",)) or ctx.coordinator_ids
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
    ctx.conn.execute(sa.insert(tables.territory_sharing), rows)

    consents = []
    for person in ctx.people:
        if person["display_name"] in _CONTACTS:
            when = ctx.at(ctx.today - timedelta(days=ctx.rng.randint(30, 300)), 10)
            consents.append({"person_id": person["id"], "agreed_at": when})
            ctx.log(
                when,
                "contact.consent_given",
                person_id=person["id"],
                subject_type="person",
                subject_id=person["id"],
            )
    ctx.conn.execute(sa.insert(tables.peer_contact_consent), consents)

    axis = sa.case(_STORY_AXES, value=tables.milestone.c.title, else_=sa.null())
    demo_ids = [x["id"] for x in ctx.territories]
    # Tagged as if written so: the stories keep their own update times (the seed is deterministic).
    tagged = ctx.conn.execute(
        sa.update(tables.milestone)
        .where(tables.milestone.c.territory_id.in_(demo_ids))
        .values(axis_id=axis, updated_at=tables.milestone.c.updated_at)
    ).rowcount
    return len(rows) + len(consents) + tagged
