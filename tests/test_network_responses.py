"""A network-wide campaign counts each response for the territory its respondent answers for:
the territory named by its own share link, or a logged-in member's territory."""

from __future__ import annotations

import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from lib.access import Role
from lib.services import feedback
from lib.services.identity import load_actor
from lib.store import migrate, tables
from lib.store.db import make_engine
from tests.factories import APP_ENTRY, make_actor, make_campaign, make_membership, make_territory


def _territory_of(engine, draft: feedback.Draft) -> int | None:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(tables.response.c.territory_id).where(tables.response.c.id == draft.response_id)
        ).scalar_one()


def _slug(engine, territory_id: int) -> str:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(tables.territory.c.slug).where(tables.territory.c.id == territory_id)
        ).scalar_one()


def test_a_territorys_own_link_counts_the_answer_for_it_and_so_does_the_journal(engine):
    territory = make_territory(engine, "Val-Fougère")
    _, token = make_campaign(engine, None)

    draft = feedback.start_response(
        engine, token, "elected_official", territory_slug=_slug(engine, territory)
    )
    feedback.submit_response(engine, token, draft.resume_code, {"mood": 4, "story": "Des liens"})

    assert _territory_of(engine, draft) == territory
    with engine.connect() as conn:
        logged = conn.execute(
            sa.select(tables.activity_log.c.territory_id).where(
                tables.activity_log.c.action == "response.submitted"
            )
        ).scalar_one()
    assert logged == territory


def test_an_unknown_territory_in_a_link_leaves_the_answer_unattributed(engine):
    make_territory(engine)
    _, token = make_campaign(engine, None)

    draft = feedback.start_response(engine, token, "local_agent", territory_slug="nulle-part")

    assert _territory_of(engine, draft) is None


def test_a_territorys_own_campaign_ignores_any_territory_in_its_link(engine):
    own, other = make_territory(engine), make_territory(engine)
    _, token = make_campaign(engine, own)

    draft = feedback.start_response(engine, token, "local_agent", territory_slug=_slug(engine, other))

    assert _territory_of(engine, draft) is None  # it counts for its campaign's territory


def test_a_member_answers_for_their_territory_and_never_for_another(engine):
    home, elsewhere, second = make_territory(engine), make_territory(engine), make_territory(engine)
    _, token = make_campaign(engine, None)
    member = make_actor(engine, Role.CONTRIBUTOR, home)

    own = feedback.start_response(engine, token, "local_agent", actor=member)
    foreign_link = feedback.start_response(
        engine, token, "local_agent", actor=member, territory_slug=_slug(engine, elsewhere)
    )
    make_membership(engine, member.person_id, second, Role.READER)
    two_homes = load_actor(engine, member.person_id)
    undecided = feedback.start_response(engine, token, "local_agent", actor=two_homes)
    chosen = feedback.start_response(
        engine, token, "local_agent", actor=two_homes, territory_slug=_slug(engine, second)
    )

    assert _territory_of(engine, own) == home
    assert _territory_of(engine, foreign_link) == home
    assert _territory_of(engine, undecided) is None
    assert _territory_of(engine, chosen) == second


def test_the_answer_page_counts_a_link_answer_for_the_territory_it_names_and_never_shows_it(
    tmp_path, monkeypatch
):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    territory = make_territory(engine, "Val-Fougère (démo)")
    _, token = make_campaign(engine, None, title="Réseau — la valeur créée")
    monkeypatch.setenv("DATABASE_URL", url)
    at = AppTest.from_file(APP_ENTRY, default_timeout=60)
    at.query_params["campagne"] = token
    at.query_params["territoire"] = _slug(engine, territory)
    at.run()

    at.radio(key=f"ans.{token}.role").set_value("socio_economic")
    next(b for b in at.button if b.label == "Commencer").click().run()

    assert not at.exception, at.exception
    with engine.connect() as conn:
        assert conn.execute(sa.select(tables.response.c.territory_id)).scalar_one() == territory
    shown = " ".join(str(e.value) for kind in ("markdown", "title", "caption") for e in at.get(kind))
    assert "Val-Fougère" not in shown
    engine.dispose()
