"""A network-wide campaign counts each response for the territory its respondent answers for:
the territory named by its own share link, or a logged-in member's territory."""

from __future__ import annotations

import sqlalchemy as sa

from lib.access import Role
from lib.services import feedback
from lib.services.identity import load_actor
from lib.store import tables as t
from tests.factories import make_actor, make_campaign, make_membership, make_territory


def _territory_of(engine, draft: feedback.Draft) -> int | None:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(t.response.c.territory_id).where(t.response.c.id == draft.response_id)
        ).scalar_one()


def _slug(engine, territory_id: int) -> str:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(t.territory.c.slug).where(t.territory.c.id == territory_id)
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
            sa.select(t.activity_log.c.territory_id).where(t.activity_log.c.action == "response.submitted")
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
