"""Axis scores on a large network: aggregation in SQL against loading rows into pandas.

Run with ``make bench`` or ``python -m bench.axis_scores [--territories N] [--assessments N]``.
It builds a throw-away SQLite database (default: 1,000 territories x 12 assessments x every
criterion of the framework, about 180,000 scores), then times, in the same run:

* one territory's journey, what every rerun of "Mon parcours" asks for:
  ``lib.store.journey.axis_scores`` (GROUP BY in the database) against two pandas
  baselines: loading that territory's score rows and averaging them in pandas, and loading
  the whole tables then filtering (what "aggregate in SQL" forbids);
* the whole network (a coordinator's view of every assessment): a GROUP BY written here
  (``network_sql``; the app has no network-wide query yet), against every score in pandas.

Both sides are checked to give the same numbers before any figure is printed. Figures are
medians of several runs; they go to the terminal and are appended to
``bench/results/axis_scores.jsonl`` (git-ignored). Nothing asserts on them.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bench.timing import median_seconds
from lib.domain.framework import load_framework
from lib.domain.journey import criterion_axis_map
from lib.store import journey as journey_store
from lib.store import migrate, tables
from lib.store.db import ROOT, make_engine
from lib.store.reference import register_framework

RESULTS = ROOT / "bench" / "results" / "axis_scores.jsonl"


def build(conn: Connection, territories: int, assessments: int, rng: random.Random) -> int:
    """Fill the database; returns the number of score rows."""
    framework = load_framework()
    version = register_framework(conn, framework)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    conn.execute(
        sa.insert(tables.territory),
        [
            {
                "id": i,
                "slug": f"bench-{i}",
                "name": f"Territoire {i}",
                "kind": "commune",
                "created_at": now,
                "updated_at": now,
            }
            for i in range(1, territories + 1)
        ],
    )
    assessment_rows, score_rows = [], []
    ident = 0
    for territory_id in range(1, territories + 1):
        base = rng.uniform(0.5, 2.5)
        for k in range(assessments):
            ident += 1
            assessment_rows.append(
                {
                    "id": ident,
                    "territory_id": territory_id,
                    "framework_version": version,
                    "assessed_on": date(2023, 1, 1) + timedelta(days=90 * k),
                    "status": "submitted" if k < assessments - 1 or rng.random() < 0.8 else "draft",
                    "created_at": now,
                    "updated_at": now,
                }
            )
            for criterion in framework.criteria:
                level = max(0, min(4, round(base + 0.15 * k + rng.gauss(0, 0.6))))
                score_rows.append({"assessment_id": ident, "criterion_id": criterion.id, "level": level})
    conn.execute(sa.insert(tables.assessment), assessment_rows)
    conn.execute(sa.insert(tables.assessment_score), score_rows)
    return len(score_rows)


# --- the two ways of computing axis scores --------------------------------------------------


def network_sql(conn: Connection, axis_of: dict[str, str]) -> pd.DataFrame:
    """Mean level per (submitted assessment, axis) for every territory, grouped by the database.

    Scores are grouped first on their own table (its primary key is ordered by assessment),
    then joined to the much smaller result: on SQLite this is about twice as fast as
    grouping the joined rows by territory, assessment and axis.
    """
    a, s = tables.assessment, tables.assessment_score
    axis = sa.case(axis_of, value=s.c.criterion_id, else_=sa.null())
    per_axis = (
        sa.select(s.c.assessment_id, axis.label("axis_id"), sa.func.avg(s.c.level).label("score"))
        .where(s.c.level.is_not(None), s.c.criterion_id.in_(list(axis_of)))
        .group_by(s.c.assessment_id, axis)
        .subquery()
    )
    query = (
        sa.select(a.c.territory_id, per_axis.c.assessment_id, per_axis.c.axis_id, per_axis.c.score)
        .join(per_axis, per_axis.c.assessment_id == a.c.id)
        .where(a.c.status == "submitted")
    )
    return pd.read_sql(query, conn)


def network_pandas(
    conn: Connection, axis_of: dict[str, str], territory_id: int | None = None
) -> pd.DataFrame:
    """The baseline: score rows come to Python (one territory's, or all), pandas groups them."""
    a, s = tables.assessment, tables.assessment_score
    query = sa.select(a.c.territory_id, s.c.assessment_id, s.c.criterion_id, s.c.level, a.c.status).join(
        a, a.c.id == s.c.assessment_id
    )
    if territory_id is not None:
        query = query.where(a.c.territory_id == territory_id)
    rows = pd.read_sql(query, conn)
    rows = rows[(rows["status"] == "submitted") & rows["level"].notna()].assign(
        axis_id=rows["criterion_id"].map(axis_of)
    )
    return (
        rows.dropna(subset=["axis_id"])
        .groupby(["territory_id", "assessment_id", "axis_id"], as_index=False)["level"]
        .mean()
        .rename(columns={"level": "score"})
    )


def territory_sql(conn: Connection, axis_of: dict[str, str], territory_id: int) -> pd.DataFrame:
    rows = journey_store.axis_scores(conn, axis_of, territory_id=territory_id)
    return pd.DataFrame(
        [(r.assessment_id, r.axis_id, r.score) for r in rows], columns=["assessment_id", "axis_id", "score"]
    )


def territory_pandas(conn: Connection, axis_of: dict[str, str], territory_id: int) -> pd.DataFrame:
    """Only this territory's rows are loaded; pandas does the averaging."""
    return network_pandas(conn, axis_of, territory_id).drop(columns="territory_id")


def territory_pandas_whole_tables(
    conn: Connection, axis_of: dict[str, str], territory_id: int
) -> pd.DataFrame:
    """The anti-pattern the architecture forbids: load everything, filter in pandas."""
    frame = network_pandas(conn, axis_of)
    return frame[frame["territory_id"] == territory_id].drop(columns="territory_id")


# --- timing -------------------------------------------------------------------------------------


def _same(left: pd.DataFrame, right: pd.DataFrame, keys: list[str]) -> bool:
    left = left.sort_values(keys).reset_index(drop=True)
    right = right.sort_values(keys).reset_index(drop=True)
    return len(left) == len(right) and bool(
        (left[keys] == right[keys]).all().all() and ((left["score"] - right["score"]).abs() < 1e-9).all()
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.axis_scores", description=__doc__.splitlines()[0])
    parser.add_argument("--territories", type=int, default=1000)
    parser.add_argument("--assessments", type=int, default=12, help="per territory")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    axis_of = criterion_axis_map(load_framework())
    rng = random.Random("parcours-bench")
    with tempfile.TemporaryDirectory(prefix="parcours-bench-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        started = time.perf_counter()
        migrate.upgrade(engine)
        with engine.begin() as conn:
            score_rows = build(conn, args.territories, args.assessments, rng)
        print(
            f"Built {args.territories} territories x {args.assessments} assessments x {len(axis_of)} criteria"
            f" = {score_rows:,} scores in {time.perf_counter() - started:.1f} s (SQLite, {tmp})"
        )

        sample = rng.sample(range(1, args.territories + 1), min(10, args.territories))
        results = {}
        with engine.connect() as conn:
            if not _same(
                network_sql(conn, axis_of), network_pandas(conn, axis_of), ["assessment_id", "axis_id"]
            ):
                raise SystemExit("SQL and pandas disagree on the network's axis scores")
            for territory_id in sample[:3]:
                sql = territory_sql(conn, axis_of, territory_id)
                for baseline in (territory_pandas, territory_pandas_whole_tables):
                    if not _same(sql, baseline(conn, axis_of, territory_id), ["assessment_id", "axis_id"]):
                        raise SystemExit(f"SQL and pandas disagree on territory {territory_id}")

            def per_territory(fn) -> float:
                return statistics.mean(
                    median_seconds(lambda tid=tid: fn(conn, axis_of, tid), args.repeat) for tid in sample
                )

            results["territory_sql"] = per_territory(territory_sql)
            results["territory_pandas"] = per_territory(territory_pandas)
            results["territory_whole_tables_pandas"] = median_seconds(
                lambda: territory_pandas_whole_tables(conn, axis_of, sample[0]), args.repeat
            )
            results["network_sql"] = median_seconds(lambda: network_sql(conn, axis_of), args.repeat)
            results["network_pandas"] = median_seconds(lambda: network_pandas(conn, axis_of), args.repeat)
        engine.dispose()

    print("Same numbers from SQL and pandas. Median times:")
    for key, label in (
        ("territory_pandas", "one territory: SQL vs its rows in pandas"),
        ("territory_whole_tables_pandas", "one territory: SQL vs whole tables in pandas"),
        ("network_pandas", "whole network: SQL vs every row in pandas"),
    ):
        sql = results["network_sql"] if key == "network_pandas" else results["territory_sql"]
        baseline = results[key]
        print(
            f"  {label:<46} SQL {sql * 1000:8.2f} ms   pandas {baseline * 1000:8.2f} ms   "
            f"pandas/SQL = {baseline / sql:6.1f}x"
        )
    print("(SQLite runs in-process, the best case for pandas: against PostgreSQL or Supabase the")
    print(" raw rows also cross the network, which the SQL side avoids.)")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as fh:
        record = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "scores": score_rows,
            **vars(args),
            **results,
        }
        fh.write(json.dumps(record) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
