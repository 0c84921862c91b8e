"""A whole network at a chosen size, generated deterministically and bulk-loaded.

``SIZES["L"]`` is the network of issue 12: 1,000 territories in 60 peer groups, 12,000
self-assessments (15 scores each), 50,000 milestones, 5,000 campaigns, 200,000 submitted
responses holding about 3 million answers, 5,000 people, 300 pending access requests and
an activity log of what all of them did. ``S`` is the same shape, small enough for seconds;
``M`` a quarter of ``L``. The same size and seed give the same rows, on both databases.

Loading goes around the app's services on purpose (they would take hours): rows are built
as tuples in the tables' column order and written with ``executemany`` on SQLite and
``COPY`` on PostgreSQL, then sequences are moved past the ids written and the statistics
refreshed, as ``lib.bootstrap`` does for a real database.

Some things are placed where the screens can be timed on known data (``Focus``): territory
1 has a territory admin, a campaign with ``focus_responses`` responses and is in peer group
1; the first network campaign has ``network_responses`` responses from many territories.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib.bootstrap import bootstrap
from lib.domain import forms
from lib.domain.framework import load_framework
from lib.domain.sharing import levels_for
from lib.store import tables
from lib.store.db import PG_SCHEMA, is_postgres
from lib.store.reference import register_framework

NOW = datetime(2026, 11, 30, 8, tzinfo=UTC)
TODAY = NOW.date()
SEED = "parcours-bench-network"


@dataclass(frozen=True)
class Size:
    territories: int
    peer_groups: int
    assessments_per_territory: int
    milestones_per_territory: int
    campaigns: int
    network_campaigns: int
    responses: int  # submitted, all campaigns together
    focus_responses: int  # the focus territory's big campaign
    network_responses: int  # the first network campaign
    people: int
    coordinators: int
    pending_requests: int
    logins_per_person: int


SIZES = {
    "S": Size(40, 3, 12, 50, 200, 2, 8_000, 400, 600, 200, 3, 12, 20),
    "M": Size(250, 15, 12, 50, 1_250, 4, 50_000, 2_000, 3_000, 1_250, 5, 75, 20),
    "L": Size(1_000, 60, 12, 50, 5_000, 10, 200_000, 2_000, 3_000, 5_000, 10, 300, 20),
}

ROLES = ("elected_official", "local_agent", "state_services", "socio_economic", "inhabitant", "other")
WORDS = (
    "coopération",
    "élus",
    "habitants",
    "jardin",
    "partagé",
    "mobilité",
    "école",
    "cantine",
    "énergie",
    "forêt",
    "eau",
    "conflit",
    "confiance",
    "atelier",
    "tiers-lieu",
    "association",
    "commune",
    "friche",
    "chaleur",
    "vélo",
    "récit",
)


@dataclass(frozen=True)
class Focus:
    """Who and what the screens are timed on."""

    territory_id: int
    admin_id: int
    coordinator_id: int
    focus_campaign_id: int
    network_campaign_id: int
    share_token: str
    peer_group_id: int
    peer_slug: str  # another territory of the focus territory's group


@dataclass
class Table:
    table: sa.Table
    columns: tuple[str, ...]
    rows: list[tuple]


def _stamp(rng: random.Random, since: datetime, until: datetime = NOW) -> datetime:
    return since + timedelta(seconds=rng.randint(0, int((until - since).total_seconds())))


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _answers(rng: random.Random, template: forms.FormTemplate) -> tuple[dict, list[tuple]]:
    """A plausible submitted document and its answer rows (question, number, text)."""
    document: dict = {}
    for q in template.questions:
        if rng.random() > 0.8:
            continue
        if q.type == forms.SCALE:
            document[q.id] = rng.randint(int(q.min), int(q.max))
        elif q.type == forms.NUMBER:
            document[q.id] = rng.randint(0, 12)
        elif q.type == forms.SINGLE_CHOICE:
            document[q.id] = rng.choice(q.option_ids)
        elif q.type == forms.MULTIPLE_CHOICE:
            document[q.id] = rng.sample(q.option_ids, rng.randint(1, min(3, len(q.option_ids))))
        else:
            document[q.id] = _text(rng, 4 if q.type == forms.SHORT_TEXT else 14)
    return document, forms.answer_rows(template, document)


def generate(
    engine: Engine, size: Size, seed: str = SEED, *, demo_personas: bool = False
) -> tuple[list[Table], Focus]:
    """Every row of the network, table by table in an order the foreign keys accept.

    Templates and the framework version come from the migrated database (start-up stores
    them); everything else is drawn from ``seed``.
    """
    rng = random.Random(seed)
    framework = load_framework()
    with engine.begin() as conn:
        register_framework(conn, framework)
        templates = [
            (row.id, forms.parse_template(row.content, framework=framework))
            for row in conn.execute(sa.select(tables.form_template.c.id, tables.form_template.c.content))
        ]
    start = NOW - timedelta(days=6 * 365)
    out: list[Table] = []

    def table(t: sa.Table, columns: Sequence[str], rows: Iterable[tuple]) -> None:
        out.append(Table(t, tuple(columns), list(rows)))

    n = size.territories
    kinds = tables.TERRITORY_KINDS
    table(
        tables.territory,
        (
            "id",
            "slug",
            "name",
            "kind",
            "insee_code",
            "region",
            "population",
            "sharing",
            "is_demo",
            "created_at",
            "updated_at",
        ),
        (
            (
                i,
                f"territoire-{i:04d}",
                f"Territoire {i:04d} {rng.choice(WORDS)}",
                kinds[i % len(kinds)],
                f"{i:05d}",
                f"Région {i % 13}",
                rng.randint(800, 250_000),
                "private",
                False,
                start,
                start,
            )
            for i in range(1, n + 1)
        ),
    )
    # Two in three territories chose a level for some kinds of data; the others keep the default.
    sharing_rows = []
    for i in range(1, n + 1):
        if i % 3:
            for kind in tables.SHARING_KINDS:
                # Only the levels an admin may choose for that kind (indicators are never public).
                sharing_rows.append((i, kind, rng.choice([lv.value for lv in levels_for(kind)]), NOW))
    sharing_rows[:3] = [(1, kind, "peers", NOW) for kind in tables.SHARING_KINDS]
    sharing_rows = list({(r[0], r[1]): r for r in sharing_rows}.values())

    # People: coordinators first, then four or five members per territory, then those waiting.
    coordinators = list(range(1, size.coordinators + 1))
    waiting = list(range(size.people - size.pending_requests + 1, size.people + 1))
    members = list(range(size.coordinators + 1, size.people - size.pending_requests + 1))
    # In demo mode the persona picker offers these two: a coordinator and the focus territory's admin.
    personas = {coordinators[0], members[0]} if demo_personas else set()
    table(
        tables.person,
        ("id", "email", "display_name", "is_demo", "last_login_at", "created_at", "updated_at"),
        (
            (
                p,
                f"personne{p:05d}@territoire.test",
                f"Personne {p:05d}",
                p in personas,
                _stamp(rng, NOW - timedelta(days=120)),
                start,
                start,
            )
            for p in range(1, size.people + 1)
        ),
    )
    membership_rows = [(p, p, None, "coordinator", start, start) for p in coordinators]
    seen_first: set[int] = set()
    for k, p in enumerate(members):
        territory = k % n + 1
        role = "territory_admin" if territory not in seen_first else rng.choice(("contributor", "reader"))
        seen_first.add(territory)
        membership_rows.append((len(membership_rows) + 1, p, territory, role, start, start))
    table(
        tables.membership,
        ("id", "person_id", "territory_id", "role", "created_at", "updated_at"),
        membership_rows,
    )
    admin_of_focus = members[0]
    table(tables.territory_sharing, ("territory_id", "kind", "level", "updated_at"), sharing_rows)

    groups = size.peer_groups
    table(
        tables.peer_group,
        ("id", "slug", "name", "description", "created_at", "updated_at"),
        (
            (g, f"groupe-{g:03d}", f"Groupe de pairs {g:03d}", _text(rng, 8), start, start)
            for g in range(1, groups + 1)
        ),
    )
    table(
        tables.peer_group_member,
        ("peer_group_id", "territory_id", "joined_at"),
        ((((i - 1) % groups) + 1, i, start) for i in range(1, n + 1)),
    )
    table(tables.peer_contact_consent, ("person_id", "agreed_at"), ((p, NOW) for p in members if p % 3 == 0))

    # Self-assessments: one a semester, the newest a draft in one territory out of ten.
    criteria = [c.id for c in framework.criteria]
    assessments, scores = [], []
    aid = 0
    for i in range(1, n + 1):
        admin = members[(i - 1) % len(members)]
        level = rng.uniform(0.5, 2.5)
        for k in range(size.assessments_per_territory):
            aid += 1
            on = (start + timedelta(days=182 * k + rng.randint(0, 30))).date()
            draft = k == size.assessments_per_territory - 1 and i % 10 == 0
            at = datetime(on.year, on.month, on.day, 10, tzinfo=UTC)
            assessments.append(
                (
                    aid,
                    i,
                    framework.version,
                    on,
                    "draft" if draft else "submitted",
                    admin,
                    None if draft else at,
                    1,
                    at,
                    at,
                )
            )
            level = min(4.0, level + rng.uniform(-0.2, 0.4))
            for c in criteria:
                value = max(0, min(4, round(level + rng.uniform(-1, 1))))
                scores.append((aid, c, value, _text(rng, 5) if rng.random() < 0.2 else None))
    table(
        tables.assessment,
        (
            "id",
            "territory_id",
            "framework_version",
            "assessed_on",
            "status",
            "created_by",
            "submitted_at",
            "version",
            "created_at",
            "updated_at",
        ),
        assessments,
    )
    table(tables.assessment_score, ("assessment_id", "criterion_id", "level", "comment"), scores)

    phases = [p.id for p in framework.phases]
    dimensions = [d.id for d in framework.storytelling_dimensions]
    axes = [a.id for a in framework.axes]
    milestones = []
    for i in range(1, n + 1):
        for k in range(size.milestones_per_territory):
            on = (start + timedelta(days=rng.randint(0, 6 * 365))).date()
            milestones.append(
                (
                    len(milestones) + 1,
                    i,
                    on,
                    phases[min(len(phases) - 1, k * len(phases) // 50)],
                    rng.choice(dimensions) if rng.random() < 0.7 else None,
                    rng.choice(axes) if rng.random() < 0.5 else None,
                    _text(rng, 5)[:200],
                    _text(rng, 40),
                    members[(i - 1) % len(members)],
                    1,
                    NOW,
                    NOW,
                )
            )
    table(
        tables.milestone,
        (
            "id",
            "territory_id",
            "occurred_on",
            "phase",
            "storytelling_dimension",
            "axis_id",
            "title",
            "story",
            "created_by",
            "version",
            "created_at",
            "updated_at",
        ),
        milestones,
    )

    # Campaigns: the network-wide ones first, then the territories' in turn.
    campaigns = []
    for c in range(1, size.campaigns + 1):
        network = c <= size.network_campaigns
        territory = None if network else (c - size.network_campaigns - 1) % n + 1
        template_id = templates[c % len(templates)][0]
        opens = TODAY - timedelta(days=rng.randint(0, 5 * 365))
        campaigns.append(
            (
                c,
                territory,
                template_id,
                f"Campagne {c:05d}",
                opens,
                opens + timedelta(days=rng.randint(20, 120)),
                c % 4 != 0,
                f"jeton-{c:06d}-{rng.getrandbits(64):016x}",
                coordinators[0] if network else None,
                NOW,
                NOW,
            )
        )
    focus_campaign = size.network_campaigns + 1  # territory 1's first campaign
    campaigns[focus_campaign - 1] = (
        *campaigns[focus_campaign - 1][:4],
        TODAY - timedelta(days=60),
        TODAY + timedelta(days=30),
        True,
        *campaigns[focus_campaign - 1][7:],
    )
    table(
        tables.campaign,
        (
            "id",
            "territory_id",
            "form_template_id",
            "title",
            "opens_on",
            "closes_on",
            "anonymous",
            "share_token",
            "created_by",
            "created_at",
            "updated_at",
        ),
        campaigns,
    )
    template_of = {c[0]: dict(templates)[c[2]] for c in campaigns}

    # Responses: the two big campaigns, then the rest spread unevenly over the others.
    sizes = {focus_campaign: size.focus_responses, 1: size.network_responses}
    rest = [c for c in range(1, size.campaigns + 1) if c not in sizes]
    weights = [rng.expovariate(1.0) for _ in rest]
    left = size.responses - sum(sizes.values())
    total = sum(weights)
    for c, w in zip(rest, weights, strict=True):
        sizes[c] = int(left * w / total)
    sizes[rest[0]] += size.responses - sum(sizes.values())
    responses, answers, log = [], [], []
    rid = 0
    answer_id = 0
    for c in range(1, size.campaigns + 1):
        territory = campaigns[c - 1][1]
        opens = datetime.combine(campaigns[c - 1][4], datetime.min.time(), UTC)
        closes = min(NOW, datetime.combine(campaigns[c - 1][5], datetime.min.time(), UTC))
        template = template_of[c]
        drafts = sizes[c] // 20
        for k in range(sizes[c] + drafts):
            rid += 1
            submitted = k < sizes[c]
            at = _stamp(rng, opens, max(opens + timedelta(hours=1), closes))
            role = rng.choice(ROLES)
            answering_for = rng.randint(1, n) if territory is None else None
            document, rows = _answers(rng, template)
            responses.append(
                (
                    rid,
                    c,
                    role,
                    None,
                    answering_for,
                    "submitted" if submitted else "draft",
                    f"R{rid:010d}",
                    json.dumps({"answers": document}, ensure_ascii=False),
                    at if submitted else None,
                    at,
                    at,
                )
            )
            for q, number, text in rows:
                answer_id += 1
                answers.append((answer_id, rid, q, number, text))
            if submitted:
                log.append((at, None, territory or answering_for, "response.submitted", "response", rid))
    table(
        tables.response,
        (
            "id",
            "campaign_id",
            "respondent_role",
            "person_id",
            "territory_id",
            "status",
            "resume_code",
            "document",
            "submitted_at",
            "created_at",
            "updated_at",
        ),
        responses,
    )
    table(tables.answer, ("id", "response_id", "question_id", "numeric_value", "text_value"), answers)

    # Who waits for an answer: one request each, a tenth of them for the network.
    requests = []
    for k, p in enumerate(waiting):
        territory = None if k % 10 == 9 else rng.randint(1, n)
        if k == 0:
            territory = 1
        requests.append((k + 1, p, territory, _text(rng, 10), "pending", None, None, NOW, NOW))
    table(
        tables.access_request,
        (
            "id",
            "person_id",
            "territory_id",
            "message",
            "status",
            "decided_by",
            "decided_at",
            "created_at",
            "updated_at",
        ),
        requests,
    )
    table(
        tables.invitation,
        (
            "id",
            "email",
            "territory_id",
            "role",
            "invited_by",
            "expires_at",
            "revoked_at",
            "accepted_at",
            "created_at",
            "updated_at",
        ),
        (
            (
                i,
                f"invite{i:05d}@territoire.test",
                i,
                "contributor",
                members[(i - 1) % len(members)],
                NOW + timedelta(days=rng.randint(-20, 20)),
                None,
                None,
                NOW,
                NOW,
            )
            for i in range(1, n + 1)
        ),
    )

    for p in range(1, size.people + 1):
        for _ in range(size.logins_per_person):
            log.append((_stamp(rng, NOW - timedelta(days=365)), p, None, "auth.login", None, None))
    for m in milestones:
        at = datetime.combine(m[2], datetime.min.time(), UTC) + timedelta(hours=9)
        log.append((at, m[8], m[1], "milestone.created", "milestone", m[0]))
    for a in assessments:
        log.append(
            (
                a[9],
                a[5],
                a[1],
                "assessment.submitted" if a[4] == "submitted" else "assessment.draft_saved",
                "assessment",
                a[0],
            )
        )
    log.sort(key=lambda r: r[0])
    table(
        tables.activity_log,
        ("id", "occurred_at", "person_id", "territory_id", "action", "subject_type", "subject_id"),
        ((k + 1, *r) for k, r in enumerate(log)),
    )

    groups_of_focus = 1
    focus = Focus(
        territory_id=1,
        admin_id=admin_of_focus,
        coordinator_id=coordinators[0],
        focus_campaign_id=focus_campaign,
        network_campaign_id=1,
        share_token=campaigns[focus_campaign - 1][7],
        peer_group_id=groups_of_focus,
        peer_slug=f"territoire-{1 + groups:04d}",
    )
    return out, focus


# --- loading ---------------------------------------------------------------------------------


def _sqlite_value(value):
    # SQLAlchemy's own text forms on SQLite, so that the app reads these rows as its own.
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _chunks(rows: list[tuple], n: int = 50_000) -> Iterator[list[tuple]]:
    for k in range(0, len(rows), n):
        yield rows[k : k + n]


def load(engine: Engine, data: list[Table]) -> None:
    """Bulk-write every table into a migrated, otherwise empty database; statistics refreshed."""
    if is_postgres(engine):
        _load_postgres(engine, data)
    else:
        _load_sqlite(engine, data)


def _load_sqlite(engine: Engine, data: list[Table]) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        for item in data:
            sql = (
                f"INSERT INTO {item.table.name} ({', '.join(item.columns)}) "
                f"VALUES ({', '.join('?' for _ in item.columns)})"
            )
            convert = [
                i
                for i, c in enumerate(item.columns)
                if isinstance(item.table.c[c].type, (sa.DateTime, sa.Date, sa.Boolean, tables.UTCDateTime))
            ]
            for chunk in _chunks(item.rows):
                if convert:
                    chunk = [
                        tuple(_sqlite_value(v) if i in convert else v for i, v in enumerate(row))
                        for row in chunk
                    ]
                cursor.executemany(sql, chunk)
        raw.commit()
        # No ANALYZE here: a real SQLite database gets its statistics from start-up only.
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        raw.close()


def _load_postgres(engine: Engine, data: list[Table]) -> None:
    raw = engine.raw_connection()
    try:
        driver = raw.driver_connection
        with driver.cursor() as cursor:
            for item in data:
                columns = ", ".join(item.columns)
                with cursor.copy(f"COPY {PG_SCHEMA}.{item.table.name} ({columns}) FROM STDIN") as copy:
                    for row in item.rows:
                        copy.write_row(row)
                if "id" in item.columns:
                    cursor.execute(
                        f"select setval(pg_get_serial_sequence('{PG_SCHEMA}.{item.table.name}', 'id'), "
                        f"(select max(id) from {PG_SCHEMA}.{item.table.name}))"
                    )
        driver.commit()
        driver.autocommit = True
        with driver.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does soon after a load
        driver.autocommit = False
    finally:
        raw.close()


def build(engine: Engine, size: Size, *, demo_personas: bool = False) -> Focus:
    """Migrate and start up an empty database as the app would, then fill it."""
    bootstrap(engine)
    data, focus = generate(engine, size, demo_personas=demo_personas)
    load(engine, data)
    return focus


def counts(engine: Engine) -> dict[str, int]:
    names = (
        "territory",
        "peer_group",
        "person",
        "assessment",
        "milestone",
        "campaign",
        "response",
        "answer",
        "access_request",
        "activity_log",
    )
    with engine.connect() as conn:
        return {
            name: conn.execute(
                sa.select(sa.func.count()).select_from(tables.metadata.tables[name])
            ).scalar_one()
            for name in names
        }
