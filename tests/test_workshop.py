"""Live workshops (issue 17): who may run one, phones joining and answering, what the room's
screen may show by role, and the milestone the workshop becomes. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from lib.access import Role
from lib.domain.anonymity import POOLED
from lib.domain.errors import NotFound, PermissionDenied, ValidationFailed
from lib.domain.forms import parse_template
from lib.domain.workshop import CHOICE_GAP_THRESHOLD, joined, live_results
from lib.services import feedback, journey
from lib.services import workshop as ws
from lib.store import tables
from tests.factories import SHORT_TEMPLATE, make_actor, make_template, make_territory

ROLES = ["elected_official", "local_agent", "state_services", "socio_economic", "inhabitant", "other"]


@pytest.fixture
def room(engine):
    territory = make_territory(engine, "Vallée (atelier)")
    admin = make_actor(engine, Role.TERRITORY_ADMIN, territory)
    template = make_template(engine)
    workshop = ws.prepare_workshop(
        engine,
        admin,
        territory_id=territory,
        template_id=template,
        question_ids=["mood", "outcome", "story"],
        title="Atelier de délibération",
        held_on=date.today(),
    )
    return engine, territory, admin, workshop


def _join(engine, token, roles):
    return [ws.join_workshop(engine, token, r) for r in roles]


def test_only_members_who_manage_campaigns_prepare_and_run_a_workshop(engine):
    territory, other = make_territory(engine), make_territory(engine)
    template = make_template(engine)
    contributor = make_actor(engine, Role.CONTRIBUTOR, territory)
    foreign_admin = make_actor(engine, Role.TERRITORY_ADMIN, other)
    for person in (None, contributor, foreign_admin):
        with pytest.raises(PermissionDenied):
            ws.prepare_workshop(
                engine,
                person,
                territory_id=territory,
                template_id=template,
                question_ids=["mood"],
                title="x",
                held_on=date.today(),
            )
    admin = make_actor(engine, Role.TERRITORY_ADMIN, territory)
    workshop = ws.prepare_workshop(
        engine,
        admin,
        territory_id=territory,
        template_id=template,
        question_ids=["mood"],
        title="Atelier",
        held_on=date.today(),
    )
    for person in (None, contributor, foreign_admin):
        for call in (
            lambda p: ws.room(engine, p, workshop.id),
            lambda p: ws.show_question(engine, p, workshop.id, "mood"),
            lambda p: ws.save_conclusion(engine, p, workshop.id, "mood", "accord"),
            lambda p: ws.finish_workshop(engine, p, workshop.id, phase="impulse"),
        ):
            with pytest.raises(PermissionDenied):
                call(person)
    with pytest.raises(PermissionDenied):
        ws.list_workshops(engine, foreign_admin, territory)
    assert [w.title for w in ws.list_workshops(engine, admin, territory)] == ["Atelier"]


def test_a_workshop_asks_only_live_questions_of_its_template(engine):
    territory = make_territory(engine)
    admin = make_actor(engine, Role.TERRITORY_ADMIN, territory)
    template = make_template(engine)
    offered = [q.id for q in ws.workshop_questions(engine, admin, template)]
    assert offered == ["mood", "topics", "story", "outcome"]  # the number question is not live
    for wrong in (["partners"], [], ["mood", "mood"], "mood"):
        with pytest.raises(ValidationFailed) as refused:
            ws.prepare_workshop(
                engine,
                admin,
                territory_id=territory,
                template_id=template,
                question_ids=wrong,
                title="Atelier",
                held_on=date.today(),
            )
        assert "question_ids" in refused.value.errors


def test_the_workshop_is_a_live_anonymous_campaign_that_joins_the_results(room):
    engine, _territory, admin, workshop = room
    with engine.connect() as conn:
        campaign = conn.execute(
            sa.select(tables.campaign).where(tables.campaign.c.id == workshop.campaign_id)
        ).one()
    assert campaign.kind == "live" and campaign.anonymous
    codes = _join(engine, workshop.share_token, ["elected_official"] * 3 + ["local_agent"] * 3)
    ws.show_question(engine, admin, workshop.id, "mood")
    for i, code in enumerate(codes):
        ws.answer_question(engine, workshop.share_token, code, "mood", 1 + i % 5)
    listed = {c.id: c for c in feedback.results_campaigns(engine, admin)}
    assert listed[workshop.campaign_id].submitted_count == 6
    results = feedback.results(engine, admin, workshop.campaign_id)
    assert results.submitted == 6 and int(results.distribution["answers"].sum()) == 6


def test_a_phone_sees_the_open_question_answers_it_and_changes_its_answer(room):
    engine, _territory, admin, workshop = room
    token = workshop.share_token
    (code,) = _join(engine, token, ["inhabitant"])
    waiting = ws.phone(engine, token, code)
    assert waiting.question is None and waiting.role == "inhabitant"
    with pytest.raises(ws.QuestionClosed):
        ws.answer_question(engine, token, code, "mood", 3)

    ws.show_question(engine, admin, workshop.id, "mood")
    seen = ws.phone(engine, token, code)
    assert seen.question.id == "mood" and seen.question_open and seen.answer is None
    ws.answer_question(engine, token, code, "mood", 2)
    ws.answer_question(engine, token, code, "mood", 5)  # changed while open
    assert ws.phone(engine, token, code).answer == 5
    with engine.connect() as conn:
        stored = conn.execute(sa.select(tables.answer.c.numeric_value)).scalars().all()
    assert stored == [5.0]
    with pytest.raises(ValidationFailed):
        ws.answer_question(engine, token, code, "mood", 9)
    with pytest.raises(ws.QuestionClosed):
        ws.answer_question(engine, token, code, "outcome", "agreed")  # not the question on screen

    ws.close_question(engine, admin, workshop.id)
    assert not ws.phone(engine, token, code).question_open
    with pytest.raises(ws.QuestionClosed):
        ws.answer_question(engine, token, code, "mood", 1)
    # A phone coming back with its code (a reload, a lost connection) is the same participant.
    ws.show_question(engine, admin, workshop.id, "outcome")
    again = ws.phone(engine, token, code)
    assert again.question.id == "outcome" and again.role == "inhabitant"


def test_a_participant_link_opens_only_its_own_workshop(room):
    engine, territory, admin, workshop = room
    assert not ws.phone(engine, "unknown-token").known
    assert not ws.phone(engine, "../../etc").known
    with pytest.raises(NotFound):
        ws.join_workshop(engine, "unknown-token", "inhabitant")
    with pytest.raises(ValidationFailed):
        ws.join_workshop(engine, workshop.share_token, "mayor")
    # A survey's share token is no workshop's.
    other = ws.prepare_workshop(
        engine,
        admin,
        territory_id=territory,
        template_id=make_template(engine),
        question_ids=["mood"],
        title="Autre atelier",
        held_on=date.today(),
    )
    (code,) = _join(engine, other.share_token, ["inhabitant"])
    ws.show_question(engine, admin, workshop.id, "mood")
    with pytest.raises(NotFound):
        ws.answer_question(engine, workshop.share_token, code, "mood", 3)  # a code of another workshop


def test_the_room_shows_counts_by_role_and_fewer_than_three_for_small_roles(room):
    engine, _territory, admin, workshop = room
    token = workshop.share_token
    roles = ["elected_official"] * 3 + ["local_agent"] * 4 + ["socio_economic"] + ["inhabitant"] * 2
    codes = _join(engine, token, roles)
    screen = ws.room(engine, admin, workshop.id)
    assert screen.joined.total == 10
    assert screen.joined.counts == {"elected_official": 3, "local_agent": 4}
    assert screen.joined.fewer == ("socio_economic", "inhabitant")

    ws.show_question(engine, admin, workshop.id, "mood")
    for code, value in zip(codes, [5, 5, 5, 1, 1, 2, 1, 3, 4, 4], strict=True):
        ws.answer_question(engine, token, code, "mood", value)
    results = ws.room(engine, admin, workshop.id).results
    assert results.answered == 10 and results.overall == {5: 3, 1: 3, 2: 1, 3: 1, 4: 2}
    by_role = {g.role: g for g in results.groups}
    # Three people of two small roles: each is "fewer than 3", together they are one group.
    assert results.fewer == ("socio_economic", "inhabitant")
    assert set(by_role) == {"elected_official", "local_agent", POOLED}
    assert by_role["elected_official"].counts == {5: 3} and by_role[POOLED].counts == {3: 1, 4: 2}
    assert results.gap is not None and results.gap.flagged and results.gap.high == "elected_official"


def test_nothing_by_role_when_everyone_would_be_singled_out():
    question = parse_template(SHORT_TEMPLATE).question("outcome")
    results = live_results(
        question,
        [("elected_official", "agreed", 1), ("inhabitant", "debated", 1)],
        {"elected_official": 1, "inhabitant": 1},
        ROLES,
    )
    assert results.groups == () and results.gap is None
    assert results.overall == {"agreed": 1, "debated": 1}
    assert results.fewer == ("elected_official", "inhabitant")
    assert joined({"inhabitant": 2}, ROLES).counts == {}


def test_a_choice_gap_between_roles_is_flagged_above_its_threshold():
    question = parse_template(SHORT_TEMPLATE).question("outcome")
    rows = [("elected_official", "agreed", 3), ("local_agent", "debated", 3)]
    results = live_results(question, rows, {"elected_official": 3, "local_agent": 3}, ROLES)
    assert results.gap.share == 1.0 > CHOICE_GAP_THRESHOLD and results.gap.flagged
    close = [("elected_official", "agreed", 3), ("local_agent", "agreed", 3)]
    assert not live_results(question, close, {"elected_official": 3, "local_agent": 3}, ROLES).gap.flagged


def test_one_word_answers_are_counted_as_words():
    question = parse_template(SHORT_TEMPLATE).question("story")
    rows = [("inhabitant", "Confiance", 2), ("inhabitant", "confiance ", 1), ("local_agent", "Lenteur", 1)]
    results = live_results(question, rows, {"inhabitant": 3, "local_agent": 1}, ROLES)
    assert results.texts[0] == ("confiance", 3)


def test_reveal_mode_hides_results_until_the_facilitator_shows_them(room):
    engine, _territory, admin, workshop = room
    opened = ws.show_question(engine, admin, workshop.id, "mood")
    assert opened.reveal_mode and not opened.results_shown
    assert ws.show_results(engine, admin, workshop.id).results_shown
    assert not ws.show_question(engine, admin, workshop.id, "outcome").results_shown
    with pytest.raises(ValidationFailed):
        ws.show_question(engine, admin, workshop.id, "partners")  # not one of the workshop's


def test_the_workshop_becomes_a_milestone_with_its_conclusions_and_results_by_role(room):
    engine, territory, admin, workshop = room
    token = workshop.share_token
    codes = _join(
        engine, token, ["elected_official"] * 3 + ["state_services"] * 3 + ["inhabitant"] + ["other"] * 2
    )
    ws.show_question(engine, admin, workshop.id, "mood")
    for code, value in zip(codes, [5, 4, 5, 2, 1, 2, 3, 3, 3], strict=True):
        ws.answer_question(engine, token, code, "mood", value)
    ws.close_question(engine, admin, workshop.id)
    ws.save_conclusion(engine, admin, workshop.id, "mood", "Désaccord à travailler : les services de l’État.")
    with pytest.raises(ValidationFailed):
        ws.finish_workshop(engine, admin, workshop.id, phase="nowhere")
    milestone_id = ws.finish_workshop(engine, admin, workshop.id, phase="town_project", language="fr")

    (milestone,) = [m for m in journey.list_milestones(engine, admin, territory) if m.id == milestone_id]
    assert milestone.title == "Atelier de délibération"
    assert milestone.phase == "town_project" and milestone.storytelling_dimension == "evaluate_value"
    assert "Désaccord à travailler" in milestone.story
    assert "Élu·e : 4,7" in milestone.story and "Services de l’État : 1,7" in milestone.story
    assert "Moins de 3 réponses, regroupées : Habitant" in milestone.story
    assert "Issue du désaccord" not in milestone.story  # never asked
    assert ws.get_workshop(engine, admin, workshop.id).ended
    with pytest.raises(ws.WorkshopEnded):
        ws.join_workshop(engine, token, "inhabitant")
    with pytest.raises(ws.WorkshopEnded):
        ws.show_question(engine, admin, workshop.id, "mood")
    assert ws.phone(engine, token, codes[0]).ended


def test_a_contributor_cannot_turn_a_workshop_into_a_milestone_nor_a_reader_run_it(room):
    engine, territory, _admin, workshop = room
    reader = make_actor(engine, Role.READER, territory)
    with pytest.raises(PermissionDenied):
        ws.close_question(engine, reader, workshop.id)
