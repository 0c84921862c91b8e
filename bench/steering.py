"""Network steering on a big network: the SQL aggregates against loading the tables into pandas.

Run with ``make bench`` or ``python -m bench.steering [--territories N] [--responses N]``.
It builds a throw-away SQLite database (default: 1,000 territories with five members each,
600 submitted responses per territory over three years — 600,000 responses, each with its
activity entry —, 40 logins per person, 50 journey entries per territory, a network
campaign of 20,000 responses with four scale answers each) and times, in the same run, what
one rerun of *Pilotage du réseau* asks for — the overview (territories' last activity and
the headline figures), the activity map, the role coverage, the network campaign by
territory and the first page of the journal — against a baseline that reads the rows it needs
into pandas and computes the same figures there. Both must agree before any figure is
printed. Figures are medians; nothing asserts on them.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bench.timing import median_seconds, scratch_sqlite, uncached
from lib.access import Actor, Membership, Role
from lib.domain import engagement
from lib.services import steering
from lib.store import tables

TODAY = date(2026, 11, 30)
ROLES = ("elected_official", "local_agent", "state_services", "socio_economic", "inhabitant", "other")
COORDINATOR = Actor(person_id=0, email="bench@reseau.test", memberships=(Membership(None, Role.COORDINATOR),))


def _insert(conn: Connection, table: sa.Table, rows) -> None:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == 50_000:
            conn.execute(sa.insert(table), batch)
            batch = []
    if batch:
        conn.execute(sa.insert(table), batch)


def build(conn: Connection, territories: int, responses: int, seed: str = "bench-steering") -> None:
    rng = random.Random(seed)
    now = datetime(2026, 11, 30, 8, tzinfo=UTC)
    start = now - timedelta(days=3 * 365)

    def moment(territory: int | None = None) -> datetime:
        # One territory in ten stalled: nothing of it in the last eighteen months.
        end = now - timedelta(days=540) if territory and territory % 10 == 0 else now
        return start + timedelta(seconds=rng.randint(0, int((end - start).total_seconds())))

    stamp = {"created_at": now, "updated_at": now}
    conn.execute(
        sa.insert(tables.territory),
        [
            {
                "id": i,
                "slug": f"t-{i}",
                "name": f"Territoire {i:04d}",
                "kind": rng.choice(tables.TERRITORY_KINDS),
                "region": f"Région {i % 13}",
                "sharing": "private",
                "is_demo": False,
                **stamp,
            }
            for i in range(1, territories + 1)
        ],
    )
    people = territories * 5
    _insert(
        conn,
        tables.person,
        (
            {"id": p, "email": f"p{p}@bench.test", "display_name": f"P {p}", "is_demo": False, **stamp}
            for p in range(1, people + 1)
        ),
    )
    _insert(
        conn,
        tables.membership,
        (
            {
                "person_id": p,
                "territory_id": (p - 1) // 5 + 1,
                "role": "territory_admin" if p % 5 == 1 else "reader",
                **stamp,
            }
            for p in range(1, people + 1)
        ),
    )
    conn.execute(
        sa.insert(tables.form_template).values(
            id=1, slug="bench", version=1, title_fr="Banc", title_en="Bench", content=_TEMPLATE, **stamp
        )
    )
    campaign_rows = [
        {
            "id": i,
            "territory_id": i,
            "form_template_id": 1,
            "title": f"Campagne {i}",
            "opens_on": date(2024, 1, 1),
            "closes_on": date(2026, 12, 31),
            "anonymous": True,
            "share_token": f"jeton-{i:06d}",
            **stamp,
        }
        for i in range(1, territories + 1)
    ]
    network = territories + 1
    campaign_rows.append(
        {**campaign_rows[0], "id": network, "territory_id": None, "share_token": "jeton-reseau"}
    )
    conn.execute(sa.insert(tables.campaign), campaign_rows)

    response_id = 0
    responses_rows, log_rows, answers = [], [], []
    for territory in range(1, territories + 1):
        for _ in range(responses):
            response_id += 1
            when = moment(territory)
            role = rng.choice(ROLES)
            responses_rows.append(_response(response_id, territory, None, role, when))
            log_rows.append(_log(when, "response.submitted", None, territory, response_id))
    for _ in range(20_000):
        response_id += 1
        when = moment()
        territory = rng.choice([None, *range(1, territories + 1)])
        responses_rows.append(_response(response_id, network, territory, rng.choice(ROLES), when))
        answers.extend(
            {"response_id": response_id, "question_id": f"q{q}", "numeric_value": rng.randint(1, 5)}
            for q in range(4)
        )
    _insert(conn, tables.response, responses_rows)
    _insert(conn, tables.answer, answers)
    for person in range(1, people + 1):
        territory = (person - 1) // 5 + 1
        log_rows.extend(_log(moment(territory), "auth.login", person, None, person) for _ in range(40))
    for territory in range(1, territories + 1):
        log_rows.extend(
            _log(
                moment(territory),
                rng.choice(("milestone.created", "assessment.draft_saved")),
                None,
                territory,
                1,
            )
            for _ in range(50)
        )
    log_rows.sort(key=lambda r: r["occurred_at"])
    _insert(conn, tables.activity_log, log_rows)
    conn.execute(sa.text("ANALYZE"))


_TEMPLATE = {
    "slug": "bench",
    "version": 1,
    "title": {"fr": "Banc", "en": "Bench"},
    "sections": [
        {
            "id": "s",
            "title": {"fr": "Partie", "en": "Part"},
            "questions": [
                {
                    "id": f"q{q}",
                    "type": "scale",
                    "min": 1,
                    "max": 5,
                    "min_label": {"fr": "Bas", "en": "Low"},
                    "max_label": {"fr": "Haut", "en": "High"},
                    "label": {"fr": f"Question {q}", "en": f"Question {q}"},
                }
                for q in range(4)
            ],
        }
    ],
}


def _response(rid: int, campaign: int, territory: int | None, role: str, when: datetime) -> dict:
    return {
        "id": rid,
        "campaign_id": campaign,
        "territory_id": territory,
        "respondent_role": role,
        "status": "submitted",
        "resume_code": f"R{rid:09d}",
        "document": {},
        "submitted_at": when,
        "created_at": when,
        "updated_at": when,
    }


def _log(when: datetime, action: str, person: int | None, territory: int | None, subject: int) -> dict:
    return {
        "occurred_at": when,
        "action": action,
        "person_id": person,
        "territory_id": territory,
        "subject_id": subject,
    }


# --- what the page asks for, both ways --------------------------------------------------------


def figure_sets(engine: Engine) -> dict:
    """What the page asks for, one figure set each: the overview on every rerun, one section."""
    campaign = _network_campaign(engine)
    sets = {
        "overview (figures, status, stalled)": lambda: steering.overview(engine, COORDINATOR, today=TODAY),
        "activity map (12 months)": lambda: steering.activity_map(engine, COORDINATOR, today=TODAY),
        "role coverage": lambda: steering.coverage(engine, COORDINATOR, today=TODAY),
        "network campaign by territory": lambda: steering.campaign_by_territory(
            engine, COORDINATOR, campaign
        ),
        "journal, first page": lambda: steering.journal(engine, COORDINATOR),
    }
    # The computation is timed here, as on the first rerun after a write (bench.screens times
    # the cached reruns too).
    return {name: uncached(fn) for name, fn in sets.items()}


def ours(engine: Engine) -> dict:
    sets = figure_sets(engine)
    view = sets["overview (figures, status, stalled)"]()
    _, grid = sets["activity map (12 months)"]()
    coverage = sets["role coverage"]()
    split = sets["network campaign by territory"]()
    sets["journal, first page"]()
    return {
        "active": int(view.territories["active"].sum()),
        "responses": next(f.value for f in view.figures if f.code == "responses"),
        "events": int(grid["events"].sum()),
        "covered": int(coverage["covered"].sum()),
        "split": int(split.responses["total"].sum()),
    }


def _network_campaign(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(tables.campaign.c.id).where(tables.campaign.c.territory_id.is_(None))
        ).scalar_one()


def baseline(engine: Engine) -> dict:
    """The same figures from rows loaded into pandas (the way the architecture rules out)."""
    period = engagement.Period(days=engagement.DEFAULT_DAYS, today=TODAY)
    with engine.connect() as conn:
        log = pd.read_sql(
            sa.select(
                tables.activity_log.c.territory_id,
                tables.activity_log.c.person_id,
                tables.activity_log.c.action,
                tables.activity_log.c.occurred_at,
            ),
            conn,
        )
        members = pd.read_sql(
            sa.select(tables.membership.c.person_id, tables.membership.c.territory_id), conn
        )
        responses = pd.read_sql(
            sa.select(
                tables.response.c.territory_id,
                tables.response.c.respondent_role,
                tables.response.c.submitted_at,
                tables.response.c.status,
                tables.campaign.c.territory_id.label("campaign_territory"),
                tables.response.c.campaign_id,
            ).join(tables.campaign, tables.campaign.c.id == tables.response.c.campaign_id),
            conn,
        )
        pd.read_sql(sa.select(tables.answer), conn)
    log["occurred_at"] = pd.to_datetime(log["occurred_at"], utc=True)
    engaged = log[log["action"].str.startswith(engagement.ENGAGEMENT_PREFIXES) & log["territory_id"].notna()]
    logins = (
        log[log["action"] == engagement.LOGIN_ACTION]
        .drop(columns="territory_id")
        .merge(members, on="person_id")
    )
    events = pd.concat([engaged[["territory_id", "occurred_at"]], logins[["territory_id", "occurred_at"]]])
    events = events[events["occurred_at"] < period.until]
    last = events.groupby("territory_id")["occurred_at"].max()
    bounds = engagement.month_bounds(TODAY)
    in_year = events[events["occurred_at"] >= bounds[0]]
    responses["submitted_at"] = pd.to_datetime(responses["submitted_at"], utc=True)
    responses["where"] = responses["territory_id"].fillna(responses["campaign_territory"])
    window = responses[
        (responses["submitted_at"] >= period.since) & (responses["submitted_at"] < period.until)
    ]
    fantastiques = ROLES[:4]
    covered = window[window["respondent_role"].isin(fantastiques) & window["where"].notna()]
    network = responses[responses["campaign_territory"].isna()]
    return {
        "active": int((last >= period.since).sum()),
        "responses": len(window),
        "events": len(in_year),
        "covered": int(covered.groupby("where")["respondent_role"].nunique().sum()),
        "split": len(network),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--territories", type=int, default=1_000)
    parser.add_argument("--responses", type=int, default=600, help="responses per territory")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with scratch_sqlite() as engine:
        started = time.perf_counter()
        with engine.begin() as conn:
            build(conn, args.territories, args.responses)
        with engine.connect() as conn:
            sizes = {
                name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                for name, table in (
                    ("responses", tables.response),
                    ("log entries", tables.activity_log),
                    ("answers", tables.answer),
                )
            }
        print(
            f"Built {args.territories:,} territories, "
            + ", ".join(f"{n:,} {name}" for name, n in sizes.items())
            + f" in {time.perf_counter() - started:.1f} s (SQLite)"
        )
        sql, frames = ours(engine), baseline(engine)
        if sql != frames:
            print(f"MISMATCH: SQL {sql} vs pandas {frames}")
            return 1
        parts = {name: median_seconds(fn, args.repeat) for name, fn in figure_sets(engine).items()}
        new = median_seconds(lambda: ours(engine), args.repeat)
        old = median_seconds(lambda: baseline(engine), args.repeat)
    print(f"Same figures both ways ({sql}). Median of {args.repeat}:")
    for name, seconds in parts.items():
        print(f"  {name:<38} {seconds * 1000:8.0f} ms")
    print(
        f"  all five figure sets: SQL aggregates {new * 1000:8.0f} ms   pandas baseline {old * 1000:8.0f} ms"
        f"   baseline/ours = {old / new:5.1f}x"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
