"""When the database does not answer, a person reads a plain French sentence, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from lib.access import Actor, Role
from lib.store import migrate, tables
from lib.store.db import make_engine
from tests.conftest import as_app_role, database_refusing_connections, throwaway_pg_database
from tests.factories import APP_ENTRY, as_read, make_actor, make_milestone, make_territory

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

    tables.metadata.drop_all(engine)  # the tables are gone (a restore half done, a wrong database...)
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


# --- PostgreSQL: the server refuses connections, then comes back --------------------------


@pytest.fixture
def pg_app(monkeypatch) -> Iterator[tuple[str, Actor]]:
    """A migrated PostgreSQL database holding one territory, which the app reaches as its own
    role; yields the database's URL (as ``postgres``) and a contributor of that territory."""
    with throwaway_pg_database("parcours_down") as url:
        engine = make_engine(url)
        migrate.upgrade(engine)
        territory = make_territory(engine, "Loos-en-Gohelle (démo)")
        contributor = make_actor(engine, Role.CONTRIBUTOR, territory, "Camille Contributrice")
        engine.dispose()
        monkeypatch.setenv("DATABASE_URL", as_app_role(url))
        yield url, contributor


def _home_as(actor: Actor) -> AppTest:
    at = AppTest.from_file(APP_ENTRY, default_timeout=60)
    at.session_state["demo_person_id"] = actor.person_id
    return at


def _shows_the_territory(at: AppTest) -> bool:
    return any("Loos-en-Gohelle (démo)" in as_read(h.value) for h in [*at.title, *at.header, *at.subheader])


@pytest.mark.postgres
def test_a_database_refusing_connections_is_said_plainly_and_the_app_recovers_by_itself(pg_app):
    url, contributor = pg_app
    at = _home_as(contributor).run()
    assert not at.exception and _errors(at) == [] and _shows_the_territory(at)

    with database_refusing_connections(url):  # a restart, a failover, a host gone for a while
        at.run()
        assert not at.exception, at.exception
        assert _errors(at) == [READ_FAILED]
        # The page read last in this session still frames the page (components.actions.read),
        # so that a form being filled in is not dropped; it says the database is not answering.
        assert [w.value for w in at.warning][-1].startswith("La base de données ne répond pas")

    at.run()  # the next click, once the database is back: no restart of the app needed
    assert not at.exception and _errors(at) == [] and _shows_the_territory(at)


@pytest.mark.postgres
def test_a_database_refusing_connections_at_start_up_is_said_plainly_until_it_answers(pg_app):
    url, contributor = pg_app
    at = _home_as(contributor)
    with database_refusing_connections(url):
        at.run()
        assert not at.exception, at.exception
        assert _errors(at) == [STARTUP_FAILED]

    at.run()
    assert not at.exception and _errors(at) == [] and _shows_the_territory(at)
