"""Every screen's data for one rerun, on a generated network, against its SQL baseline.

    python -m bench.screens [--size S|M|L] [--db sqlite,postgresql] [--repeat N]

``make bench`` runs size S (seconds); ``make bench SIZE=L`` the network of issue 12. For each
screen and persona (a territory admin, a coordinator) it times what one rerun of the page
asks the services for (``app``: the shell that ``app.py`` runs on every rerun — the acting
person, the navigation's peer-group check, the territory picker — and then the page's own
calls), and two baselines in the same run, interleaved:

- ``sql``: hand-written SQL returning the same figures (for the screens that have one);
- ``replay``: the very statements the app sent, replayed on a raw database cursor — what is
  left once every layer above the driver is taken away.

Figures are median and 95th percentile in milliseconds over ``--repeat`` rounds; the table is
printed and written to ``bench/results/screens-<size>-<db>-<date>.md`` (git-ignored) with the
date and the machine. Nothing asserts on them: ``tests/test_bench_screens.py`` runs size S so
this never rots.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bench import network
from lib.bootstrap import bootstrap
from lib.domain import framework as fw_domain
from lib.domain.journey import criterion_axis_map
from lib.services import cache, feedback, identity, journey, membership, peers, steering
from lib.services.territories import membership_territory_names, territory_choices
from lib.store.db import PG_SCHEMA, is_postgres, make_engine

RESULTS = Path(__file__).resolve().parent / "results"
PG_ADMIN_DSN = os.environ.get("PARCOURS_TEST_PG", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")


@dataclass
class Screen:
    name: str
    app: Callable[[], object]
    sql: Callable[[], object] | None = None
    statements: list[tuple[str, object]] = field(default_factory=list)


# --- the app side: what one rerun of each page asks for ----------------------------------------


def _shell(engine: Engine, person_id: int):
    """What ``app.py`` does on every rerun before the page: who acts, may they compare."""
    actor = identity.load_actor(engine, person_id)
    peers.in_a_peer_group(engine, actor)
    return actor


def _picker(engine: Engine, actor, territory_id: int):
    """``components.pickers.territory_picker``: the territory chosen, among those this person
    may open (ids and names, at most a page of them)."""
    return territory_choices(engine, actor, chosen=territory_id).chosen


def app_screens(engine: Engine, focus: network.Focus) -> dict[str, Callable[[], object]]:
    fw = fw_domain.load_framework()
    f = focus

    def as_admin(page):
        def run():
            actor = _shell(engine, f.admin_id)
            return page(actor, _picker(engine, actor, f.territory_id))

        return run

    def as_coordinator(page, picker: bool = True):
        def run():
            actor = _shell(engine, f.coordinator_id)
            return page(actor, _picker(engine, actor, f.territory_id) if picker else None)

        return run

    def home_admin(actor, territory):
        return journey.home_summary(engine, actor, territory.id, fw)

    def home_coordinator(actor, _):
        return steering.overview(engine, actor), steering.coverage(engine, actor)

    def journey_page(actor, territory):
        peers.sharing_settings(engine, actor, territory.id)
        return journey.get_journey(engine, actor, territory.id, fw)

    def campaigns_page(actor, territory):
        return feedback.list_campaigns(engine, actor, territory_ids=[territory.id])

    def results_page(campaign_id):
        def page(actor, territory):
            feedback.results_campaigns(engine, actor, territory_ids=[territory.id])
            return feedback.results(engine, actor, campaign_id)

        return page

    def members_page(actor, _):
        requests = membership.pending_requests_page(engine, actor)
        scopes = membership.manageable_scopes(engine, actor, limit=51)
        scope = scopes[0].territory_id
        return (
            requests,
            membership.list_members(engine, actor, scope),
            membership.list_invitations(engine, actor, scope),
        )

    def steering_page(actor, _):
        steering.filter_choices(engine, actor)
        view = steering.overview(engine, actor)
        return view, steering.activity_map(engine, actor)

    def journal_page(actor, _):
        steering.journal_choices(engine, actor)
        return steering.journal(engine, actor)

    def compare_page(actor, territory):
        groups = peers.comparison_groups(engine, actor, territory.id)
        scope = peers.Scope(group_id=groups[0].id)
        return peers.compare(engine, actor, territory.id, scope, fw, sections=[peers.Section.POSITION])

    def help_page(actor, territory):
        return peers.who_can_help(engine, actor, territory.id, fw)

    def stories_page(actor, _):
        return peers.peer_stories(engine, actor)

    def peer_journey_page(actor, _):
        return peers.peer_journey(engine, actor, f.peer_slug, fw)

    def group_page(actor, _):
        groups = peers.comparison_groups(engine, actor, None)
        return peers.group_overview(engine, actor, groups[0].id, fw)

    def sharing_page(actor, territory):
        return peers.sharing_settings(engine, actor, territory.id)

    def profile_page(actor, _):
        return peers.contact_consent(engine, actor), membership_territory_names(engine, actor)

    def cold(run):
        def uncached():
            with cache.using(cache.Caches()):
                return run()

        return uncached

    return {
        "Accueil (admin)": as_admin(home_admin),
        "Accueil (coordinator)": as_coordinator(home_coordinator, picker=False),
        "Mon parcours (admin)": as_admin(journey_page),
        "Mon parcours (coordinator)": as_coordinator(journey_page),
        "Questionnaires (admin)": as_admin(campaigns_page),
        "Questionnaires (coordinator)": as_coordinator(campaigns_page),
        "Répondre (share link)": lambda: feedback.public_campaign(engine, f.share_token),
        "Résultats (admin, big campaign)": as_admin(results_page(f.focus_campaign_id)),
        "Résultats (coordinator, network campaign)": as_coordinator(results_page(f.network_campaign_id)),
        # The first rerun after a response was submitted anywhere: nothing in this process's cache.
        "Résultats (admin, big campaign, cache cold)": cold(as_admin(results_page(f.focus_campaign_id))),
        "Résultats (coordinator, network campaign, cache cold)": cold(
            as_coordinator(results_page(f.network_campaign_id))
        ),
        "Membres (admin)": as_admin(members_page),
        "Membres (coordinator)": as_coordinator(members_page, picker=False),
        "Pilotage (coordinator)": as_coordinator(steering_page, picker=False),
        # The first rerun after anything the network screens count was written anywhere.
        "Accueil (coordinator, cache cold)": cold(as_coordinator(home_coordinator, picker=False)),
        "Pilotage (coordinator, cache cold)": cold(as_coordinator(steering_page, picker=False)),
        "Journal (admin)": as_admin(journal_page),
        "Journal (coordinator)": as_coordinator(journal_page, picker=False),
        "Comparer (admin)": as_admin(compare_page),
        "Comparer (coordinator)": as_coordinator(compare_page),
        "Qui peut m'aider (admin)": as_admin(help_page),
        "Qui peut m'aider (admin, cache cold)": cold(as_admin(help_page)),
        "Récits des pairs (admin)": as_admin(stories_page),
        "Parcours d'un pair (admin)": as_admin(peer_journey_page),
        "Groupes de pairs (coordinator)": as_coordinator(group_page, picker=False),
        "Partage (admin)": as_admin(sharing_page),
        "Profil (admin)": as_admin(profile_page),
    }


# --- hand-written SQL baselines ------------------------------------------------------------------


def sql_baselines(engine: Engine, focus: network.Focus) -> dict[str, Callable[[], object]]:
    """The same figures as the app's, each from a few plain statements written by hand."""
    s = f"{PG_SCHEMA}." if is_postgres(engine) else ""
    f = focus
    axis_case = (
        "CASE sc.criterion_id "
        + " ".join(
            f"WHEN '{c}' THEN '{a}'" for c, a in criterion_axis_map(fw_domain.load_framework()).items()
        )
        + " END"
    )

    def q(conn, sql: str, **params):
        return conn.execute(sa.text(sql.format(s=s)), params).all()

    def shell(conn, person_id: int, coordinator: bool):
        q(conn, "SELECT id, email, display_name FROM {s}person WHERE id = :p", p=person_id)
        q(conn, "SELECT territory_id, role FROM {s}membership WHERE person_id = :p", p=person_id)
        if coordinator:
            return q(conn, "SELECT id, name FROM {s}territory ORDER BY name, id")
        q(conn, "SELECT 1 FROM {s}peer_group_member WHERE territory_id = :t LIMIT 1", t=f.territory_id)
        return q(conn, "SELECT id, name FROM {s}territory WHERE id = :t", t=f.territory_id)

    def latest_scores(conn):
        rows = q(
            conn,
            f"""SELECT a.id, a.assessed_on, {axis_case} AS axis, AVG(sc.level * 1.0)
            FROM {{s}}assessment a JOIN {{s}}assessment_score sc ON sc.assessment_id = a.id
            WHERE a.id IN (SELECT id FROM {{s}}assessment WHERE territory_id = :t AND status = 'submitted'
                           ORDER BY assessed_on DESC, id DESC LIMIT 2)
            GROUP BY a.id, a.assessed_on, axis""",
            t=f.territory_id,
        )
        q(conn, "SELECT id FROM {s}assessment WHERE territory_id = :t AND status = 'draft'", t=f.territory_id)
        return rows

    def home_admin():
        with engine.connect() as conn:
            shell(conn, f.admin_id, False)
            latest_scores(conn)
            return q(
                conn,
                "SELECT * FROM {s}milestone WHERE territory_id = :t "
                "ORDER BY occurred_on DESC, id DESC LIMIT 1",
                t=f.territory_id,
            )

    def journey_page(person_id: int, coordinator: bool):
        def run():
            with engine.connect() as conn:
                shell(conn, person_id, coordinator)
                q(
                    conn,
                    "SELECT kind, level FROM {s}territory_sharing WHERE territory_id = :t",
                    t=f.territory_id,
                )
                latest_scores(conn)
                q(
                    conn,
                    f"""SELECT a.id, a.assessed_on, {axis_case} AS axis, AVG(sc.level * 1.0)
                    FROM {{s}}assessment a JOIN {{s}}assessment_score sc ON sc.assessment_id = a.id
                    WHERE a.territory_id = :t AND a.status = 'submitted'
                    GROUP BY a.id, a.assessed_on, axis ORDER BY a.assessed_on, a.id""",
                    t=f.territory_id,
                )
                return q(
                    conn,
                    "SELECT * FROM {s}milestone WHERE territory_id = :t ORDER BY occurred_on, id",
                    t=f.territory_id,
                )

        return run

    campaigns_sql = """SELECT c.id, c.title, c.opens_on, c.closes_on, c.territory_id, t.name, f.title_fr,
        (SELECT COUNT(*) FROM {s}response r WHERE r.campaign_id = c.id AND r.status = 'submitted')
        FROM {s}campaign c JOIN {s}form_template f ON f.id = c.form_template_id
        LEFT JOIN {s}territory t ON t.id = c.territory_id
        WHERE c.territory_id = :t OR c.territory_id IS NULL ORDER BY c.opens_on DESC, c.id DESC"""

    def campaigns_page(person_id: int, coordinator: bool):
        def run():
            with engine.connect() as conn:
                shell(conn, person_id, coordinator)
                return q(conn, campaigns_sql, t=f.territory_id)

        return run

    def share_link():
        with engine.connect() as conn:
            row = q(
                conn,
                "SELECT id, title, opens_on, closes_on, anonymous, form_template_id FROM {s}campaign "
                "WHERE share_token = :k",
                k=f.share_token,
            )[0]
            return q(conn, "SELECT content FROM {s}form_template WHERE id = :i", i=row.form_template_id)

    def results_page(person_id: int, coordinator: bool, campaign_id: int):
        submitted = "r.campaign_id = :c AND r.status = 'submitted'"

        def run():
            with engine.connect() as conn:
                shell(conn, person_id, coordinator)
                q(conn, campaigns_sql, t=f.territory_id)
                q(conn, "SELECT * FROM {s}campaign WHERE id = :c", c=campaign_id)
                q(
                    conn,
                    f"SELECT respondent_role, COUNT(*) FROM {{s}}response r WHERE {submitted} GROUP BY 1",
                    c=campaign_id,
                )
                q(
                    conn,
                    f"SELECT DATE(r.submitted_at), r.respondent_role, COUNT(*) FROM {{s}}response r "
                    f"WHERE {submitted} GROUP BY 1, 2",
                    c=campaign_id,
                )
                # Every answer of the campaign's submitted responses, grouped once: numbers and texts.
                numbers = q(
                    conn,
                    f"""SELECT a.question_id, r.respondent_role, a.numeric_value, COUNT(*)
                    FROM {{s}}response r JOIN {{s}}answer a ON a.response_id = r.id
                    WHERE {submitted} AND a.numeric_value IS NOT NULL GROUP BY 1, 2, 3""",
                    c=campaign_id,
                )
                q(
                    conn,
                    f"""SELECT a.question_id, r.respondent_role, a.text_value, COUNT(*)
                    FROM {{s}}response r JOIN {{s}}answer a ON a.response_id = r.id
                    WHERE {submitted} AND a.text_value IS NOT NULL AND LENGTH(a.text_value) < 40
                    GROUP BY 1, 2, 3""",
                    c=campaign_id,
                )
                q(
                    conn,
                    f"""SELECT a.question_id, r.respondent_role, a.text_value
                    FROM {{s}}response r JOIN {{s}}answer a ON a.response_id = r.id
                    WHERE {submitted} AND a.text_value IS NOT NULL
                    ORDER BY r.submitted_at DESC, a.id LIMIT 2000""",
                    c=campaign_id,
                )
                q(
                    conn,
                    "SELECT COUNT(*) FROM {s}response WHERE campaign_id = :c AND status = 'draft'",
                    c=campaign_id,
                )
                return numbers

        return run

    def members_page(person_id: int, coordinator: bool):
        where = "" if coordinator else "AND ar.territory_id = :t"

        def run():
            with engine.connect() as conn:
                shell(conn, person_id, coordinator)
                q(
                    conn,
                    f"SELECT COUNT(*) FROM {{s}}access_request ar WHERE ar.status = 'pending' {where}",
                    t=f.territory_id,
                )
                q(
                    conn,
                    f"""SELECT ar.id, p.email, p.display_name, t.name, ar.message, ar.created_at
                    FROM {{s}}access_request ar JOIN {{s}}person p ON p.id = ar.person_id
                    LEFT JOIN {{s}}territory t ON t.id = ar.territory_id
                    WHERE ar.status = 'pending' {where} ORDER BY ar.created_at, ar.id LIMIT 20""",
                    t=f.territory_id,
                )
                scope = None if coordinator else f.territory_id
                scope_where = "IS NULL" if scope is None else "= :t"
                q(
                    conn,
                    f"""SELECT m.id, p.email, p.display_name, m.role FROM {{s}}membership m
                    JOIN {{s}}person p ON p.id = m.person_id WHERE m.territory_id {scope_where}
                    ORDER BY p.display_name""",
                    t=scope,
                )
                return q(
                    conn,
                    f"SELECT * FROM {{s}}invitation WHERE territory_id {scope_where} "
                    "ORDER BY created_at DESC",
                    t=scope,
                )

        return run

    return {
        "Accueil (admin)": home_admin,
        "Mon parcours (admin)": journey_page(f.admin_id, False),
        "Mon parcours (coordinator)": journey_page(f.coordinator_id, True),
        "Questionnaires (admin)": campaigns_page(f.admin_id, False),
        "Questionnaires (coordinator)": campaigns_page(f.coordinator_id, True),
        "Répondre (share link)": share_link,
        "Résultats (admin, big campaign)": results_page(f.admin_id, False, f.focus_campaign_id),
        "Résultats (coordinator, network campaign)": results_page(
            f.coordinator_id, True, f.network_campaign_id
        ),
        "Résultats (admin, big campaign, cache cold)": results_page(f.admin_id, False, f.focus_campaign_id),
        "Résultats (coordinator, network campaign, cache cold)": results_page(
            f.coordinator_id, True, f.network_campaign_id
        ),
        "Membres (admin)": members_page(f.admin_id, False),
        "Membres (coordinator)": members_page(f.coordinator_id, True),
    }


# --- replaying the app's own statements ------------------------------------------------------------


def capture(engine: Engine, fn: Callable[[], object]) -> list[tuple[str, object]]:
    """The statements ``fn`` sends to the database, with their parameters, in order."""
    seen: list[tuple[str, object]] = []

    def listen(_conn, _cursor, statement, parameters, _context, executemany):
        if not executemany:
            seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        fn()
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)
    return seen


def replay(engine: Engine, statements: list[tuple[str, object]]) -> Callable[[], None]:
    def run() -> None:
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            for statement, parameters in statements:
                cursor.execute(statement, parameters)
                cursor.fetchall()
            raw.rollback()
        finally:
            raw.close()

    return run


# --- plans ---------------------------------------------------------------------------------------


def answers_plan(engine: Engine, campaign_id: int) -> str:
    """The plan each database chooses for the results' numeric distribution of a campaign
    (``lib.store.feedback.numeric_distribution``'s query), as text."""
    from lib.domain import question_types as qt
    from lib.services.feedback.templates import stored_template
    from lib.store import feedback as feedback_store
    from lib.store import tables

    with engine.connect() as conn:
        row = feedback_store.campaign_by_id(conn, campaign_id)
        ids = [q.id for q in stored_template(conn, row.form_template_id).questions_summarised_as(qt.BY_VALUE)]
        a, r = tables.answer, tables.response
        query = (
            feedback_store._answers_of_submitted(campaign_id, None, None)
            .add_columns(a.c.question_id, r.c.respondent_role, a.c.numeric_value, sa.func.count())
            .where(a.c.question_id.in_(ids), a.c.numeric_value.is_not(None))
            .group_by(a.c.question_id, r.c.respondent_role, a.c.numeric_value)
        )
        sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
        if is_postgres(engine):
            sql = sql.replace("FROM answer", f"FROM {PG_SCHEMA}.answer").replace(
                "JOIN response", f"JOIN {PG_SCHEMA}.response"
            )
            return "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + sql))
        return "\n".join(r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))


# --- timing ------------------------------------------------------------------------------------------


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def measure(engine: Engine, focus: network.Focus, repeat: int, only: str | None = None) -> list[dict]:
    """Each screen's app, sql and replay, interleaved round after round; median and p95."""
    apps = app_screens(engine, focus)
    sqls = sql_baselines(engine, focus)
    runs: dict[tuple[str, str], Callable[[], object]] = {}
    for name, app in apps.items():
        if only and only.lower() not in name.lower():
            continue
        app()  # warm: the first run fills SQLAlchemy's statement cache and the database's pages
        runs[name, "app"] = app
        if name in sqls:
            sqls[name]()
            runs[name, "sql"] = sqls[name]
        runs[name, "replay"] = replay(engine, capture(engine, app))
    samples: dict[tuple[str, str], list[float]] = {key: [] for key in runs}
    for _ in range(repeat):
        for key, fn in runs.items():
            started = time.perf_counter()
            fn()
            samples[key].append(time.perf_counter() - started)
    table = []
    for name in dict.fromkeys(n for n, _ in runs):
        row = {"screen": name}
        for kind in ("app", "sql", "replay"):
            if (name, kind) in samples:
                row[kind] = _ms(samples[name, kind])
        table.append(row)
    return table


def render(table: list[dict], title: str) -> str:
    def cell(row, kind):
        if kind not in row:
            return "–"
        median, p95 = row[kind]
        return f"{median:.1f} / {p95:.1f}"

    lines = [
        f"## {title}",
        "",
        "| screen (persona) | app: median / p95 ms | hand SQL | replay | app ÷ best baseline (p95) |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in table:
        best = min(row[k][1] for k in ("sql", "replay") if k in row)
        ratio = row["app"][1] / best if best else float("nan")
        lines.append(
            f"| {row['screen']} | {cell(row, 'app')} | {cell(row, 'sql')} | {cell(row, 'replay')} "
            f"| {ratio:.1f}× |"
        )
    return "\n".join(lines) + "\n"


# --- databases ------------------------------------------------------------------------------------


@contextmanager
def sqlite_database() -> Iterator[Engine]:
    with tempfile.TemporaryDirectory(prefix="parcours-bench-") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'network.db'}")
        try:
            yield engine
        finally:
            engine.dispose()


@contextmanager
def postgres_database() -> Iterator[Engine]:
    name = f"parcours_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=3) as admin:
        admin.execute(f'create database "{name}"')
    params = psycopg.conninfo.conninfo_to_dict(PG_ADMIN_DSN)
    engine = make_engine(f"postgresql+psycopg://{params['user']}@{params['host']}:{params['port']}/{name}")
    try:
        yield engine
    finally:
        engine.dispose()
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'drop database if exists "{name}" with (force)')


DATABASES = {"sqlite": sqlite_database, "postgresql": postgres_database}


def run_one(db: str, size_name: str, repeat: int, only: str | None = None) -> str:
    size = network.SIZES[size_name]
    with DATABASES[db]() as engine:
        started = time.perf_counter()
        focus = network.build(engine, size)
        built = time.perf_counter() - started
        # What a process starting on this database does (statistics included, where start-up
        # takes care of them), timed as the cold part of a start.
        started = time.perf_counter()
        bootstrap(engine)
        start_up = time.perf_counter() - started
        rows = network.counts(engine)
        table = measure(engine, focus, repeat, only)
    head = (
        f"Size {size_name} on {db}: "
        + ", ".join(f"{n:,} {name}" for name, n in rows.items())
        + f". Generated and loaded in {built:.0f} s; start-up on it {start_up * 1000:.0f} ms. "
        f"{repeat} rounds, interleaved."
    )
    return render(table, f"{db}, size {size_name}") + "\n" + head + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default=os.environ.get("SIZE", "S"), choices=sorted(network.SIZES))
    parser.add_argument("--db", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--repeat", type=int, default=None, help="rounds (default: 30 for S, 15 otherwise)")
    parser.add_argument("--only", default=None, help="only the screens whose name contains this")
    args = parser.parse_args(argv)
    repeat = args.repeat or (30 if args.size == "S" else 15)
    now = datetime.now(UTC)
    machine = (
        f"{platform.node()} · {platform.machine()} · {os.cpu_count()} CPUs · "
        f"Python {platform.python_version()}"
    )
    out = [f"# Screens at size {args.size} — {now:%Y-%m-%d %H:%M} UTC — {machine}", ""]
    for db in [d.strip() for d in args.db.split(",") if d.strip()]:
        try:
            text = run_one(db, args.size, repeat, args.only)
        except psycopg.OperationalError as exc:
            text = f"## {db}: not measured ({exc})\n"
        print(text, flush=True)
        out.append(text)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"screens-{args.size}-{now:%Y%m%d-%H%M%S}.md"
    path.write_text("\n".join(out), encoding="utf-8")
    print(f"Written to {path.relative_to(RESULTS.parent.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
