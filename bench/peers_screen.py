"""The peers' screens on a big peer group, against *Mon parcours*, in the same run.

Run with ``make bench`` or ``python -m bench.peers_screen [--territories N] [--years N]``.
It builds a throw-away SQLite database (or uses ``--url``, an empty database) holding one
peer group of 60 territories with 10 years of self-assessments (two a year, every criterion
of the framework: 18,000 scores) and five milestones each; a fifth of the territories share
nothing. Then it times, for a member of one of them:

* *Mon parcours*: ``lib.services.journey.get_journey``, what every rerun of that page asks;
* *Comparer avec les pairs*: ``lib.services.peers.compare``, tab by tab as the page asks for
  them (only the open tab is computed): where we stand (the spread and the named peers'
  latest scores), the trajectories, the journeys side by side — and all three at once;
* *Qui peut m'aider ?* (``who_can_help``), *Récits des pairs* (``peer_stories``) and the
  coordinators' group page (``group_overview``), for context.

Before timing, the spread computed by SQL is checked against pandas' quantiles of the same
latest scores. Figures are medians of several runs, printed with their ratio to *Mon
parcours* and appended to ``bench/results/peers_screen.jsonl`` (git-ignored). Nothing asserts
on them.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bench.timing import median_cpu_seconds, median_seconds, uncached
from lib.access import Role
from lib.domain.framework import load_framework
from lib.domain.journey import criterion_axis_map
from lib.services import journey, peers
from lib.services.identity import load_actor
from lib.store import migrate, tables
from lib.store import peers as peers_store
from lib.store.db import ROOT, make_engine
from lib.store.reference import register_framework

RESULTS = ROOT / "bench" / "results" / "peers_screen.jsonl"
PHASES = ("impulse", "groundwork", "town_project", "generalisation", "transferability")


def build(conn: Connection, territories: int, years: int, rng: random.Random) -> dict[str, int]:
    """One peer group of ``territories``, each with two assessments a year; returns counts."""
    framework = load_framework()
    version = register_framework(conn, framework)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    start = date(2026, 1, 1) - timedelta(days=365 * years)
    ids = list(range(1, territories + 1))
    conn.execute(
        sa.insert(tables.territory),
        [
            {"id": i, "slug": f"bench-{i}", "name": f"Territoire {i}", "kind": "commune", "created_at": now,
             "updated_at": now}
            for i in ids
        ],
    )  # fmt: skip
    conn.execute(
        sa.insert(tables.peer_group).values(
            id=1, slug="bench", name="Cohorte", created_at=now, updated_at=now
        )
    )
    conn.execute(sa.insert(tables.peer_group_member), [{"peer_group_id": 1, "territory_id": i} for i in ids])
    silent = [i for i in ids if i % 5 == 0]  # a fifth share nothing
    conn.execute(
        sa.insert(tables.territory_sharing),
        [
            {"territory_id": i, "kind": kind, "level": "private", "updated_at": now}
            for i in silent
            for kind in ("assessments", "journey", "feedback")
        ],
    )
    assessments, scores, milestones = [], [], []
    ident = 0
    for territory_id in ids:
        base, growth = rng.uniform(0.3, 1.8), rng.uniform(0.05, 0.25)
        for k in range(2 * years):
            ident += 1
            assessments.append(
                {
                    "id": ident,
                    "territory_id": territory_id,
                    "framework_version": version,
                    "assessed_on": start + timedelta(days=182 * k + rng.randint(0, 20)),
                    "status": "submitted",
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            for criterion in framework.criteria:
                level = max(0, min(4, round(base + growth * k / 2 + rng.gauss(0, 0.5))))
                scores.append({"assessment_id": ident, "criterion_id": criterion.id, "level": level})
        for k, phase in enumerate(PHASES):
            milestones.append(
                {
                    "territory_id": territory_id,
                    "occurred_on": start + timedelta(days=700 * k + rng.randint(0, 200)),
                    "phase": phase,
                    "axis_id": rng.choice([a.id for a in framework.axes]),
                    "title": f"Jalon {k + 1}",
                    "story": "Ce que nous avons appris.",
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    conn.execute(sa.insert(tables.assessment), assessments)
    conn.execute(sa.insert(tables.assessment_score), scores)
    conn.execute(sa.insert(tables.milestone), milestones)
    person = conn.execute(
        sa.insert(tables.person)
        .values(email="bench@exemple.test", created_at=now, updated_at=now)
        .returning(tables.person.c.id)
    ).scalar_one()
    member = {
        "person_id": person,
        "territory_id": 1,
        "role": Role.READER,
        "created_at": now,
        "updated_at": now,
    }
    conn.execute(sa.insert(tables.membership).values(**member))
    coordinator = conn.execute(
        sa.insert(tables.person)
        .values(email="coord@exemple.test", created_at=now, updated_at=now)
        .returning(tables.person.c.id)
    ).scalar_one()
    network = {"person_id": coordinator, "territory_id": None, "role": Role.COORDINATOR}
    conn.execute(sa.insert(tables.membership).values(**network, created_at=now, updated_at=now))
    return {
        "person": person,
        "coordinator": coordinator,
        "scores": len(scores),
        "assessments": len(assessments),
    }


def _spread_agrees(engine, territories: list[int]) -> bool:
    """The SQL spread equals pandas' quantiles (linear interpolation) of the same latest scores."""
    axis_of = criterion_axis_map(load_framework())
    with engine.connect() as conn:
        latest = pd.DataFrame(
            [r._asdict() for r in peers_store.latest_axis_scores(conn, axis_of, territories)]
        )
        spread = {r.axis_id: r for r in peers_store.axis_spread(conn, axis_of, territories)}
    for axis_id, values in latest.groupby("axis_id")["score"]:
        r = spread[axis_id]
        expected = (values.min(), values.quantile(0.25), values.median(), values.quantile(0.75), values.max())
        if any(
            abs(a - b) > 1e-9
            for a, b in zip(expected, (r.minimum, r.q1, r.median, r.q3, r.maximum), strict=True)
        ):
            return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peers_screen", description=__doc__.splitlines()[0])
    parser.add_argument("--territories", type=int, default=60)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--url", help="an empty database to use instead of a throw-away SQLite file")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="parcours-bench-") as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = make_engine(url)
        started = time.perf_counter()
        migrate.upgrade(engine)
        with engine.begin() as conn:
            built = build(conn, args.territories, args.years, random.Random("parcours-bench-peers"))
        print(
            f"Built one peer group of {args.territories} territories x {args.years} years"
            f" ({built['assessments']:,} assessments, {built['scores']:,} scores) in"
            f" {time.perf_counter() - started:.1f} s on {engine.dialect.name}"
        )
        if not _spread_agrees(engine, list(range(1, args.territories + 1))):
            raise SystemExit("the SQL spread and pandas' quantiles disagree")
        member = load_actor(engine, built["person"])
        coordinator = load_actor(engine, built["coordinator"])
        framework = load_framework()
        scope = peers.Scope(group_id=1)

        def comparer(*sections):
            return lambda: peers.compare(engine, member, 1, scope, framework, sections=sections)

        screens = {
            "mon_parcours": lambda: journey.get_journey(engine, member, 1, framework),
            "comparer_position": comparer(peers.Section.POSITION),
            "comparer_trajectoires": comparer(peers.Section.TRAJECTORIES),
            "comparer_parcours": comparer(peers.Section.JOURNEYS),
            "comparer_tout": comparer(*peers.Section),
            # With empty process caches: the computation, as on the first rerun after a write.
            "qui_peut_aider": uncached(lambda: peers.who_can_help(engine, member, 1, framework)),
            "recits": lambda: peers.peer_stories(engine, member),
            "groupe_coordination": lambda: peers.group_overview(engine, coordinator, 1, framework),
        }
        for screen in screens.values():
            screen()  # warm up: framework parsing, SQLAlchemy's statement cache
        results = {name: median_seconds(screen, args.repeat) for name, screen in screens.items()}
        cpu = {name: median_cpu_seconds(screen, args.repeat) for name, screen in screens.items()}
        data = screens["comparer_tout"]()
        engine.dispose()

    print(
        f"Comparer: {data.counted} territories in the spread ({data.unnamed} unnamed),"
        f" {data.history['territory_id'].nunique()} trajectories, {len(data.phases)} phase periods."
    )
    print("Median times (same run, same database), wall clock and this process's CPU:")
    base, base_cpu = results["mon_parcours"], cpu["mon_parcours"]
    for name, seconds in results.items():
        print(
            f"  {name:<22} {seconds * 1000:8.1f} ms  x{seconds / base:5.1f}"
            f"   CPU {cpu[name] * 1000:7.1f} ms  x{cpu[name] / base_cpu:5.1f}   (x: times Mon parcours)"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as fh:
        record = {"at": datetime.now(UTC).isoformat(timespec="seconds"), **vars(args), "url": bool(args.url)}
        cpu_record = {f"{name}_cpu": seconds for name, seconds in cpu.items()}
        fh.write(json.dumps(record | results | cpu_record | {"scores": built["scores"]}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
