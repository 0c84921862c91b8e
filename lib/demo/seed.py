"""The demo data set: fictional territories, people, assessments, milestones and activity.

Deterministic: every random draw comes from a ``random.Random`` seeded with a fixed
string per step, and every date is computed from one reference day, ``today``. The same
``today`` always gives the same rows, byte for byte (ids included on a fresh database).
``today`` defaults to the day of the run, so the demo always looks recent (last
assessment a few weeks ago, nothing in the future); tests pass a fixed day.

The seed runs from the command line (``python -m lib.cli seed``), never from a page, so it
takes no actor. It writes only into an empty database (reference tables aside), in one
transaction: it is all there or not at all. ``force=True`` wipes and reseeds a database
that holds demo data only, and refuses as soon as one real territory or person exists.

Adding a step
-------------
The seed is the ordered list ``STEPS`` of ``(name, function)`` pairs. A step is a function
``step(ctx: SeedContext) -> int`` that writes with ``ctx.conn`` and returns how many rows
it wrote; it finds what earlier steps created in ``ctx`` (``ctx.territories``,
``ctx.people``, ``ctx.peer_groups``, ``ctx.framework``) and draws randomness only from
``ctx.rng`` (its own stream: adding a step never changes the rows of the others). It may
append activity with ``ctx.log(...)``; the last step writes it all. A step living in
another module is named by a ``"module:function"`` string, imported when the seed runs,
so adding one is a one-line edit of ``STEPS``, placed before ``"activity log"``::

    ("campaigns and responses", "lib.demo.feedback:seed_campaigns_and_responses"),
    ("sharing and contacts", "lib.demo.peers:seed_sharing_and_contacts"),
    ("old personal data to purge", "lib.demo.privacy:seed_old_personal_data"),

What the data set says — the fictional territories, peer groups and people, comments,
milestone stories, campaign titles and answers — is in ``data/demo/*.yaml`` (``lib.demo.texts``);
this package decides how it is dated and drawn, and writes it through the store
(``lib.store.demo``, and ``lib.store.feedback`` for campaigns and responses): no SQL here.

Reference tables (``lib.store.tables.REFERENCE_TABLES``) are neither part of the emptiness check nor wiped
by ``force``: a step that needs a form template must register it idempotently.
"""

from __future__ import annotations

import importlib
import random
import time as clock
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.engine import Connection, Engine

from lib.access import Role
from lib.demo.texts import demo_file
from lib.domain.clock import today as paris_today
from lib.domain.engagement import LOGIN_ACTION
from lib.domain.framework import Framework, load_framework
from lib.store import demo as demo_store
from lib.store.db import transaction
from lib.store.reference import register_framework

DEMO_EMAIL_DOMAIN = "demo.parcours.fr"
RANDOM_SEED = "parcours-demo-v1"


class SeedRefused(Exception):
    """The database holds real data: the demo seed will not touch it."""


@dataclass
class SeedContext:
    """What the steps share: the connection, the reference day and what earlier steps made."""

    conn: Connection
    today: date
    framework: Framework
    rng: random.Random = field(default_factory=random.Random)
    # Each territory: id, slug, name, short_name, kind, region, sharing, tier, joined_on,
    # axis_strengths (its lead or lag per axis, in levels).
    territories: list[dict[str, Any]] = field(default_factory=list)
    # slug -> id
    peer_groups: dict[str, int] = field(default_factory=dict)
    # Each person: id, email, display_name, memberships [(territory_id | None, role)].
    people: list[dict[str, Any]] = field(default_factory=list)
    activity: list[dict[str, Any]] = field(default_factory=list)

    def at(self, day: date, hour: int = 9, minute: int = 0) -> datetime:
        """A time of day on ``day`` in UTC, never after the reference moment."""
        moment = datetime.combine(day, time(hour, minute), UTC)
        return min(moment, self.now)

    @property
    def now(self) -> datetime:
        return datetime.combine(self.today, time(8, 0), UTC)

    def territory(self, slug: str) -> dict[str, Any]:
        return next(t_ for t_ in self.territories if t_["slug"] == slug)

    @property
    def coordinator_ids(self) -> list[int]:
        return [p["id"] for p in self.people if (None, Role.COORDINATOR) in p["memberships"]]

    def members(
        self, territory_id: int, roles: tuple[str, ...] = (Role.TERRITORY_ADMIN, Role.CONTRIBUTOR)
    ) -> list[int]:
        """People holding one of ``roles`` on the territory, in id order."""
        return [p["id"] for p in self.people if any((territory_id, r) in p["memberships"] for r in roles)]

    def log(
        self,
        occurred_at: datetime,
        action: str,
        *,
        person_id: int | None = None,
        territory_id: int | None = None,
        subject_type: str | None = None,
        subject_id: int | None = None,
        details: dict | None = None,
    ) -> None:
        self.activity.append(
            {
                "occurred_at": occurred_at,
                "action": action,
                "person_id": person_id,
                "territory_id": territory_id,
                "subject_type": subject_type,
                "subject_id": subject_id,
                "details": details,
            }
        )


StepFunction = Callable[[SeedContext], int]


@dataclass(frozen=True)
class SeedResult:
    seeded: bool
    counts: dict[str, int]  # rows written per step
    reason: str | None = None  # why nothing was done ("not_empty")


# --- the fictional territories ------------------------------------------------------------

# Months before ``today`` at which each tier assessed itself (a cadence of about six months).
_ASSESSMENT_MONTHS = {
    "pioneer": (36, 30, 24, 18, 12, 6, 1),
    "steady": (34, 28, 22, 16, 10, 4),
    "newcomer": (12, 6, 1),
    "stalled": (35, 29, 23, 17),
}
# Starting level (mean over criteria) and yearly progress per tier.
_LEVEL_MODEL = {
    "pioneer": (1.9, 0.45),
    "steady": (1.0, 0.5),
    "newcomer": (0.6, 0.6),
    "stalled": (0.9, 0.25),
}
# How many of the five journey phases each tier has reached, and when its journey began.
_PHASES_REACHED = {"pioneer": 5, "steady": 3, "newcomer": 2, "stalled": 2}
_JOURNEY_START_YEARS = {"pioneer": 7, "steady": 4, "newcomer": 1.5, "stalled": 4}


def _people_cast() -> list[dict[str, Any]]:
    return demo_file("people")["people"]


def _stories(phase: str) -> list[tuple[str, str]]:
    return [(m["title"], m["story"]) for m in demo_file("journey")["milestones"][phase]]


def demo_email(display_name: str) -> str:
    """A demo person's address, from their name (``Élise Marchand`` → ``elise.marchand@…``)."""
    ascii_name = unicodedata.normalize("NFKD", display_name).encode("ascii", "ignore").decode()
    local = ".".join(part for part in ascii_name.lower().replace("-", " ").split())
    return f"{local}@{DEMO_EMAIL_DOMAIN}"


def _months_before(day: date, months: float) -> date:
    return day - timedelta(days=round(months * 30.44))


# --- steps ----------------------------------------------------------------------------------


def _framework(ctx: SeedContext) -> int:
    register_framework(ctx.conn, ctx.framework)
    return 1


def _territories(ctx: SeedContext) -> int:
    rows = []
    for cast in demo_file("territories")["territories"]:
        slug, short, full, tier = cast["slug"], cast["short_name"], cast["full_name"], cast["tier"]
        kind, region = cast["kind"], cast["region"]
        joined = _months_before(ctx.today, _ASSESSMENT_MONTHS[tier][0] + 1)
        created = ctx.at(joined, 10)
        rows.append(
            {
                "slug": f"demo-{slug}",
                "name": f"{full or short} (démo)",
                "kind": kind,
                "region": region,
                "population": cast["population"],
                "sharing": cast["sharing"],
                "is_demo": True,
                "created_at": created,
                "updated_at": created,
            }
        )
        axis_strengths = {axis.id: ctx.rng.uniform(-0.6, 0.6) for axis in ctx.framework.axes}
        ctx.territories.append(
            {
                "slug": f"demo-{slug}",
                "short_name": short,
                "name": rows[-1]["name"],
                "kind": kind,
                "region": region,
                "sharing": cast["sharing"],
                "shares": cast["shares"],
                "tier": tier,
                "joined_on": joined,
                "axis_strengths": axis_strengths,
            }
        )
    for territory, ident in zip(ctx.territories, demo_store.add_territories(ctx.conn, rows), strict=True):
        territory["id"] = ident
    return len(rows)


def _peer_groups(ctx: SeedContext) -> int:
    created = ctx.at(_months_before(ctx.today, 37), 10)
    cast = demo_file("territories")["peer_groups"]
    groups = [
        {
            "slug": g["slug"],
            "name": g["name"],
            "description": g["description"],
            "created_at": created,
            "updated_at": created,
        }
        for g in cast
    ]
    ids = demo_store.add_peer_groups(ctx.conn, groups)
    members = []
    for group, group_id in zip(cast, ids, strict=True):
        ctx.peer_groups[group["slug"]] = group_id
        for member in group["members"]:
            territory = ctx.territory(f"demo-{member}")
            members.append(
                {
                    "peer_group_id": group_id,
                    "territory_id": territory["id"],
                    "joined_at": ctx.at(territory["joined_on"], 11),
                }
            )
    demo_store.add_peer_group_members(ctx.conn, members)
    return len(groups) + len(members)


def _people(ctx: SeedContext) -> int:
    start = _months_before(ctx.today, 37)
    stalled = {x["slug"] for x in ctx.territories if x["tier"] == "stalled"}
    cast = [(p["name"], [(m["territory"], m["role"]) for m in p["memberships"]]) for p in _people_cast()]
    rows, all_logins = [], []
    for name, memberships in cast:
        # Recent logins for most; the stalled territories' people have not come back for a while.
        slugs = {f"demo-{slug}" for slug, _role in memberships if slug}
        days_ago = (400, 540) if slugs and slugs <= stalled else (1, 120)
        logins = sorted(
            ctx.at(ctx.today - timedelta(days=ctx.rng.randint(*days_ago)), ctx.rng.randint(7, 18))
            for _ in range(ctx.rng.randint(2, 8))
        )
        all_logins.append(logins)
        created = ctx.at(start, 9)
        rows.append(
            {
                "email": demo_email(name),
                "display_name": name,
                "is_demo": True,
                "last_login_at": logins[-1],
                "created_at": created,
                "updated_at": created,
            }
        )
    ids = demo_store.add_people(ctx.conn, rows)
    for (name, memberships), row, person_id, logins in zip(cast, rows, ids, all_logins, strict=True):
        resolved = [
            (ctx.territory(f"demo-{slug}")["id"] if slug else None, role) for slug, role in memberships
        ]
        ctx.people.append(
            {"id": person_id, "email": row["email"], "display_name": name, "memberships": resolved}
        )
        for moment in logins:
            ctx.log(moment, LOGIN_ACTION, person_id=person_id)

    coordinator = ctx.coordinator_ids[0]
    memberships = []
    for person in ctx.people:
        for territory_id, role in person["memberships"]:
            if territory_id is None:
                granted, granted_by = ctx.at(start, 9, 30), None  # bootstrap coordinators
            else:
                granted = ctx.at(next(x for x in ctx.territories if x["id"] == territory_id)["joined_on"], 14)
                granted_by = coordinator
            memberships.append(
                {
                    "person_id": person["id"],
                    "territory_id": territory_id,
                    "role": role,
                    "created_at": granted,
                    "updated_at": granted,
                }
            )
            ctx.log(
                granted,
                "membership.granted",
                person_id=granted_by,
                territory_id=territory_id,
                subject_type="person",
                subject_id=person["id"],
                details={"role": role},
            )
    demo_store.add_memberships(ctx.conn, memberships)
    return len(rows) + len(memberships)


def _assessments(ctx: SeedContext) -> int:
    criteria = ctx.framework.criteria
    # Each criterion sits a little above or below its axis, the same way in every territory.
    criterion_offsets = {c.id: ctx.rng.uniform(-0.4, 0.4) for c in criteria}
    draft_slug = "demo-port-lanterne"
    texts = demo_file("journey")
    plans = []  # (territory, assessed_on, status, levels, comments, author)
    for territory in ctx.territories:
        tier = territory["tier"]
        base, growth = _LEVEL_MODEL[tier]
        months = _ASSESSMENT_MONTHS[tier]
        authors = ctx.members(territory["id"]) or ctx.coordinator_ids
        for index, month in enumerate(months):
            assessed_on = _months_before(ctx.today, month) + timedelta(days=ctx.rng.randint(-10, 10))
            assessed_on = min(assessed_on, ctx.today - timedelta(days=3))
            years_in = (months[0] - month) / 12
            levels: dict[str, int | None] = {}
            comments: dict[str, str] = {}
            for criterion in criteria:
                mean = (
                    base
                    + growth * years_in
                    + territory["axis_strengths"][criterion.axis_id]
                    + criterion_offsets[criterion.id]
                )
                levels[criterion.id] = max(0, min(4, round(mean + ctx.rng.gauss(0, 0.35))))
                if ctx.rng.random() < 0.1:
                    comments[criterion.id] = ctx.rng.choice(texts["assessment_comments"][criterion.axis_id])
            is_draft = territory["slug"] == draft_slug and index == len(months) - 1
            if is_draft:
                # A draft in progress: the last two criteria are not rated yet.
                for criterion in criteria[-2:]:
                    levels[criterion.id] = None
            plans.append((territory, assessed_on, is_draft, levels, comments, ctx.rng.choice(authors)))

    rows = []
    for territory, assessed_on, is_draft, _levels, _comments, author in plans:
        created = ctx.at(assessed_on, 10)
        submitted = None if is_draft else ctx.at(assessed_on + timedelta(days=ctx.rng.randint(0, 4)), 16)
        rows.append(
            {
                "territory_id": territory["id"],
                "framework_version": ctx.framework.version,
                "assessed_on": assessed_on,
                "status": "draft" if is_draft else "submitted",
                "created_by": author,
                "submitted_at": submitted,
                "version": 1,
                "created_at": created,
                "updated_at": submitted or created,
            }
        )
    ids = demo_store.add_assessments(ctx.conn, rows)
    scores = []
    for (territory, _on, is_draft, levels, comments, author), row, assessment_id in zip(
        plans, rows, ids, strict=True
    ):
        for criterion in criteria:
            scores.append(
                {
                    "assessment_id": assessment_id,
                    "criterion_id": criterion.id,
                    "level": levels[criterion.id],
                    "comment": comments.get(criterion.id),
                }
            )
        ctx.log(
            row["updated_at"],
            "assessment.draft_saved" if is_draft else "assessment.submitted",
            person_id=author,
            territory_id=territory["id"],
            subject_type="assessment",
            subject_id=assessment_id,
        )
    demo_store.add_assessment_scores(ctx.conn, scores)
    return len(rows) + len(scores)


def _milestones(ctx: SeedContext) -> int:
    phases = [p.id for p in ctx.framework.phases]
    dimensions = [d.id for d in ctx.framework.storytelling_dimensions]
    plans = []
    for territory in ctx.territories:
        reached = phases[: _PHASES_REACHED[territory["tier"]]]
        journey_days = round(_JOURNEY_START_YEARS[territory["tier"]] * 365)
        start = ctx.today - timedelta(days=journey_days)
        span = journey_days - 20  # the last milestone stays a few weeks in the past
        for index, phase in enumerate(reached):
            count = 1 if phase == "impulse" else ctx.rng.randint(1, 2)
            stories = ctx.rng.sample(_stories(phase), count)
            for k, (title, story) in enumerate(stories):
                position = (index + (k + 1) / (count + 1)) / len(reached)
                occurred_on = start + timedelta(days=round(span * position) + ctx.rng.randint(-15, 15))
                occurred_on = min(occurred_on, ctx.today - timedelta(days=5))
                plans.append(
                    (territory, phase, occurred_on, title, story.format(name=territory["short_name"]))
                )

    # Storytelling dimensions are entry points, not a sequence: spread them so each is used.
    tags = [dimensions[i % len(dimensions)] for i in range(len(plans))]
    ctx.rng.shuffle(tags)
    rows = []
    for (territory, phase, occurred_on, title, story), tag in zip(plans, tags, strict=True):
        authors = ctx.members(territory["id"]) or ctx.coordinator_ids
        # Milestones before a territory joined were written down when it joined.
        created = ctx.at(max(occurred_on + timedelta(days=2), territory["joined_on"]), 15)
        rows.append(
            {
                "territory_id": territory["id"],
                "occurred_on": occurred_on,
                "phase": phase,
                "storytelling_dimension": tag if ctx.rng.random() < 0.85 else None,
                "title": title,
                "story": story,
                "created_by": ctx.rng.choice(authors),
                "version": 1,
                "created_at": created,
                "updated_at": created,
            }
        )
    ids = demo_store.add_milestones(ctx.conn, rows)
    for row, milestone_id in zip(rows, ids, strict=True):
        ctx.log(
            row["created_at"],
            "milestone.created",
            person_id=row["created_by"],
            territory_id=row["territory_id"],
            subject_type="milestone",
            subject_id=milestone_id,
        )
    return len(rows)


def _activity_log(ctx: SeedContext) -> int:
    def order(entry: dict) -> tuple:
        return (entry["occurred_at"], entry["action"], entry["person_id"] or 0, entry["subject_id"] or 0)

    rows = sorted(ctx.activity, key=order)
    demo_store.add_activity(ctx.conn, rows)
    return len(rows)


STEPS: list[tuple[str, StepFunction | str]] = [
    ("reference framework", _framework),
    ("territories", _territories),
    ("peer groups", _peer_groups),
    ("people and access roles", _people),
    ("assessments", _assessments),
    ("milestones", _milestones),
    ("campaigns and responses", "lib.demo.feedback:seed_campaigns_and_responses"),
    ("engagement signals", "lib.demo.steering:seed_engagement_signals"),
    ("sharing and contacts", "lib.demo.peers:seed_sharing_and_contacts"),
    ("live workshop", "lib.demo.workshop:seed_live_workshop"),
    ("indicators", "lib.demo.indicators:seed_indicators"),
    ("old personal data to purge", "lib.demo.privacy:seed_old_personal_data"),
    ("activity log", _activity_log),
]


def _resolve(step: StepFunction | str) -> StepFunction:
    if callable(step):
        return step
    module, _, name = step.partition(":")
    return getattr(importlib.import_module(module), name)


# --- entry points ---------------------------------------------------------------------------


ProgressCallback = Callable[[int, int, str, int, float], None]


def seed_demo(
    engine: Engine,
    *,
    today: date | None = None,
    force: bool = False,
    progress: ProgressCallback | None = None,
    framework: Framework | None = None,
) -> SeedResult:
    """Fill an empty database with the demo data set, in one transaction.

    ``progress(index, total, step_name, rows, seconds)`` is called after each step.
    Returns ``SeedResult(seeded=False, reason="not_empty")`` when the database already holds
    data; with ``force`` it wipes a demo-only database first and raises ``SeedRefused`` when
    any real territory or person exists.
    """
    today = today or paris_today()  # the Paris day, as everywhere in the app
    framework = framework or load_framework()
    steps = [(name, _resolve(step)) for name, step in STEPS]
    counts: dict[str, int] = {}
    with transaction(engine) as conn:
        if not demo_store.is_empty(conn):
            if not force:
                return SeedResult(seeded=False, counts={}, reason="not_empty")
            if demo_store.holds_real_data(conn):
                raise SeedRefused(
                    "the database holds territories or people that are not demo data; "
                    "refusing to wipe it (--force only replaces a demo-only database)"
                )
            demo_store.wipe(conn)
        ctx = SeedContext(conn=conn, today=today, framework=framework)
        for index, (name, step) in enumerate(steps, start=1):
            started = clock.perf_counter()
            ctx.rng = random.Random(f"{RANDOM_SEED}:{name}")
            counts[name] = step(ctx)
            if progress is not None:
                progress(index, len(steps), name, counts[name], clock.perf_counter() - started)
    return SeedResult(seeded=True, counts=counts)
