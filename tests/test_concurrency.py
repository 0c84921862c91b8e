"""Several people (or tabs) acting at the same instant, on SQLite and PostgreSQL: every submission
stored once, a draft submitted twice at once stored once with one activity row, the same record
edited at once saved once and the other person told — nothing silently lost.

Races are lined up with barriers (tests/concurrency.py) so that each one happens on every run."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from lib.access import Role
from lib.domain.errors import ConcurrentEdit, ServiceError
from lib.domain.framework import load_framework
from lib.domain.journey import CriterionScore, MilestoneDraft, Status
from lib.services import feedback, journey
from lib.services.feedback import AlreadySent
from lib.store import feedback as feedback_store
from lib.store import journey as journey_store
from lib.store import tables
from tests import figures
from tests.concurrency import meet_after_first_call, run_together
from tests.factories import make_actor, make_campaign, make_territory

FW = load_framework()
ANSWERS = {"mood": 4, "topics": ["food"], "story": "Ensemble", "partners": 1, "outcome": "agreed"}
SUBMITTERS, EACH = 8, 3  # threads, and submissions each: 24 per database


@pytest.fixture
def campaign(engine):
    here = make_territory(engine, "Loos")
    campaign_id, token = make_campaign(engine, here)
    return engine, campaign_id, token


def _count(engine, table, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one()


def _submitted_activity(engine) -> int:
    return _count(engine, tables.activity_log, tables.activity_log.c.action == "response.submitted")


def test_concurrent_submitters_on_one_campaign_are_each_stored_once(campaign):
    engine, campaign_id, token = campaign
    roles = [r.id for r in FW.stakeholder_roles]

    def respondent(n: int):
        def answer_several():
            codes = []
            for i in range(EACH):
                draft = feedback.start_response(engine, token, roles[(n + i) % len(roles)])
                feedback.save_draft(engine, token, draft.resume_code, {"mood": 1 + (n + i) % 5}, step=1)
                feedback.submit_response(engine, token, draft.resume_code, ANSWERS | {"mood": 1 + n % 5})
                codes.append(draft.resume_code)
            return codes

        return answer_several

    outcomes = run_together(*(respondent(n) for n in range(SUBMITTERS)))

    failures = [o for o in outcomes if isinstance(o, Exception)]
    expected = SUBMITTERS * EACH
    stored = _count(engine, tables.response, tables.response.c.status == "submitted")
    figures.add(
        f"concurrency · submitters on one campaign · {engine.dialect.name}",
        expected=expected,
        stored=stored,
        failed=len(failures),
    )
    assert failures == []
    codes = [code for o in outcomes for code in o]
    assert len(set(codes)) == expected == stored
    # One answer row per question answered (one topic chosen), one activity row per submission.
    assert _count(engine, tables.answer) == expected * len(ANSWERS)
    assert _submitted_activity(engine) == expected
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    assert feedback.results(engine, coordinator, campaign_id).submitted == expected


def test_the_same_draft_submitted_twice_at_once_is_stored_once_and_the_second_is_told(campaign, monkeypatch):
    engine, _, token = campaign
    code = feedback.start_response(engine, token, "inhabitant").resume_code
    # Both submissions read the draft before either writes.
    meet_after_first_call(monkeypatch, feedback_store, "response_by_code")

    outcomes = run_together(
        lambda: feedback.submit_response(engine, token, code, ANSWERS | {"story": "Premier onglet"}),
        lambda: feedback.submit_response(engine, token, code, ANSWERS | {"story": "Second onglet"}),
    )

    told = [o for o in outcomes if isinstance(o, AlreadySent)]
    sent = [o for o in outcomes if isinstance(o, feedback.Draft)]
    figures.add(f"concurrency · one draft submitted twice at once · {engine.dialect.name}", stored=len(sent))
    assert len(sent) == 1 and len(told) == 1, outcomes
    assert told[0].code == "feedback.error.already_sent"
    assert _count(engine, tables.response, tables.response.c.status == "submitted") == 1
    assert _submitted_activity(engine) == 1
    with engine.connect() as conn:
        query = sa.select(tables.answer.c.text_value).where(tables.answer.c.question_id == "story")
        stories = conn.execute(query).all()
    assert [s for (s,) in stories] == [sent[0].answers["story"]]  # the winner's answers, not a mix


def test_a_draft_saved_from_two_tabs_at_once_keeps_what_each_tab_saved(campaign, monkeypatch):
    engine, _, token = campaign
    code = feedback.start_response(engine, token, "inhabitant").resume_code
    meet_after_first_call(monkeypatch, feedback_store, "response_by_code")

    outcomes = run_together(
        lambda: feedback.save_draft(engine, token, code, {"mood": 2}),
        lambda: feedback.save_draft(engine, token, code, {"story": "Vu d’ici"}),
    )

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    monkeypatch.undo()
    assert feedback.resume_response(engine, token, code).answers == {"mood": 2, "story": "Vu d’ici"}


def test_a_draft_saved_while_it_is_submitted_is_either_sent_with_it_or_told(campaign, monkeypatch):
    engine, _, token = campaign
    code = feedback.start_response(engine, token, "inhabitant").resume_code
    feedback.save_draft(engine, token, code, ANSWERS)
    meet_after_first_call(monkeypatch, feedback_store, "response_by_code")

    saved, submitted = run_together(
        lambda: feedback.save_draft(engine, token, code, {"story": "Ajout tardif"}),
        lambda: feedback.submit_response(engine, token, code),
    )

    assert isinstance(submitted, feedback.Draft) and submitted.submitted
    if isinstance(saved, Exception):
        assert isinstance(saved, AlreadySent)  # told: the person knows their addition was not sent
    else:
        assert submitted.answers["story"] == "Ajout tardif"  # saved first: it was sent


def _levels(level: int, comment: str) -> dict[str, CriterionScore]:
    return {c.id: CriterionScore(level, comment) for c in FW.criteria}


def test_the_same_assessment_draft_saved_twice_at_once_is_saved_once_and_the_other_told(engine, monkeypatch):
    here = make_territory(engine, "Loos")
    ana, ben = (make_actor(engine, Role.CONTRIBUTOR, here, name) for name in ("Ana", "Ben"))
    draft = journey.record_assessment(engine, ana, here, _levels(1, "début"), Status.DRAFT)
    meet_after_first_call(monkeypatch, journey_store, "get_assessment")

    outcomes = run_together(
        lambda: journey.record_assessment(engine, ana, here, _levels(3, "Ana"), Status.DRAFT, draft.id, 1),
        lambda: journey.record_assessment(engine, ben, here, _levels(4, "Ben"), Status.DRAFT, draft.id, 1),
    )

    saved = [o for o in outcomes if isinstance(o, journey.Saved)]
    told = [o for o in outcomes if isinstance(o, ServiceError)]
    assert len(saved) == 1 and len(told) == 1 and isinstance(told[0], ConcurrentEdit), outcomes
    monkeypatch.undo()
    kept = journey.get_journey(engine, ana, here).draft
    winner = "Ana" if outcomes[0] is saved[0] else "Ben"
    assert kept.version == 2 and {s.comment for s in kept.scores.values()} == {winner}


def test_the_same_milestone_edited_twice_at_once_is_saved_once_and_the_other_told(engine, monkeypatch):
    here = make_territory(engine, "Loos")
    ana, ben = (make_actor(engine, Role.CONTRIBUTOR, here, name) for name in ("Ana", "Ben"))
    first = journey.save_milestone(engine, ana, here, MilestoneDraft(date(2024, 3, 1), "impulse", "Forum"))
    meet_after_first_call(monkeypatch, journey_store, "get_milestone")

    def edit(actor, title):
        draft = MilestoneDraft(date(2024, 3, 1), "impulse", title)
        return lambda: journey.save_milestone(engine, actor, here, draft, first.id, first.version)

    outcomes = run_together(edit(ana, "Forum d’Ana"), edit(ben, "Forum de Ben"))

    saved = [o for o in outcomes if isinstance(o, journey.Saved)]
    told = [o for o in outcomes if isinstance(o, ConcurrentEdit)]
    assert len(saved) == 1 and len(told) == 1, outcomes
    monkeypatch.undo()
    winner = "Forum d’Ana" if outcomes[0] is saved[0] else "Forum de Ben"
    assert [(m.title, m.version) for m in journey.list_milestones(engine, ana, here)] == [(winner, 2)]
