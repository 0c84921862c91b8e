"""An anonymous campaign: no figure by role rests on fewer than three responses — on the results
screen and in the CSV and XLSX exports alike, decided by one domain rule — and exports give the
day of an answer, never its time."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import UTC, date, datetime

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.navigation import page_path
from lib.access import Role
from lib.domain import anonymity
from lib.domain.anonymity import MIN_GROUP, POOLED, role_groups
from lib.domain.framework import load_framework
from lib.services import feedback
from lib.store import migrate
from lib.store.db import make_engine
from tests.factories import make_actor, make_campaign, make_response, make_territory, open_app_as

ROLES = [r.id for r in load_framework().stakeholder_roles]


# --- The rule ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "pooled"),
    [
        ({"inhabitant": 5, "local_agent": 3}, set()),
        (
            {"inhabitant": 5, "elected_official": 1, "state_services": 2},
            {"elected_official", "state_services"},
        ),
        # A lone elected official alone in the pool would be recognised: the smallest role joins.
        ({"inhabitant": 12, "local_agent": 4, "elected_official": 1}, {"elected_official", "local_agent"}),
        ({"inhabitant": 12, "elected_official": 1}, {"elected_official", "inhabitant"}),
        ({"inhabitant": 2}, {"inhabitant"}),
        ({}, set()),
    ],
)
def test_roles_with_fewer_than_three_responses_are_pooled_with_the_smallest_until_the_pool_hides_three(
    counts, pooled
):
    assert role_groups(counts, order=ROLES).pooled == pooled


def test_a_period_never_names_a_role_the_whole_campaign_pools():
    whole = {"inhabitant": 6, "elected_official": 1, "local_agent": 3}
    groups = role_groups(whole, {"inhabitant": 4, "local_agent": 3}, order=ROLES)
    # The elected official answered outside the period: local agents, pooled with them over the
    # whole campaign, stay pooled, or comparing two periods would single the elected one out.
    assert groups.pooled == {"elected_official", "local_agent"}
    assert role_groups(whole, {"inhabitant": 2, "local_agent": 3}, order=ROLES).pooled == {
        "elected_official",
        "local_agent",
        "inhabitant",
    }


def _group_sizes(groups: anonymity.RoleGroups, counts: dict[str, int]) -> Counter:
    sizes: Counter = Counter()
    for role, n in counts.items():
        sizes[groups.of(role)] += n
    return +sizes


@given(
    whole=st.dictionaries(st.sampled_from(ROLES), st.integers(0, 8)),
    share=st.lists(st.floats(0, 1), min_size=len(ROLES), max_size=len(ROLES)),
)
def test_every_group_shown_holds_three_responses_unless_everyone_is_in_one(whole, share):
    shown = {role: int(n * share[i]) for i, (role, n) in enumerate(whole.items())}
    for counts, groups in (
        (whole, role_groups(whole, order=ROLES)),
        (shown, role_groups(whole, shown, order=ROLES)),
    ):
        sizes = _group_sizes(groups, counts)
        if len(sizes) > 1:
            assert min(sizes.values()) >= MIN_GROUP, (counts, groups)


# --- On the screen and in the exports ----------------------------------------------------------

D1, D2 = date(2026, 3, 2), date(2026, 3, 4)
# Four inhabitants, three local agents, one elected official.
RESPONSES = [
    ("inhabitant", 4, ["food"], "Plus de liens", D1),
    ("inhabitant", 5, ["food", "energy"], "Confiance", D1),
    ("inhabitant", 3, ["energy"], "Lent", D2),
    ("inhabitant", 4, ["mobility"], "Utile", D2),
    ("local_agent", 2, ["food"], "Trop de réunions", D1),
    ("local_agent", 3, ["food"], "Bien", D2),
    ("local_agent", 2, ["energy"], "À suivre", D2),
    ("elected_official", 1, ["mobility"], "Seul élu", D2),
]


@pytest.fixture
def campaigns(engine):
    here = make_territory(engine, "Loos")
    admin = make_actor(engine, Role.TERRITORY_ADMIN, here)
    ids = {}
    for anonymous in (True, False):
        campaign_id, _ = make_campaign(engine, here, anonymous=anonymous)
        for role, mood, topics, story, day in RESPONSES:
            answers = {"mood": mood, "topics": topics, "story": story}
            sent = datetime(day.year, day.month, day.day, 9, 41, tzinfo=UTC)
            make_response(engine, campaign_id, role, answers, submitted_at=sent)
        ids["anonymous" if anonymous else "named"] = campaign_id
    return engine, admin, ids


def _roles_on_screen(res: feedback.Results) -> dict[str, set[str]]:
    return {
        "counts": set(res.counts["role"]),
        "distribution": set(res.distribution["role"]),
        "means": set(res.means["role"]),
        "choices": set(res.choices["role"]),
        "gaps": set(res.gaps["high_role"]) | set(res.gaps["low_role"]),
        "texts": {role for grouped in res.texts.values() for role, _ in grouped},
    }


def test_in_an_anonymous_campaign_no_figure_by_role_rests_on_fewer_than_three_responses(campaigns):
    engine, admin, ids = campaigns

    res = feedback.results(engine, admin, ids["anonymous"], min_answers=3)

    shown = _roles_on_screen(res)
    assert all(roles <= {"inhabitant", POOLED} for roles in shown.values()), shown
    responses = res.means[res.means["question_id"] == "mood"].set_index("role")["answers"].to_dict()
    assert responses == {"inhabitant": 4, POOLED: 4}  # the elected official hides among the agents
    assert sorted(dict(res.texts["story"])[POOLED]) == sorted(
        ["Trop de réunions", "Bien", "À suivre", "Seul élu"]
    )
    # A named campaign shows every role as it is.
    named = _roles_on_screen(feedback.results(engine, admin, ids["named"], min_answers=1))
    assert named["distribution"] == {"inhabitant", "local_agent", "elected_official"}


def _csv_rows(engine, admin, campaign_id) -> list[dict[str, str]]:
    text = feedback.export_csv(engine, admin, campaign_id).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def _xlsx_rows(engine, admin, campaign_id) -> list[dict]:
    book = openpyxl.load_workbook(io.BytesIO(feedback.export_xlsx(engine, admin, campaign_id)))
    header, *rows = list(book["reponses"].values)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_the_exports_of_an_anonymous_campaign_pool_roles_exactly_as_the_screen_does(campaigns):
    engine, admin, ids = campaigns
    on_screen = feedback.results(engine, admin, ids["anonymous"]).counts.groupby("role")["responses"].sum()

    for rows in (_csv_rows(engine, admin, ids["anonymous"]), _xlsx_rows(engine, admin, ids["anonymous"])):
        assert Counter(row["role"] for row in rows) == on_screen.to_dict() == {"inhabitant": 4, POOLED: 4}
        assert next(row for row in rows if row["story"] == "Seul élu")["role"] == POOLED

    book = openpyxl.load_workbook(io.BytesIO(feedback.export_xlsx(engine, admin, ids["anonymous"])))
    codes = {(kind, ident) for kind, ident, *_ in book["codes"].values}
    assert ("role", POOLED) in codes  # the pooled group is explained like every role


def test_anonymous_exports_give_the_day_of_an_answer_and_a_row_number_never_a_time(campaigns):
    engine, admin, ids = campaigns

    rows = _csv_rows(engine, admin, ids["anonymous"])
    assert {row["submitted_at"] for row in rows} == {"2026-03-02", "2026-03-04"}
    assert all(len(row["started_at"]) == len("2026-03-04") for row in rows)
    # Row numbers, not the order in which answers were started.
    assert sorted(int(row["response_id"]) for row in rows) == list(range(1, len(RESPONSES) + 1))
    cells = _xlsx_rows(engine, admin, ids["anonymous"])
    assert {row["submitted_at"] for row in cells} == {datetime(2026, 3, 2), datetime(2026, 3, 4)}

    named = _csv_rows(engine, admin, ids["named"])
    assert {row["submitted_at"] for row in named} == {"2026-03-02 10:41:00", "2026-03-04 10:41:00"}


def test_the_results_page_of_an_anonymous_campaign_shows_pooled_roles_and_says_why(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    here = make_territory(engine, "Loos-en-Gohelle (démo)")
    campaign_id, _ = make_campaign(engine, here)
    for role, mood, topics, story, _day in RESPONSES:
        make_response(engine, campaign_id, role, {"mood": mood, "topics": topics, "story": story})
    monkeypatch.setenv("DATABASE_URL", url)

    at = open_app_as(make_actor(engine, Role.TERRITORY_ADMIN, here), page_path("results"))

    assert not at.exception, at.exception
    assert any("aucun chiffre ni texte n’est montré pour un rôle" in c.value for c in at.caption)
    tables = [df.value for df in at.dataframe]
    shown = " ".join(df.to_csv() for df in tables) + " ".join(m.value for m in at.markdown)
    assert "Rôles regroupés" in shown and "Habitant" in shown
    assert "Élu·e" not in shown and "Agent" not in shown
    engine.dispose()
