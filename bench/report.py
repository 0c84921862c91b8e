"""The Rapport de parcours of a territory with a long history, against *Mon parcours*, in the same run.

Run with ``make bench`` or ``python -m bench.report [--years N] [--campaigns N] [--responses N]``.
It builds a throw-away SQLite database holding one territory with ``--years`` (10) of
self-assessments (two a year, every criterion), ten milestones a year with their stories,
``--campaigns`` (30) feedback campaigns of the shipped templates with ``--responses`` (80)
submitted responses each (every role, scale answers, a free text in one response out of
three), in a peer group of 12 territories with their own ten years of assessments.

Then it times, for a member of the territory:

* the baseline, *Mon parcours*: ``lib.services.journey.get_journey``, what every rerun of
  that page asks — and the results page of one campaign (``feedback.results``);
* the report's data (``reports.journey_report``: every section read, rights and sharing
  checked) over the whole history, then the whole PDF (``reports.journey_report_pdf``: data,
  charts as SVG, typst) in French, for the last twelve months (what a council asks for) and
  for the whole history (the worst case: every campaign, every free text).

Figures are medians of several runs (wall clock: typst and vl-convert work in native
threads), printed with their ratio to the baseline and appended to
``bench/results/report.jsonl`` (git-ignored). The aim is a whole PDF under 5 s; nothing
asserts on it.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bench.timing import median_cpu_seconds, median_seconds
from lib.access import Role
from lib.bootstrap import bootstrap
from lib.domain import forms
from lib.domain.framework import load_framework
from lib.services import feedback, journey, reports
from lib.services.identity import load_actor
from lib.store import tables
from lib.store.db import ROOT, make_engine
from lib.store.reference import register_framework

RESULTS = ROOT / "bench" / "results" / "report.jsonl"
TODAY = date(2026, 11, 30)
PHASES = ("impulse", "groundwork", "town_project", "generalisation", "transferability")
ROLES = ("elected_official", "local_agent", "state_services", "socio_economic", "inhabitant", "other")
WORDS = [
    "coopération",
    "friche",
    "habitants",
    "atelier",
    "énergie",
    "forêt",
    "école",
    "marché",
    "récit",
    "conflit",
    "élus",
    "agents",
    "partenaires",
    "confiance",
    "mobilité",
    "alimentation",
    "eau",
    "quartier",
    "budget",
    "évaluation",
]


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def build(conn: Connection, years: int, campaigns: int, responses: int, rng: random.Random) -> dict[str, int]:
    """The territory (id 1) and its peers; returns the rows written per table."""
    framework = load_framework()
    version = register_framework(conn, framework)
    start = TODAY - timedelta(days=365 * years)
    conn.execute(
        sa.insert(tables.territory),
        [
            {"id": i, "slug": f"bench-{i}", "name": f"Territoire {i} (bench)", "kind": "commune"}
            for i in range(1, 13)
        ],
    )
    conn.execute(sa.insert(tables.peer_group).values(id=1, slug="bench", name="Groupe de bench"))
    conn.execute(
        sa.insert(tables.peer_group_member), [{"peer_group_id": 1, "territory_id": i} for i in range(1, 13)]
    )
    person_id = conn.execute(
        sa.insert(tables.person)
        .values(email="bench@exemple.test", display_name="Bench")
        .returning(tables.person.c.id)
    ).scalar_one()
    conn.execute(
        sa.insert(tables.membership).values(person_id=person_id, territory_id=1, role=Role.READER.value)
    )
    assessments = scores = 0
    for territory_id in range(1, 13):
        for k in range(2 * years):
            assessed_on = start + timedelta(days=182 * k + rng.randint(0, 20))
            aid = conn.execute(
                sa.insert(tables.assessment)
                .values(
                    territory_id=territory_id,
                    framework_version=version,
                    assessed_on=assessed_on,
                    status="submitted",
                    submitted_at=datetime.combine(assessed_on, datetime.min.time(), UTC),
                )
                .returning(tables.assessment.c.id)
            ).scalar_one()
            level = min(4, k // 5)
            rows = [
                {
                    "assessment_id": aid,
                    "criterion_id": c.id,
                    "level": max(0, min(4, level + rng.randint(-1, 1))),
                }
                for c in framework.criteria
            ]
            conn.execute(sa.insert(tables.assessment_score), rows)
            assessments += 1
            scores += len(rows)
    milestones = [
        {
            "territory_id": 1,
            "occurred_on": start + timedelta(days=36 * k + rng.randint(0, 20)),
            "phase": PHASES[min(4, k * 5 // (10 * years))],
            "title": _sentence(rng, 4),
            "story": " ".join(_sentence(rng, 14) for _ in range(4)),
        }
        for k in range(10 * years)
    ]
    conn.execute(sa.insert(tables.milestone), milestones)
    templates = [
        (r.id, forms.parse_template(r.content))
        for r in conn.execute(sa.select(tables.form_template.c.id, tables.form_template.c.content))
    ]
    response_count = answer_count = 0
    for k in range(campaigns):
        template_id, template = templates[k % len(templates)]
        opens = start + timedelta(days=(365 * years * k) // campaigns)
        campaign_id = conn.execute(
            sa.insert(tables.campaign)
            .values(
                territory_id=1,
                form_template_id=template_id,
                title=f"Campagne {k + 1} · {template.title.fr}",
                opens_on=opens,
                closes_on=opens + timedelta(days=30),
                anonymous=k % 2 == 0,
                share_token=f"bench-token-{k:04d}-0123456789abcdefghij",
            )
            .returning(tables.campaign.c.id)
        ).scalar_one()
        for n in range(responses):
            answers: dict[str, object] = {}
            for q in template.questions:
                if q.type == forms.SCALE:
                    answers[q.id] = rng.randint(int(q.min), int(q.max))
                elif q.type in forms.TEXT_TYPES and n % 3 == 0:
                    answers[q.id] = _sentence(rng, 10)[: q.max_length or 500]
            when = datetime.combine(opens + timedelta(days=n % 30), datetime.min.time(), UTC)
            response_id = conn.execute(
                sa.insert(tables.response)
                .values(
                    campaign_id=campaign_id,
                    respondent_role=ROLES[rng.randrange(len(ROLES))],
                    status="submitted",
                    resume_code=f"B{k:03d}{n:05d}",
                    document={"answers": answers},
                    submitted_at=when,
                )
                .returning(tables.response.c.id)
            ).scalar_one()
            rows = [
                {"response_id": response_id, "question_id": q, "numeric_value": num, "text_value": text}
                for q, num, text in forms.answer_rows(template, answers)
            ]
            if rows:
                conn.execute(sa.insert(tables.answer), rows)
            response_count += 1
            answer_count += len(rows)
    return {
        "assessments": assessments,
        "scores": scores,
        "milestones": len(milestones),
        "campaigns": campaigns,
        "responses": response_count,
        "answers": answer_count,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--campaigns", type=int, default=30)
    parser.add_argument("--responses", type=int, default=80)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    rng = random.Random(14)
    with tempfile.TemporaryDirectory(prefix="parcours-bench-report-") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        bootstrap(engine)  # migrations and the shipped form templates
        started = time.perf_counter()
        with engine.begin() as conn:
            counts = build(conn, args.years, args.campaigns, args.responses, rng)
            person_id = conn.execute(sa.select(tables.person.c.id)).scalar_one()
            first_campaign = conn.execute(sa.select(sa.func.min(tables.campaign.c.id))).scalar_one()
        print(
            f"built in {time.perf_counter() - started:.1f} s: "
            + ", ".join(f"{v} {k}" for k, v in counts.items())
        )
        actor = load_actor(engine, person_id)
        framework = load_framework()

        def whole():
            return reports.journey_report_pdf(engine, actor, 1, end=TODAY, lang="fr", framework=framework)

        # Warm-up: the first chart in a process starts vl-convert's engine (about a second).
        name, pdf = whole()
        last_year = date(2025, 12, 1)
        figures = {
            "mon_parcours": median_seconds(
                lambda: journey.get_journey(engine, actor, 1, framework), args.repeat
            ),
            "one_campaign_results": median_seconds(
                lambda: feedback.results(engine, actor, first_campaign), args.repeat
            ),
            "report_data": median_seconds(
                lambda: reports.journey_report(engine, actor, 1, lang="fr", framework=framework), args.repeat
            ),
            "report_pdf_last_year": median_seconds(
                lambda: reports.journey_report_pdf(
                    engine, actor, 1, start=last_year, end=TODAY, lang="fr", framework=framework
                ),
                args.repeat,
            ),
            "report_pdf_whole_history": median_seconds(whole, args.repeat),
            "report_pdf_whole_history_cpu": median_cpu_seconds(whole, args.repeat),
        }
        engine.dispose()
    base = figures["mon_parcours"]
    print(f"{'':30} {'seconds':>9} {'× Mon parcours':>15}")
    for key, seconds in figures.items():
        print(f"{key:30} {seconds:9.3f} {seconds / base:15.1f}")
    print(f"whole history: {name}, {len(pdf) / 1024:.0f} KiB; aim: a report under 5 s")
    print("(wall clock on a shared machine; _cpu: this process's CPU time, threads included)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write(json.dumps({"at": datetime.now(UTC).isoformat(), **vars(args), **counts, **figures}) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
