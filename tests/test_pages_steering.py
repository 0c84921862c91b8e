"""Pilotage du réseau, the coordinators' Accueil and the activity journal through AppTest, on
the demo data: who reaches them, what each section shows (every chart with its table), and
English."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from components.navigation import page_path
from lib.demo.seed import seed_demo
from lib.domain.clock import today
from lib.services.identity import load_actor
from lib.store import migrate, tables
from lib.store.db import make_engine
from tests.factories import as_read, open_app_as

COORDINATOR = "camille.roussel@demo.parcours.fr"
ADMIN = "elise.marchand@demo.parcours.fr"  # Vallée-des-Tilleuls
CONTRIBUTOR = "hugo.lefevre@demo.parcours.fr"
READER = "nadia.benali@demo.parcours.fr"
SECTIONS = ("activity", "stalled", "coverage", "freshness", "campaign")


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('steering') / 'demo.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    assert seed_demo(engine).seeded
    engine.dispose()
    return url


@pytest.fixture
def demo(demo_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_url)
    engine = make_engine(demo_url)
    yield engine
    engine.dispose()


def _as(engine, email: str):
    with engine.connect() as conn:
        person_id = conn.execute(
            sa.select(tables.person.c.id).where(tables.person.c.email == email)
        ).scalar_one()
    return load_actor(engine, person_id)


def _texts(at, kind: str) -> list[str]:
    return [element.value for element in at.get(kind)]


def _pages(at) -> set[str]:
    return {info.get("script_path") for info in at._registered_pages.values()}


def test_a_coordinator_finds_pilotage_and_the_journal_and_their_accueil_is_the_network(demo):
    at = open_app_as(_as(demo, COORDINATOR))

    assert {page_path("steering"), page_path("activity_log")} <= _pages(at)
    assert _texts(at, "title") == ["Le réseau en un coup d’œil"]
    assert [m.label for m in at.metric] == [
        "Territoires actifs",
        "Réponses reçues",
        "Questionnaires ouverts",
        "Auto-évaluations soumises",
    ]
    shown = " ".join(_texts(at, "markdown")).replace("\\", "")  # typed names are shown escaped
    assert "Bourg-les-Castors" in shown  # stalled, to get back in touch with
    assert "Val-Fougère" in shown  # its elected officials never answer


@pytest.mark.parametrize("section", SECTIONS)
def test_every_section_of_pilotage_draws_its_chart_with_its_table(demo, section):
    at = open_app_as(_as(demo, COORDINATOR), page_path("steering"))
    at.segmented_control(key="steering.section").set_value(section).run()

    assert not at.exception, at.exception
    assert len(at.metric) == 4
    charts = at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")
    assert len(charts) >= 1
    assert len(at.dataframe) >= len(charts)  # every chart followed by its table


def test_the_stalled_section_names_the_stalled_territories_and_their_admins(demo):
    at = open_app_as(_as(demo, COORDINATOR), page_path("steering"))
    at.segmented_control(key="steering.section").set_value("stalled").run()

    table = at.dataframe[0].value
    assert list(table.columns[:5]) == [
        "Territoire",
        "Dernière activité",
        "Jours sans activité",
        "Administrateur·rices",
        "Courriels",
    ]
    stalled = dict(zip(table["Territoire"], table["Administrateur·rices"], strict=True))
    assert stalled["Bourg-les-Castors (démo)"] == "Karim Haddad"
    assert "Vallée-des-Tilleuls (démo)" not in stalled
    assert "karim.haddad@demo.parcours.fr" in _texts(at, "code")[0]


def test_a_shorter_period_is_chosen_and_a_peer_group_narrows_the_view(demo):
    with demo.connect() as conn:
        cohort = conn.execute(
            sa.select(tables.peer_group.c.id).where(tables.peer_group.c.slug == "cohorte-hauts-de-france")
        ).scalar_one()
    at = open_app_as(_as(demo, COORDINATOR), page_path("steering"))

    at.number_input(key="steering.days").set_value(30).run()
    at.multiselect(key="steering.groups").select(cohort).run()

    assert not at.exception, at.exception
    captions = _texts(at, "caption")
    assert any("(30 jours)" in text for text in captions)
    assert "2 territoire(s) dans ce périmètre." in captions  # Vallée-des-Tilleuls and Étang-Vert
    assert int(at.metric[0].value) <= 2


def test_pilotage_in_english(demo):
    at = open_app_as(_as(demo, COORDINATOR), page_path("steering"))
    at.segmented_control(key="steering.section").set_value("coverage").run()
    at.segmented_control(key="lang").set_value("en").run()  # the chosen section stays

    assert not at.exception, at.exception
    assert _texts(at, "title") == ["Network steering"]
    assert at.metric[0].label == "Active territories"
    assert "Elected official" in list(at.dataframe[0].value.columns)


def test_a_territory_admin_keeps_their_accueil_reads_their_journal_and_has_no_pilotage(demo):
    admin = _as(demo, ADMIN)
    at = open_app_as(admin)

    assert [as_read(x) for x in _texts(at, "title")] == ["Vallée-des-Tilleuls (démo) en un coup d’œil"]
    assert page_path("steering") not in _pages(at)
    with pytest.raises(ValueError):
        at.switch_page(page_path("steering"))

    at.switch_page(page_path("activity_log")).run()
    assert not at.exception, at.exception
    territories = set(at.dataframe[0].value["Territoire"])
    assert territories == {"Vallée-des-Tilleuls (démo)"}


@pytest.mark.parametrize("email", [CONTRIBUTOR, READER])
def test_contributors_and_readers_reach_neither_pilotage_nor_the_journal(demo, email):
    at = open_app_as(_as(demo, email))

    assert not ({page_path("steering"), page_path("activity_log")} & _pages(at))
    assert [as_read(x) for x in _texts(at, "title")] == ["Vallée-des-Tilleuls (démo) en un coup d’œil"]


def test_the_journal_filters_by_action_and_goes_back_in_time_page_by_page(demo):
    at = open_app_as(_as(demo, COORDINATOR), page_path("activity_log"))
    first = at.dataframe[0].value

    at.button[1].click().run()  # "Plus anciennes"
    older = at.dataframe[0].value
    at.multiselect(key="journal.actions").select("milestone.created").run()

    assert not at.exception, at.exception
    assert len(first) == 50 and older.iloc[0]["Date et heure"] <= first.iloc[-1]["Date et heure"]
    assert set(at.dataframe[0].value["Action"]) == {"Jalon ajouté"}
    assert any(text == "Page 1" for text in _texts(at, "caption"))  # new filters: newest first again


def test_the_journal_has_no_empty_date_field_and_a_period_starts_filled_in(demo):
    # An empty Streamlit date field reads "dd / mm / yyyy" whatever the language (issue 7, 15).
    at = open_app_as(_as(demo, COORDINATOR), page_path("activity_log"))
    assert not at.date_input
    oldest_day = at.dataframe[0].value["Date et heure"].iloc[-1].date()

    at.toggle(key="journal.period.on").set_value(True).run()

    assert not at.exception, at.exception
    assert [d.value for d in at.date_input] == [today() - timedelta(days=30), today()]
    assert all(d.value is not None for d in at.date_input)
    at.date_input(key="journal.period.start").set_value(oldest_day)
    at.date_input(key="journal.period.end").set_value(oldest_day).run()
    assert not at.exception, at.exception
    days = {moment.date() for moment in at.dataframe[0].value["Date et heure"]}
    assert days == {oldest_day}  # the period applies
