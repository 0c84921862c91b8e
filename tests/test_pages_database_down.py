"""When the database does not answer, a person reads a plain French sentence, never a traceback."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from lib.access import Role
from lib.store import migrate
from lib.store import tables as t
from lib.store.db import make_engine
from tests.factories import APP_ENTRY, make_actor, make_milestone, make_territory

READ_FAILED = (
    "Impossible de lire les données : la base de données n’a pas répondu. Réessayez dans un instant."
)


STARTUP_FAILED = (
    "Parcours n’a pas pu préparer sa base de données (étape « migrations ») : elle n’a pas répondu "
    "ou a refusé d’enregistrer. Réessayez dans un instant ; si cela dure, prévenez l’équipe qui "
    "administre Parcours."
)


def _errors(at: AppTest) -> list[str]:
    return [el.value for el in at.error]


def test_a_database_emptied_while_the_app_runs_is_said_plainly(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    territory = make_territory(engine, "Loos-en-Gohelle (démo)")
    contributor = make_actor(engine, Role.CONTRIBUTOR, territory, "Camille Contributrice")
    make_milestone(engine, territory, "Premier forum citoyen")
    monkeypatch.setenv("DATABASE_URL", url)
    at = AppTest.from_file(APP_ENTRY, default_timeout=60)
    at.session_state["demo_person_id"] = contributor.person_id
    at.run()
    assert not at.exception and READ_FAILED not in _errors(at)

    t.metadata.drop_all(engine)  # the tables are gone (a restore half done, a wrong database...)
    engine.dispose()
    at.run()

    assert not at.exception, at.exception
    assert _errors(at) == [READ_FAILED]


def test_a_database_that_cannot_be_opened_at_start_up_is_said_plainly(tmp_path, monkeypatch):
    # A directory where the database file should be: SQLite cannot open it, as a server that is
    # down cannot be reached.
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}")
    at = AppTest.from_file(APP_ENTRY, default_timeout=60).run()

    assert not at.exception, at.exception
    assert _errors(at) == [STARTUP_FAILED]
