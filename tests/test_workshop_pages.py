"""The live workshop's screens with AppTest (issue 17): a participant's link opens the phone
page and nothing else; a member who manages campaigns prepares a workshop and runs its room
screen; the services refuse everyone else (tests/test_workshop.py)."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from components.navigation import page_path
from lib.access import Role
from lib.services import workshop as ws
from lib.store import migrate
from lib.store.db import make_engine
from tests.factories import APP_ENTRY, as_read, make_actor, make_template, make_territory, open_app_as


@pytest.fixture
def world(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    territory = make_territory(engine, "Vallée secrète (démo)")
    admin = make_actor(engine, Role.TERRITORY_ADMIN, territory, "Alice Animatrice")
    reader = make_actor(engine, Role.READER, territory, "Rémi Lecteur")
    workshop = ws.prepare_workshop(
        engine,
        admin,
        territory_id=territory,
        template_id=make_template(engine),
        question_ids=["mood", "outcome"],
        title="Atelier du jeudi",
        held_on=date.today(),
    )
    monkeypatch.setenv("DATABASE_URL", url)
    yield engine, admin, reader, workshop
    engine.dispose()


def _text(at: AppTest) -> str:
    parts = [str(getattr(e, "value", "")) for e in at.get("markdown")]
    parts += [str(e.value) for e in (*at.header, *at.caption, *at.info, *at.success)]
    parts += [str(e.label) for e in (*at.button, *at.radio)]
    parts += [str(e.proto.label) for e in at.get("button_group")]  # pills: a scale's question
    return as_read(" ".join(parts))


def test_a_participant_link_opens_the_phone_page_and_nothing_else(world):
    engine, admin, _reader, workshop = world
    at = AppTest.from_file(APP_ENTRY, default_timeout=60)
    at.query_params["atelier"] = workshop.share_token
    at.run()
    assert not at.exception, at.exception
    assert len(at.sidebar.children) == 0  # no navigation, no persona picker, no account
    assert "Atelier du jeudi" in _text(at) and "Vallée secrète" not in _text(at)
    at.radio[0].set_value("inhabitant")
    at.button(key=f"workshop.join.{workshop.share_token}.go").click().run()
    assert not at.exception, at.exception
    code = at.query_params["participant"]
    assert code and "En attente de la prochaine question" in _text(at)

    ws.show_question(engine, admin, workshop.id, "mood")
    at.run()  # what the fragment's next poll draws
    assert "Votre humeur sur la coopération" in _text(at)
    # A reload (a lost connection) with the code in the address is the same participant.
    again = AppTest.from_file(APP_ENTRY, default_timeout=60)
    again.query_params["atelier"] = workshop.share_token
    again.query_params["participant"] = code[0] if isinstance(code, list) else code
    again.run()
    assert "Habitant" in _text(again) and "Votre humeur sur la coopération" in _text(again)


def test_an_unknown_link_says_so(world):
    at = AppTest.from_file(APP_ENTRY, default_timeout=60)
    at.query_params["atelier"] = "nothing-here"
    at.run()
    assert not at.exception and "Atelier introuvable" in _text(at)


def test_the_facilitator_opens_the_room_screen_of_a_prepared_workshop(world):
    _engine, admin, _reader, workshop = world
    at = open_app_as(admin)
    at.switch_page(page_path("workshops"))
    at.run()
    assert not at.exception, at.exception
    assert "Atelier du jeudi" in _text(at)
    at.button(key=f"ws_open.{workshop.id}").click().run()
    assert not at.exception, at.exception
    text = _text(at)
    assert "Rejoignez l’atelier" in text and "Poser cette question" in text
