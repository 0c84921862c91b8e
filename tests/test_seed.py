"""The demo data set: what a newcomer sees after ``make run``, the same every time."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib.demo.seed import DEMO_EMAIL_DOMAIN, SeedRefused, seed_demo
from lib.domain.framework import load_framework
from lib.services.identity import list_demo_personas
from lib.store import migrate, tables
from lib.store.db import ROOT, make_engine
from tests.conftest import count_rows
from tests.factories import make_person, make_territory

TODAY = date(2026, 11, 30)


@pytest.fixture
def seeded(engine) -> Engine:
    result = seed_demo(engine, today=TODAY)
    assert result.seeded
    return engine


def _rows(engine: Engine, query) -> list:
    with engine.connect() as conn:
        return conn.execute(query).all()


def _snapshot(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    snapshot = {}
    with engine.connect() as conn:
        for table in tables.metadata.sorted_tables:
            columns = [
                c for c in table.columns if (table.name, c.name) != ("framework_version", "created_at")
            ]
            # When a framework version was first seen is the moment of the run, by design.
            rows = conn.execute(sa.select(*columns).order_by(*table.primary_key.columns)).all()
            snapshot[table.name] = [tuple(r) for r in rows]
    return snapshot


def _content(engine: Engine) -> dict[str, list[tuple]]:
    """The seed's content named by natural keys, so databases with other ids compare equal."""
    T, P, M, A, S = (
        tables.territory,
        tables.person,
        tables.membership,
        tables.assessment,
        tables.assessment_score,
    )
    G, GM, MS = tables.peer_group, tables.peer_group_member, tables.milestone
    return {
        "territories": _rows(
            engine, sa.select(T.c.slug, T.c.name, T.c.kind, T.c.region, T.c.sharing).order_by(T.c.slug)
        ),
        "memberships": _rows(
            engine,
            sa.select(P.c.email, T.c.slug, M.c.role)
            .select_from(M.join(P, P.c.id == M.c.person_id).outerjoin(T, T.c.id == M.c.territory_id))
            .order_by(P.c.email, T.c.slug),
        ),
        "groups": _rows(
            engine,
            sa.select(G.c.slug, T.c.slug)
            .select_from(GM.join(G, G.c.id == GM.c.peer_group_id).join(T, T.c.id == GM.c.territory_id))
            .order_by(G.c.slug, T.c.slug),
        ),
        "scores": _rows(
            engine,
            sa.select(T.c.slug, A.c.assessed_on, A.c.status, S.c.criterion_id, S.c.level, S.c.comment)
            .select_from(S.join(A, A.c.id == S.c.assessment_id).join(T, T.c.id == A.c.territory_id))
            .order_by(T.c.slug, A.c.assessed_on, S.c.criterion_id),
        ),
        "milestones": _rows(
            engine,
            sa.select(T.c.slug, MS.c.occurred_on, MS.c.phase, MS.c.storytelling_dimension, MS.c.title)
            .select_from(MS.join(T, T.c.id == MS.c.territory_id))
            .order_by(T.c.slug, MS.c.occurred_on, MS.c.title),
        ),
        "activity": sorted(
            Counter(a for (a,) in _rows(engine, sa.select(tables.activity_log.c.action))).items()
        ),
    }


def _fresh_sqlite(path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    return engine


# --- deterministic ------------------------------------------------------------------------


def test_two_fresh_databases_seeded_for_the_same_day_hold_the_same_rows(tmp_path):
    first, second = _fresh_sqlite(tmp_path / "a.db"), _fresh_sqlite(tmp_path / "b.db")
    seed_demo(first, today=TODAY)
    seed_demo(second, today=TODAY)
    snapshot = _snapshot(first)
    assert snapshot == _snapshot(second)
    assert len(snapshot["assessment_score"]) > 500


@pytest.mark.postgres
def test_sqlite_and_postgresql_get_the_same_demo_content(sqlite_engine, pg_engine):
    seed_demo(sqlite_engine, today=TODAY)
    seed_demo(pg_engine, today=TODAY)
    assert _content(sqlite_engine) == _content(pg_engine)


# --- what the demo shows ------------------------------------------------------------------


def test_about_twelve_fictional_territories_of_every_kind_clearly_marked_demo(seeded):
    rows = _rows(seeded, sa.select(tables.territory))
    assert 10 <= len(rows) <= 14
    assert all(r.is_demo and r.name.endswith("(démo)") for r in rows)
    assert {r.kind for r in rows} == set(tables.TERRITORY_KINDS)
    assert {r.sharing for r in rows} == set(tables.LEGACY_SHARING_LEVELS)
    assert len({r.region for r in rows}) >= 4


def test_demo_people_hold_every_access_role_and_the_persona_picker_offers_them(seeded):
    people = _rows(seeded, sa.select(tables.person))
    assert people and all(p.is_demo and p.email.endswith("@" + DEMO_EMAIL_DOMAIN) for p in people)
    memberships = _rows(seeded, sa.select(tables.membership))
    assert {m.role for m in memberships} == set(tables.ACCESS_ROLES)
    assert all(m.territory_id is None for m in memberships if m.role == "coordinator")
    assert all(m.territory_id is not None for m in memberships if m.role != "coordinator")
    # At least one territory has its full team: admin, contributor and reader.
    roles_by_territory: dict[int, set[str]] = {}
    for m in memberships:
        roles_by_territory.setdefault(m.territory_id, set()).add(m.role)
    assert {"territory_admin", "contributor", "reader"} in roles_by_territory.values()
    assert {p["role"] for p in list_demo_personas(seeded)} == set(tables.ACCESS_ROLES)


def test_peer_groups_include_villes_pairs_and_regional_cohorts(seeded):
    groups = _rows(
        seeded,
        sa.select(tables.peer_group.c.name, sa.func.count(tables.peer_group_member.c.territory_id))
        .join(tables.peer_group_member)
        .group_by(tables.peer_group.c.name),
    )
    sizes = dict(groups)
    assert sizes.get("Villes Pairs 2018–2020", 0) >= 5
    assert sum(1 for name in sizes if name.startswith("Cohorte")) >= 2


def test_three_years_of_complete_assessments_that_progress(seeded):
    framework = load_framework()
    assessments = _rows(seeded, sa.select(tables.assessment).order_by(tables.assessment.c.assessed_on))
    first, last = assessments[0].assessed_on, assessments[-1].assessed_on
    assert 2.5 <= (last - first).days / 365 <= 3.2 and last <= TODAY
    assert all(a.framework_version == framework.version for a in assessments)
    assert Counter(a.status for a in assessments)["draft"] == 1
    per_territory = Counter(a.territory_id for a in assessments)
    assert len(per_territory) == count_rows(seeded, tables.territory) and min(per_territory.values()) >= 3

    rated = _rows(
        seeded,
        sa.select(tables.assessment_score.c.assessment_id, sa.func.count(tables.assessment_score.c.level))
        .join(tables.assessment)
        .where(tables.assessment.c.status == "submitted")
        .group_by(tables.assessment_score.c.assessment_id),
    )
    submitted = [a for a in assessments if a.status == "submitted"]
    assert len(rated) == len(submitted)
    assert {count for _, count in rated} == {len(framework.criteria)}
    assert (
        _rows(seeded, sa.select(sa.func.count()).where(tables.assessment_score.c.comment.is_not(None)))[0][0]
        > 0
    )

    mean = dict(
        _rows(
            seeded,
            sa.select(
                tables.assessment_score.c.assessment_id,
                sa.func.avg(sa.cast(tables.assessment_score.c.level, sa.Float)),
            ).group_by(tables.assessment_score.c.assessment_id),
        )
    )
    for territory_id in per_territory:
        own = [a.id for a in submitted if a.territory_id == territory_id]
        assert mean[own[-1]] > mean[own[0]], f"territory {territory_id} did not progress"


def test_milestones_tell_stories_on_every_phase_and_storytelling_dimension(seeded):
    framework = load_framework()
    milestones = _rows(seeded, sa.select(tables.milestone))
    assert {m.phase for m in milestones} == {p.id for p in framework.phases}
    assert {m.storytelling_dimension for m in milestones} - {None} == {
        d.id for d in framework.storytelling_dimensions
    }
    assert all(m.occurred_on < TODAY and m.title and len(m.story) > 40 for m in milestones)


def test_activity_log_records_who_did_what_and_nothing_in_the_future(seeded):
    log = _rows(seeded, sa.select(tables.activity_log))
    actions = Counter(entry.action for entry in log)
    submitted = _rows(seeded, sa.select(sa.func.count()).where(tables.assessment.c.status == "submitted"))[0][
        0
    ]
    assert actions["assessment.submitted"] == submitted
    assert actions["milestone.created"] == count_rows(seeded, tables.milestone)
    assert actions["membership.granted"] == count_rows(seeded, tables.membership)
    assert max(entry.occurred_at for entry in log).date() <= TODAY


# --- never on real data -------------------------------------------------------------------


def test_a_database_holding_data_is_left_untouched(engine):
    make_territory(engine, "Loos-en-Gohelle")
    result = seed_demo(engine, today=TODAY)
    assert not result.seeded and result.reason == "not_empty"
    assert count_rows(engine, tables.territory) == 1
    assert count_rows(engine, tables.person) == 0


def test_force_refuses_a_database_with_real_people(engine):
    seed_demo(engine, today=TODAY)
    make_person(engine, "Vraie Personne", email="vraie@mairie.example", is_demo=False)
    before = _content(engine)
    with pytest.raises(SeedRefused):
        seed_demo(engine, today=TODAY, force=True)
    assert _content(engine) == before
    assert (
        count_rows(engine, tables.person) == len(before["memberships"])
        and count_rows(engine, tables.person) > 1
    )


def test_force_replaces_demo_data_without_duplicating_it(engine):
    seed_demo(engine, today=TODAY)
    before = _content(engine)
    assert seed_demo(engine, today=TODAY, force=True).seeded
    assert _content(engine) == before


def test_the_command_line_shows_each_step_then_does_nothing_the_second_time(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    command = [sys.executable, "-m", "lib.cli", "seed", "--today", TODAY.isoformat()]
    first = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "territories" in first.stdout and "assessments" in first.stdout and "Done:" in first.stdout
    second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    assert "nothing done" in second.stdout and "Done:" not in second.stdout


def test_make_run_loads_no_demo_data_once_a_login_provider_is_configured(tmp_path):
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        '[auth]\nredirect_uri = "http://127.0.0.1:8501/oauth2callback"\n'
    )
    database = tmp_path / "real.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "lib.cli", "seed", "--auto"]
    run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "not loaded" in run.stdout
    engine = make_engine(f"sqlite:///{database}")
    migrate.upgrade(engine)
    assert count_rows(engine, tables.territory) == 0 and count_rows(engine, tables.person) == 0


def test_the_demo_package_speaks_no_sql_and_its_texts_come_from_data_demo(seeded, tmp_path):
    # Decision 0001: SQL lives in lib/store; the demo's writes go through it (lib/store/demo.py).
    for module in (ROOT / "lib" / "demo").glob("*.py"):
        source = module.read_text(encoding="utf-8")
        assert "import sqlalchemy as sa" not in source, module.name
        assert "from lib.store import tables" not in source, module.name
    # What the newcomer reads is in data/demo: a story written there is the one shown.
    names = {name for (name,) in _rows(seeded, sa.select(tables.territory.c.name))}
    assert "Port-Lanterne (démo)" in names
    assert "Port-Lanterne" in (ROOT / "data" / "demo" / "territories.yaml").read_text(encoding="utf-8")
