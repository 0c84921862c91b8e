"""Membres with hundreds of people waiting: requests a page at a time, the oldest first."""

from __future__ import annotations

import pytest

from components.navigation import page_path
from lib.access import Role
from lib.services import membership
from lib.store import migrate
from lib.store.db import make_engine
from tests.factories import make_access_request, make_actor, make_person, make_territory, open_app_as

PER_PAGE = membership.REQUESTS_PER_PAGE


@pytest.fixture
def waiting(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    here, there = make_territory(engine, "Ici"), make_territory(engine, "Là-bas")
    requests = []
    for i in range(PER_PAGE + 5):
        asker = make_person(engine, f"Demandeur {i:02d}")
        requests.append(make_access_request(engine, asker, there if i % 5 == 0 else here, f"Message {i:02d}"))
    monkeypatch.setenv("DATABASE_URL", url)
    yield engine, here, there, requests
    engine.dispose()


def test_a_coordinator_goes_through_the_requests_a_page_at_a_time(waiting):
    engine, _, _, requests = waiting
    coordinator = make_actor(engine, Role.COORDINATOR, None, "Claire Coordinatrice")
    at = open_app_as(coordinator, page_path("members"))

    cards = [b for b in at.button if b.key and b.key.startswith("request_accept_")]
    assert len(cards) == PER_PAGE
    where = f"Demandes 1 à {PER_PAGE} sur {PER_PAGE + 5}, les plus anciennes d’abord."
    assert where in [c.value for c in at.caption]
    at.button(key="members.requests_page.forward").click().run()

    cards = [b.key for b in at.button if b.key and b.key.startswith("request_accept_")]
    assert cards == [f"request_accept_{r}" for r in requests[PER_PAGE:]]
    at.button(key=f"request_accept_{requests[-1]}").click().run()
    assert not at.exception
    assert "Demande de Demandeur 24 acceptée." in [s.value for s in at.success]
    assert membership.pending_requests_page(engine, coordinator).total == PER_PAGE + 4


def test_a_territory_admin_pages_through_their_own_territorys_requests_only(waiting):
    engine, here, _, _ = waiting
    admin = make_actor(engine, Role.TERRITORY_ADMIN, here, "Alix Admin")
    first = membership.pending_requests_page(engine, admin, page=0)
    assert first.total == PER_PAGE  # 25 requests, 5 of them for the other territory
    assert {r.territory_id for r in first.requests} == {here}
    assert first.pages == 1
    # A page past the last one shows the last one.
    assert membership.pending_requests_page(engine, admin, page=7).page == 0


def test_a_coordinator_finds_a_territory_to_manage_among_many_by_name(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    for i in range(1, 61):
        make_territory(engine, f"Commune {i:03d}")
    monkeypatch.setenv("DATABASE_URL", url)
    coordinator = make_actor(engine, Role.COORDINATOR, None, "Claire Coordinatrice")
    at = open_app_as(coordinator, page_path("members"))

    scope = at.selectbox(key="members_scope")
    assert len(scope.options) == 51  # the network, then 50 territories by name
    at.text_input(key="members_scope_search").input("commune 05").run()
    scope = at.selectbox(key="members_scope")
    assert scope.options == ["Réseau (coordination)", *[f"Commune {i:03d}" for i in range(50, 60)]]
    scope.select("Commune 057").run()
    assert not at.exception
    engine.dispose()

