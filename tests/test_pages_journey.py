"""Accueil and Mon parcours as a contributor and a reader see them, through AppTest."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import pyarrow as pa
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from components.navigation import page_path
from lib.access import Actor, Role
from lib.domain.errors import PermissionDenied
from lib.domain.framework import load_framework
from lib.domain.journey import CriterionScore, Status, today
from lib.services import journey as svc
from lib.store import migrate, tables
from lib.store.db import make_engine
from tests.conftest import count_rows
from tests.factories import (
    APP_ENTRY,
    as_read,
    make_actor,
    make_assessment,
    make_milestone,
    make_territory,
    open_app_as,
)

FW = load_framework()
CRITERIA = [c.id for c in FW.criteria]


@dataclass
class World:
    engine: object
    territory: int
    contributor: Actor
    reader: Actor


@pytest.fixture
def world(tmp_path, monkeypatch) -> World:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    territory = make_territory(engine, "Loos-en-Gohelle (démo)")
    contributor = make_actor(engine, Role.CONTRIBUTOR, territory, "Camille Contributrice")
    reader = make_actor(engine, Role.READER, territory, "Rémi Lecteur")
    make_assessment(engine, territory, 1, assessed_on=date(2024, 1, 10))
    make_assessment(engine, territory, 2, assessed_on=date(2025, 1, 10))
    make_milestone(
        engine, territory, "Premier forum citoyen", occurred_on=date(2024, 5, 1), phase="groundwork"
    )
    monkeypatch.setenv("DATABASE_URL", url)
    yield World(engine, territory, contributor, reader)
    engine.dispose()


def _texts(at: AppTest, kind: str) -> list[str]:
    return [el.value for el in at.get(kind)]


def _read(at: AppTest, kind: str) -> list[str]:
    """The texts of ``kind`` as a person reads them (Markdown escapes resolved)."""
    return [as_read(text) for text in _texts(at, kind)]


def _chart_data(chart) -> str:
    """Everything a chart draws: its spec and its datasets (Streamlit ships these as Arrow)."""
    frames = [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in chart.proto.datasets]
    return chart.proto.spec + " ".join(f.to_csv(index=False) for f in frames)


def _specs(at: AppTest) -> str:
    return " ".join(_chart_data(chart) for chart in at.get("vega_lite_chart"))


def _block_holding(node, key: str):
    """The innermost container drawn around the widget ``key``: what a person sees next to it."""
    for child in getattr(node, "children", {}).values():
        if getattr(child, "key", None) == key:
            return node
        found = _block_holding(child, key)
        if found is not None:
            return found
    return None


def _level(world: World, cid: str) -> str:
    return f"assess{world.territory}.level.{cid}"


def _comment(world: World, cid: str) -> str:
    return f"assess{world.territory}.comment.{cid}"


# --- Accueil -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["contributor", "reader"])
def test_home_shows_the_territory_at_a_glance(world, who):
    at = open_app_as(getattr(world, who))
    assert _read(at, "title") == ["Loos-en-Gohelle (démo) en un coup d’œil"]
    assert len(at.metric) == len(FW.axes)  # one card per axis
    assert at.metric[0].value == "2,0 / 4" and at.metric[0].delta == "+1,0"
    assert "**Premier forum citoyen**" in _texts(at, "markdown")
    steps = " ".join(_texts(at, "markdown"))
    assert ("c’est le moment d’en faire une nouvelle" in steps) is (who == "contributor")
    assert "Votre axe le moins avancé" in steps


def test_home_without_anybody_is_a_friendly_welcome(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    migrate.upgrade(make_engine(url))
    monkeypatch.setenv("DATABASE_URL", url)
    at = AppTest.from_file(APP_ENTRY, default_timeout=60).run()
    assert not at.exception
    assert any(text.startswith("Bienvenue sur Parcours") for text in _texts(at, "info"))


# --- Mon parcours: reading ----------------------------------------------------------------


def test_a_reader_sees_every_chart_and_table_but_no_save_button(world):
    at = open_app_as(world.reader, page_path("journey"))
    assert "lecture seule" in " ".join(_texts(at, "info"))
    assert len(at.get("vega_lite_chart")) == 3  # radar, axes over time, milestones timeline
    assert len(at.dataframe) >= 4  # a table under each chart, and the criteria in detail
    # Only the report, which readers may print too.
    assert [b.label for b in at.button] == ["Préparer le rapport"]
    assert not at.radio and not at.text_area
    assert "Premier forum citoyen" in _specs(at)
    with pytest.raises(PermissionDenied):  # and the service refuses even without the page
        svc.record_assessment(world.engine, world.reader, world.territory, {}, Status.DRAFT)


def test_the_radar_holds_latest_and_previous_assessments(world):
    at = open_app_as(world.contributor, page_path("journey"))
    specs = _specs(at)
    assert "Dernière (10/01/2025)" in specs and "Précédente (10/01/2024)" in specs
    radar_table = next(df.value for df in at.dataframe if "Dernière (10/01/2025)" in df.value.columns)
    assert list(radar_table["Dernière (10/01/2025)"]) == [2.0] * len(FW.axes)
    assert list(radar_table["Évolution"]) == [1.0] * len(FW.axes)


# --- Mon parcours: recording ----------------------------------------------------------------


def test_a_contributor_submits_an_assessment_and_sees_it_in_the_charts(world):
    at = open_app_as(world.contributor, page_path("journey"))
    for cid in CRITERIA:
        at.radio(key=_level(world, cid)).set_value(3)
    at.text_area(key=_comment(world, CRITERIA[0])).input("Le conseil des jeunes a pris son envol.")
    at.button(key=f"assess{world.territory}.submit").click()
    at.run()
    assert not at.exception
    assert "Auto-évaluation soumise. Merci !" in _texts(at, "success")
    new_series = f"Dernière ({today().strftime('%d/%m/%Y')})"
    assert new_series in _specs(at) and "Précédente (10/01/2025)" in _specs(at)
    radar_table = next(df.value for df in at.dataframe if new_series in df.value.columns)
    assert list(radar_table[new_series]) == [3.0] * len(FW.axes)
    history = next(df.value for df in at.dataframe if "10/01/2024" in df.value.columns)
    assert list(history.columns) == ["Axe", "10/01/2024", "10/01/2025", today().strftime("%d/%m/%Y")]
    assert list(history.iloc[:, -1]) == [3.0] * len(FW.axes)
    # The form starts blank again for the next assessment.
    assert at.radio(key=_level(world, CRITERIA[0])).value is None
    assert count_rows(world.engine, tables.assessment) == 3


def test_a_missing_level_is_named_next_to_its_criterion_and_nothing_typed_is_lost(world):
    at = open_app_as(world.contributor, page_path("journey"))
    missing = CRITERIA[5]
    for cid in CRITERIA:
        if cid != missing:
            at.radio(key=_level(world, cid)).set_value(4)
    at.text_area(key=_comment(world, missing)).input("À discuter en équipe.")
    at.button(key=f"assess{world.territory}.submit").click()
    at.run()
    assert not at.exception
    block = _block_holding(at._tree, _level(world, missing))
    assert [e.value for e in block.error] == ["Ce champ est obligatoire."]
    assert sum(e == "Ce champ est obligatoire." for e in _texts(at, "error")) == 1
    assert at.radio(key=_level(world, CRITERIA[0])).value == 4
    assert at.text_area(key=_comment(world, missing)).value == "À discuter en équipe."
    assert (
        count_rows(world.engine, tables.assessment) == 2
        and count_rows(world.engine, tables.activity_log) == 0
    )


def test_an_over_long_comment_is_refused_under_that_comment(world):
    at = open_app_as(world.contributor, page_path("journey"))
    long_comment = "x" * 2100
    at.text_area(key=_comment(world, CRITERIA[1])).input(long_comment)
    at.button(key=f"assess{world.territory}.save_draft").click()
    at.run()
    block = _block_holding(at._tree, _comment(world, CRITERIA[1]))
    assert [e.value for e in block.error] == ["Trop long : 2100 caractères pour 2000 au maximum."]
    assert at.text_area(key=_comment(world, CRITERIA[1])).value == long_comment
    assert count_rows(world.engine, tables.assessment) == 2


def test_a_draft_saved_by_someone_else_meanwhile_is_reported_and_the_form_kept(world):
    draft = svc.record_assessment(
        world.engine, world.contributor, world.territory, {CRITERIA[0]: CriterionScore(1)}, Status.DRAFT
    )
    at = open_app_as(world.contributor, page_path("journey"))
    assert at.radio(key=_level(world, CRITERIA[0])).value == 1  # the shared draft was loaded
    colleague = make_actor(world.engine, Role.CONTRIBUTOR, world.territory)
    svc.record_assessment(
        world.engine, colleague, world.territory, {CRITERIA[0]: CriterionScore(4)}, Status.DRAFT, draft.id, 1
    )
    at.radio(key=_level(world, CRITERIA[0])).set_value(2)
    at.button(key=f"assess{world.territory}.save_draft").click()
    at.run()
    assert any(text.startswith("Quelqu’un d’autre a enregistré entre-temps") for text in _texts(at, "error"))
    assert at.radio(key=_level(world, CRITERIA[0])).value == 2
    assert svc.get_journey(world.engine, colleague, world.territory).draft.scores[CRITERIA[0]].level == 4
    at.button(key=f"assess{world.territory}.reload").click()
    at.run()
    assert at.radio(key=_level(world, CRITERIA[0])).value == 4


def test_a_milestone_dated_in_the_future_is_refused_next_to_the_date(world):
    at = open_app_as(world.contributor, page_path("journey"))
    p = f"ms{world.territory}.new"
    at.date_input(key=f"{p}.date").set_value(today() + timedelta(days=30))
    at.selectbox(key=f"{p}.phase").set_value("town_project")
    at.text_input(key=f"{p}.title").input("Inauguration de la recyclerie")
    at.button(key=f"{p}.save").click()
    at.run()
    block = _block_holding(at._tree, f"{p}.date")
    assert [e.value for e in block.error] == ["La date ne peut pas être dans le futur."]
    assert at.text_input(key=f"{p}.title").value == "Inauguration de la recyclerie"
    assert count_rows(world.engine, tables.milestone) == 1


def test_a_refusal_and_what_was_typed_survive_a_language_switch(world):
    # The page-action helper keeps outcomes as translation keys: after the switch the refusal
    # speaks English, under the same field, and the title typed is still there.
    at = open_app_as(world.contributor, page_path("journey"))
    p = f"ms{world.territory}.new"
    at.date_input(key=f"{p}.date").set_value(today() + timedelta(days=30))
    at.text_input(key=f"{p}.title").input("Inauguration de la recyclerie")
    at.button(key=f"{p}.save").click()
    at.run()
    assert [e.value for e in _block_holding(at._tree, f"{p}.date").error] == [
        "La date ne peut pas être dans le futur."
    ]

    at.segmented_control(key="lang").set_value("en").run()
    assert not at.exception, at.exception
    assert [e.value for e in _block_holding(at._tree, f"{p}.date").error] == [
        "The date cannot be in the future."
    ]
    assert "Some fields need correcting." in _texts(at, "error")
    assert at.text_input(key=f"{p}.title").value == "Inauguration de la recyclerie"
    assert count_rows(world.engine, tables.milestone) == 1


def test_a_contributor_adds_a_milestone_and_it_joins_the_timeline(world):
    at = open_app_as(world.contributor, page_path("journey"))
    p = f"ms{world.territory}.new"
    at.date_input(key=f"{p}.date").set_value(date(2025, 6, 12))
    at.selectbox(key=f"{p}.phase").set_value("town_project")
    at.selectbox(key=f"{p}.dimension").set_value("tell_cooperation")
    at.text_input(key=f"{p}.title").input("Assises de la coopération")
    at.button(key=f"{p}.save").click()
    at.run()
    assert "Jalon ajouté." in _texts(at, "success")
    assert "Assises de la coopération" in _chart_data(at.get("vega_lite_chart")[-1])
    assert count_rows(world.engine, tables.milestone) == 2


def test_a_contributor_edits_a_milestone_picked_from_the_list(world):
    at = open_app_as(world.contributor, page_path("journey"))
    picker = at.selectbox(key=f"ms{world.territory}.pick")
    assert picker.options == ["+ Nouveau jalon", "01/05/2024 · Premier forum citoyen"]
    picker.select_index(1).run()
    [mid] = [m.id for m in svc.list_milestones(world.engine, world.contributor, world.territory)]
    p = f"ms{world.territory}.{mid}"
    assert at.text_input(key=f"{p}.title").value == "Premier forum citoyen"  # the form shows what is saved
    at.text_input(key=f"{p}.title").input("Premier forum citoyen, salle comble")
    at.button(key=f"{p}.save").click()
    at.run()
    assert "Jalon modifié." in _texts(at, "success")
    assert [m.title for m in svc.list_milestones(world.engine, world.contributor, world.territory)] == [
        "Premier forum citoyen, salle comble"
    ]


def test_rights_revoked_while_the_form_was_open_are_enforced_on_save(world):
    at = open_app_as(world.contributor, page_path("journey"))
    for cid in CRITERIA:
        at.radio(key=_level(world, cid)).set_value(2)
    with world.engine.begin() as conn:  # an admin turns the contributor into a reader meanwhile
        conn.execute(
            tables.membership.update()
            .where(tables.membership.c.person_id == world.contributor.person_id)
            .values(role="reader")
        )
    at.button(key=f"assess{world.territory}.submit").click()
    at.run()
    assert "Vous n’avez pas les droits pour cette action." in _texts(at, "error")
    assert count_rows(world.engine, tables.assessment) == 2


def test_switching_to_english_translates_the_journey_and_keeps_the_persona(world):
    at = open_app_as(world.reader, page_path("journey"))
    assert any("Mon parcours" in title for title in _texts(at, "title"))

    at.segmented_control(key="lang").set_value("en").run()
    assert not at.exception, at.exception
    assert any("My journey" in title for title in _texts(at, "title"))
    assert at.selectbox(key="demo_person_id").value == world.reader.person_id

    at.run()  # the next click after the switch: still the same person, still in English
    assert not at.exception, at.exception
    assert at.selectbox(key="demo_person_id").value == world.reader.person_id
    assert any("My journey" in title for title in _texts(at, "title"))


@contextmanager
def next_statement_fails() -> Iterator[None]:
    """The database drops the very next statement any engine sends (one blip, then it is back)."""
    armed = [True]

    def refuse(conn, cursor, statement, parameters, context, executemany):
        if armed[0]:
            armed[0] = False
            raise conn.dialect.loaded_dbapi.OperationalError("database is locked")

    sa.event.listen(Engine, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        sa.event.remove(Engine, "before_cursor_execute", refuse)


def test_a_database_failure_while_saving_is_said_plainly_and_the_form_kept(world):
    at = open_app_as(world.contributor, page_path("journey"))
    for cid in CRITERIA:
        at.radio(key=_level(world, cid)).set_value(3)
    at.text_area(key=_comment(world, CRITERIA[0])).input("Le conseil des jeunes a pris son envol.")
    at.button(key=f"assess{world.territory}.submit").click()
    with next_statement_fails():  # the save's first read (the person's current rights) fails
        at.run()
    assert not at.exception, at.exception
    assert any(text.startswith("Impossible de lire les données") for text in _texts(at, "error"))
    assert at.radio(key=_level(world, CRITERIA[0])).value == 3
    assert at.text_area(key=_comment(world, CRITERIA[0])).value == "Le conseil des jeunes a pris son envol."
    assert count_rows(world.engine, tables.assessment) == 2

    at.button(key=f"assess{world.territory}.submit").click()  # the database is back: it saves
    at.run()
    assert "Auto-évaluation soumise. Merci !" in _texts(at, "success")
    assert count_rows(world.engine, tables.assessment) == 3


def test_a_milestone_story_is_shown_on_home_as_typed_never_as_markdown(world):
    make_milestone(
        world.engine,
        world.territory,
        "[Cliquez ici](http://example.invalid/piege)",
        occurred_on=date(2025, 2, 1),
        story="Voir ![x](http://example.invalid/x.png) et **gras**",
    )
    at = open_app_as(world.contributor)
    markdown = _texts(at, "markdown")
    assert not any("![x](" in text or "](http" in text for text in markdown)
    shown = [as_read(text) for text in markdown]
    assert "Voir ![x](http://example.invalid/x.png) et **gras**" in shown
    assert "**[Cliquez ici](http://example.invalid/piege)**" in shown


def test_the_timeline_numbers_its_dots_and_the_table_under_it_says_what_each_number_is(world):
    # Titles written on the chart overlapped as soon as two milestones were a few weeks apart.
    make_milestone(world.engine, world.territory, "Forum des associations", occurred_on=date(2025, 3, 1))
    make_milestone(world.engine, world.territory, "Conseil des jeunes", occurred_on=date(2025, 3, 20))
    at = open_app_as(world.contributor, page_path("journey"))

    chart = at.get("vega_lite_chart")[-1]
    texts = [layer for layer in json.loads(chart.proto.spec)["layer"] if layer["mark"]["type"] == "text"]
    assert texts and {layer["encoding"]["text"]["field"] for layer in texts} == {"number"}
    assert {layer["mark"]["baseline"] for layer in texts} == {"bottom", "top"}  # neighbours alternate
    table = next(df.value for df in at.dataframe if "N°" in df.value.columns)
    assert list(table["N°"]) == list(range(1, len(table) + 1))
    numbered = dict(zip(table["Titre"], table["N°"], strict=True))
    assert numbered["Conseil des jeunes"] == numbered["Forum des associations"] + 1  # in date order
