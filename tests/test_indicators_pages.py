"""The Indicateurs page and Accueil's summary, for each role, in French and English (AppTest)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from components.navigation import page_path
from lib.access import Actor, Role
from lib.domain.clock import today
from lib.services import indicators as svc
from lib.store import migrate, tables
from lib.store.db import make_engine
from tests.conftest import count_rows
from tests.factories import (
    as_read,
    make_actor,
    make_milestone,
    make_peer_group,
    make_territory,
    open_app_as,
    set_sharing,
)

PAGE = page_path("indicators")
YEAR = today().year


@dataclass
class World:
    engine: object
    territory: int
    admin: Actor
    contributor: Actor
    reader: Actor
    peer: Actor
    coordinator: Actor
    lanes: int


@pytest.fixture
def world(tmp_path, monkeypatch) -> World:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    territory = make_territory(engine, "Loos-en-Gohelle (démo)")
    peer_territory = make_territory(engine, "Pairville")
    make_peer_group(engine, "Cohorte", [territory, peer_territory])
    contributor = make_actor(engine, Role.CONTRIBUTOR, territory, "Camille Contributrice")
    lanes = svc.follow(engine, contributor, territory, "cycle_lanes")
    svc.save_value(engine, contributor, territory, lanes, year=YEAR - 3, value="10")
    svc.save_value(engine, contributor, territory, lanes, year=YEAR - 1, value="11,5", source="Voirie")
    svc.save_target(engine, contributor, territory, lanes, year=YEAR + 3, value="25")
    monkeypatch.setenv("DATABASE_URL", url)
    yield World(
        engine,
        territory,
        make_actor(engine, Role.TERRITORY_ADMIN, territory, "Alice Admin"),
        contributor,
        make_actor(engine, Role.READER, territory, "Rémi Lecteur"),
        make_actor(engine, Role.CONTRIBUTOR, peer_territory, "Paul Pair"),
        make_actor(engine, Role.COORDINATOR, None, "Coralie Coordination"),
        lanes,
    )
    engine.dispose()


def _texts(at: AppTest, *kinds: str) -> str:
    return " ".join(as_read(el.value) for kind in kinds for el in at.get(kind))


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


@pytest.mark.parametrize("who", ["admin", "contributor", "reader", "coordinator"])
def test_every_member_sees_the_trajectory_chart_and_its_table(world, who):
    at = open_app_as(getattr(world, who), PAGE)
    assert "Indicateurs" in _texts(at, "title")
    assert len(at.get("vega_lite_chart")) == 1
    spec = at.get("vega_lite_chart")[0].proto.spec
    assert "Trajectoire vers la cible" in spec and "Cible" in spec
    table = at.dataframe[0].value
    assert list(table["Année"]) == [str(YEAR - 3), str(YEAR - 1)]
    assert list(table.iloc[:, 1]) == ["10", "11,5"]  # French decimal comma
    # Off track: 10 -> 25 over six years is 15 in YEAR - 1, and 11,5 is behind.
    assert "En retard sur la trajectoire" in _texts(at, "markdown")
    assert list(table["Écart à la trajectoire"]) == ["0,0", "-3,5"]
    saves = [b for b in at.button if b.label == "Enregistrer la valeur"]
    assert bool(saves) == (who != "reader")


def test_a_contributor_types_a_french_figure_and_sees_it_in_the_table(world):
    at = open_app_as(world.contributor, PAGE)
    p = f"ind{world.territory}.{world.lanes}.v"
    at.text_input(key=f"{p}.year").input(str(YEAR))
    at.text_input(key=f"{p}.value").input("1 234,5")
    _button(at, "Enregistrer la valeur").click().run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table.iloc[:, 1])[-1] == "1\u202f234,5" or list(table.iloc[:, 1])[-1] == "1 234,5"
    assert "Valeur enregistrée" in _texts(at, "success")


def test_an_impossible_value_is_refused_next_to_the_field_and_what_was_typed_is_kept(world):
    at = open_app_as(world.contributor, PAGE)
    p = f"ind{world.territory}.{world.lanes}.v"
    at.text_input(key=f"{p}.year").input("2O25")
    at.text_input(key=f"{p}.value").input("-4")
    at.text_area(key=f"{p}.comment").input("relevé du printemps")
    _button(at, "Enregistrer la valeur").click().run()
    errors = _texts(at, "error")
    assert "La valeur ne peut pas être inférieure à 0." in errors
    assert "Saisissez une année entre 1990 et 2100." in errors
    assert at.text_input(key=f"{p}.value").value == "-4"
    assert at.text_area(key=f"{p}.comment").value == "relevé du printemps"
    assert count_rows(world.engine, tables.indicator_value) == 2


def test_a_contributor_follows_a_catalogue_indicator_marked_as_a_suggestion_to_adapt(world):
    at = open_app_as(world.contributor, PAGE)
    pick = at.selectbox(key=f"ind{world.territory}.follow.pick")
    pick.set_value("citizen_initiatives").run()
    assert "Suggestion à adapter" in _texts(at, "markdown")
    _button(at, "Suivre cet indicateur").click().run()
    assert "Indicateur ajouté au suivi." in _texts(at, "success")
    followed = [
        i.definition.id for i in svc.board(world.engine, world.contributor, world.territory).indicators
    ]
    assert followed == ["cycle_lanes", "citizen_initiatives"]


def test_the_catalogue_tab_lists_every_indicator_with_its_mark(world):
    at = open_app_as(world.reader, PAGE)
    catalogue = at.dataframe[-1].value
    assert len(catalogue) == 7
    assert set(catalogue["Statut"]) == {"Suggestion à adapter", ""}


def test_the_page_speaks_english(world):
    at = open_app_as(world.contributor, PAGE)
    at.segmented_control(key="lang").set_value("en").run()
    assert "Indicators" in _texts(at, "title")
    assert "Off track" in _texts(at, "markdown")
    table = at.dataframe[0].value
    assert list(table["Gap to the path"]) == ["0.0", "-3.5"]
    assert any(b.label == "Save the value" for b in at.button)


def test_a_peer_reads_nothing_of_a_territory_not_theirs_on_this_page(world):
    # The page shows the reader's own territories only; the service refuses the rest anyway.
    set_sharing(world.engine, world.territory, indicators="private")
    at = open_app_as(world.peer, PAGE)
    assert "Loos" not in _texts(at, "title")
    assert len(at.get("vega_lite_chart")) == 0


def test_home_sums_up_the_indicators_for_a_member(world):
    at = open_app_as(world.reader)
    assert "En retard sur la trajectoire" in _texts(at, "markdown")
    at.segmented_control(key="lang").set_value("en").run()
    assert "Off track" in _texts(at, "markdown")


def test_a_contributor_sees_the_import_tab_and_a_reader_does_not(world):
    contributor = open_app_as(world.contributor, PAGE)
    assert "Importer un fichier" in [tab.label for tab in contributor.tabs]
    assert any(b.label == "Vérifier et importer" for b in contributor.button)
    reader = open_app_as(world.reader, PAGE)
    assert [tab.label for tab in reader.tabs] == ["Suivi", "Chiffres de Parcours", "Catalogue du réseau"]


def test_an_indicator_comparable_per_inhabitant_is_shown_among_the_groups_peers(world):
    with world.engine.begin() as conn:
        conn.execute(sa.update(tables.territory).values(population=5_000))
    peer_territory = world.peer.territory_ids[0]
    third = make_territory(world.engine, "Troisville", population=10_000)
    make_peer_group(world.engine, "A-Cohorte élargie", [world.territory, peer_territory, third])
    for tid, value in ((peer_territory, "10"), (third, "40")):
        someone = make_actor(world.engine, Role.CONTRIBUTOR, tid)
        lanes = svc.follow(world.engine, someone, tid, "cycle_lanes")
        svc.save_value(world.engine, someone, tid, lanes, year=YEAR - 1, value=value)
    at = open_app_as(world.reader, PAGE)
    assert "Parmi les pairs, pour 1\u202f000 habitants" in _texts(at, "subheader") or (
        "Parmi les pairs, pour 1 000 habitants" in _texts(at, "subheader")
    )
    assert len(at.get("vega_lite_chart")) == 2
    peers_table = at.dataframe[1].value
    # km per 1,000 inhabitants: 11,5 / 5 000 -> 2,3; 10 / 5 000 -> 2; 40 / 10 000 -> 4.
    assert dict(zip(peers_table["Territoire"], peers_table.iloc[:, 2], strict=True)) == {
        "Loos-en-Gohelle (démo)": "2,3",
        "Pairville": "2",
        "Troisville": "4",
    }
    assert "médiane 2,3" in _texts(at, "caption")


def test_the_parcours_figures_tab_shows_milestones_by_year_with_its_table(world):
    make_milestone(world.engine, world.territory, "Forum", occurred_on=today().replace(month=1, day=15))
    at = open_app_as(world.reader, PAGE)
    assert "Chiffres de Parcours" in [tab.label for tab in at.tabs]
    figures = next(df.value for df in at.dataframe if "Jalons" in df.value.columns)
    assert list(figures["Année"]) == [str(YEAR)] and list(figures["Jalons"]) == [1]


def test_a_contributor_removes_a_value_entered_by_mistake(world):
    at = open_app_as(world.contributor, PAGE)
    p = f"ind{world.territory}.{world.lanes}.rm"
    at.selectbox(key=f"{p}.pick").set_value(("value", YEAR - 3)).run()
    _button(at, "Retirer").click().run()
    assert "Retiré." in _texts(at, "success")
    assert list(at.dataframe[0].value["Année"]) == [str(YEAR - 1)]
