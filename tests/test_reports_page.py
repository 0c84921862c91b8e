"""The report panel of Mon parcours, through AppTest: build, watch, download."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from components.navigation import page_path
from components.ui import plain
from lib.access import Role
from lib.domain import clock
from lib.store import migrate, tables
from lib.store.db import make_engine
from tests.factories import make_actor, make_assessment, make_milestone, make_territory, open_app_as


@pytest.fixture
def world(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    territory = make_territory(engine, "Loos-en-Gohelle (démo)")
    make_assessment(engine, territory, 1, assessed_on=date(2024, 1, 10))
    make_assessment(engine, territory, 2, assessed_on=date(2025, 1, 10))
    make_milestone(engine, territory, "Premier forum citoyen", occurred_on=date(2024, 5, 1))
    monkeypatch.setenv("DATABASE_URL", url)
    with engine.connect() as conn:
        slug = conn.execute(
            sa.select(tables.territory.c.slug).where(tables.territory.c.id == territory)
        ).scalar()
    return engine, territory, slug


def _report_button(at):
    return next(b for b in at.button if b.label in ("Préparer le rapport", "Prepare the report"))


def test_a_reader_prepares_the_report_and_downloads_it_under_a_telling_name(world):
    engine, territory, slug = world
    reader = make_actor(engine, Role.READER, territory)
    at = open_app_as(reader, page_path("journey"))
    language = next(s for s in at.selectbox if s.label == "Langue du rapport")
    language.set_value("en")
    at.date_input[0].set_value(date(2024, 1, 1))

    _report_button(at).click().run(timeout=120)

    assert not at.exception, at.exception
    name = f"journey-report_{slug}_2024-01-01_{clock.today().isoformat()}_en.pdf"
    # The button says the name (as Markdown shows it); the file behind it is that PDF.
    downloads = [e for e in at.get("download_button") if plain(name) in e.proto.label]
    assert downloads, "no download button holding the report's name"
    file_name, pdf = at.session_state[f"journey_report:{reader.person_id}:{territory}"]
    assert file_name == name and pdf.startswith(b"%PDF")


def test_a_period_that_ends_before_it_starts_is_said_next_to_the_field(world):
    engine, territory, _ = world
    reader = make_actor(engine, Role.READER, territory)
    at = open_app_as(reader, page_path("journey"))
    at.date_input[0].set_value(date(2026, 1, 1))
    at.date_input[1].set_value(date(2025, 1, 1))

    _report_button(at).click().run(timeout=120)

    assert "La fin de la période doit suivre son début." in [e.value for e in at.error]
    assert at.date_input[0].value == date(2026, 1, 1)  # what was chosen is kept
    assert not at.get("download_button")


def test_a_coordinator_prepares_the_network_report_from_pilotage(world):
    engine, _, _ = world
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    at = open_app_as(coordinator, page_path("steering"))
    at.segmented_control(key="steering.section").set_value("report").run()

    _report_button(at).click().run(timeout=120)

    assert not at.exception, at.exception
    file_name, pdf = at.session_state[f"network_report:{coordinator.person_id}"]
    assert file_name.startswith("rapport-reseau_") and file_name.endswith("_fr.pdf")
    assert pdf.startswith(b"%PDF")
    assert [e for e in at.get("download_button") if plain(file_name) in e.proto.label]
