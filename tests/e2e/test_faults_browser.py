"""Faults in the real browser: PostgreSQL refuses connections, refuses writes or is locked
while a stakeholder fills in the share-link form (issue 7, item 1 and the faults suite).

A real ``streamlit run`` on a throw-away PostgreSQL database, reached as the app's own role;
the faults are real ones (``tests/faults.py``). What was typed must still be in the field, the
message must be plain French, the resume code must stay visible, and "Réessayer" must send
the answers once the database is back.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib.store import migrate, tables
from lib.store.db import make_engine
from tests import figures
from tests.conftest import as_app_role, throwaway_pg_database
from tests.e2e.conftest import (
    ARTIFACTS,
    _stop,
    _tail,
    _wait_http,
    expect,
    free_port,
    start_streamlit,
    wait_for_app,
)
from tests.factories import make_campaign, make_territory
from tests.faults import FAULTS, fault, short_pg_lock_wait

pytestmark = pytest.mark.postgres

PHONE = {"width": 390, "height": 844}
WRITE_FAILED = "L’enregistrement a échoué : la base de données n’a pas répondu."
READ_FAILED = "La base de données ne répond pas pour le moment. Ce que vous avez saisi est toujours là"
TYPED = "Ça avance vraiment"  # the question takes 20 characters at most


@dataclass
class FaultyApp:
    base_url: str
    url: str  # as the database's owner
    engine: Engine
    territory: int
    log: Path

    def log_text(self) -> str:
        return _tail(self.log, 200)


@pytest.fixture(scope="module")
def faulty_app(tmp_path_factory, browser, e2e_home) -> Iterator[FaultyApp]:
    with throwaway_pg_database("parcours_e2e_faults") as url:
        engine = make_engine(url)
        migrate.upgrade(engine)
        short_pg_lock_wait(url)
        territory = make_territory(engine, "Loos-en-Gohelle (e2e)")
        workdir = tmp_path_factory.mktemp("e2e-faults")
        secrets = workdir / ".streamlit" / "secrets.toml"
        secrets.parent.mkdir()
        secrets.write_text("# no login needed: a share link\n", encoding="utf-8")
        port = free_port()
        log = workdir / "streamlit.log"
        process = start_streamlit(workdir, port, secrets, as_app_role(url), e2e_home, log)
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_http(f"{base_url}/_stcore/health", process, log, body="ok")
            yield FaultyApp(base_url, url, engine, territory, log)
        finally:
            _stop(process)
            engine.dispose()


def _to_the_second_section(page, app: FaultyApp) -> int:
    campaign_id, token = make_campaign(app.engine, app.territory, title="Atelier (pannes)")
    page.set_viewport_size(PHONE)
    page.goto(f"{app.base_url}/?campagne={token}")
    wait_for_app(page)
    page.get_by_text("Services de l’État (DDT/DDTM, préfecture, ADEME…)").click()
    page.get_by_role("button", name="Commencer").click()
    wait_for_app(page)
    page.get_by_text("4", exact=True).click()
    wait_for_app(page)
    page.get_by_role("button", name="Enregistrer et continuer").click()
    wait_for_app(page)
    expect(page.get_by_text("Étape 2 sur 2")).to_be_visible()
    return campaign_id


def _sent(app: FaultyApp, campaign_id: int) -> list[tuple[str, str]]:
    app.engine.dispose()  # a "refusing" fault cut the test's own connections too
    with app.engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                sa.select(tables.response.c.status, tables.answer.c.text_value)
                .join(tables.answer)
                .where(tables.response.c.campaign_id == campaign_id, tables.answer.c.question_id == "story")
            ).all()
        ]


@pytest.mark.parametrize("kind", FAULTS)
def test_answers_typed_on_a_phone_survive_a_fault_at_sending(faulty_app, browser_page, kind):
    page = browser_page
    campaign_id = _to_the_second_section(page, faulty_app)
    field = page.get_by_label("En quelques mots *")
    field.fill(TYPED)
    code = page.get_by_text("notez votre code de reprise")
    expect(code).to_be_visible()

    with fault(kind, faulty_app.url):
        page.get_by_role("button", name="Envoyer mes réponses").click()
        wait_for_app(page)
        expect(page.get_by_text(WRITE_FAILED)).to_be_visible()
        kept = field.input_value() == TYPED
        figures.add("faults · share-link form · browser · postgres", injected=1, typed_content_kept=int(kept))
        expect(field).to_have_value(TYPED)
        expect(code).to_be_visible()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"faults-{kind}-phone.png"))

    page.get_by_role("button", name="Réessayer").click()
    wait_for_app(page)
    expect(page.get_by_text("Merci, vos réponses ont bien été envoyées.")).to_be_visible()
    assert _sent(faulty_app, campaign_id) == [("submitted", TYPED)]


def test_what_is_typed_while_the_database_is_away_stays_and_is_sent_once_it_is_back(faulty_app, browser_page):
    page = browser_page
    campaign_id = _to_the_second_section(page, faulty_app)
    field = page.get_by_label("En quelques mots *")

    with fault("refusing", faulty_app.url):
        field.fill(TYPED)
        field.press("Tab")  # the page runs again, and cannot read the campaign
        wait_for_app(page)
        expect(page.get_by_text(READ_FAILED)).to_be_visible()
        kept = field.input_value() == TYPED
        figures.add("faults · share-link form · browser · postgres", injected=1, typed_content_kept=int(kept))
        expect(field).to_have_value(TYPED)
        expect(page.get_by_text("notez votre code de reprise")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "faults-page-read-phone.png"))

    page.get_by_role("button", name="Envoyer mes réponses").click()
    wait_for_app(page)
    expect(page.get_by_text("Merci, vos réponses ont bien été envoyées.")).to_be_visible()
    assert _sent(faulty_app, campaign_id) == [("submitted", TYPED)]
