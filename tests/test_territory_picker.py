"""The territory picker at network scale: ids and names only, at most a page of them, a search."""

from __future__ import annotations

import pytest

from components.navigation import page_path
from lib.access import Role
from lib.services.territories import PICKER_LIMIT, territory_choices
from lib.store import migrate
from lib.store.db import make_engine
from tests.factories import make_actor, make_territory, open_app_as


@pytest.fixture
def network(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    ids = [make_territory(engine, f"Commune {i:03d}") for i in range(1, PICKER_LIMIT + 21)]
    monkeypatch.setenv("DATABASE_URL", url)
    yield engine, ids
    engine.dispose()


def test_a_coordinator_searches_among_many_territories_by_name(network):
    engine, _ = network
    coordinator = make_actor(engine, Role.COORDINATOR, None, "Claire Coordinatrice")
    at = open_app_as(coordinator, page_path("journey"))

    picker = at.sidebar.selectbox(key="territory_picker")
    assert len(picker.options) == PICKER_LIMIT
    assert picker.options[0] == "Commune 001"
    at.sidebar.text_input(key="territory_picker_search").input("commune 06").run()
    picker = at.sidebar.selectbox(key="territory_picker")
    # The territory open now stays first; then the matches of the search.
    assert picker.options == ["Commune 001", *[f"Commune {i:03d}" for i in range(60, 70)]]
    picker.select("Commune 064").run()
    assert not at.exception
    assert "Commune 064" in at.title[0].value


def test_a_territory_admin_gets_no_search_and_never_another_territory(network):
    engine, ids = network
    admin = make_actor(engine, Role.TERRITORY_ADMIN, ids[3], "Alix Admin")
    at = open_app_as(admin, page_path("journey"))
    assert not at.sidebar.text_input
    assert "Commune 004" in at.title[0].value

    # Asked by id for a territory they hold no role on, the service leaves it out.
    choices = territory_choices(engine, admin, chosen=ids[10])
    assert choices.chosen is None
    assert [m.id for m in choices.matches] == [ids[3]]
    assert choices.total == 1
