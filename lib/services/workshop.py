"""Live workshops: a room answers questions from phones, sees its results by role on the big
screen, and writes down what it concluded — which becomes a milestone of the territory's journey.

A workshop is a campaign of kind "live" (so its answers join the territory's results, exports
and reports) plus a ``workshop`` row holding what the room is doing now. Rights: preparing and
running a workshop needs MANAGE_CAMPAIGNS on its territory; turning it into a milestone needs
EDIT_JOURNEY as well. Participants need no account: the campaign's share token is the
permission to join that one workshop, and a participant's code (a response's resume code) the
permission to answer as that participant — the phone keeps it in its address, so a phone that
reloads picks up where the room is.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection, Engine, Row

from lib.access import Action, Actor, require, require_anywhere
from lib.domain import clock, forms
from lib.domain import workshop as domain
from lib.domain.anonymity import MIN_GROUP, POOLED
from lib.domain.errors import FieldError, NotFound, ServiceError, ValidationFailed
from lib.domain.forms import FormTemplate, Question
from lib.domain.framework import Framework, load_framework
from lib.domain.inputs import INVALID, NOT_FOUND, Checks
from lib.domain.journey import STORY_MAX, MilestoneDraft, validate_milestone
from lib.domain.journey import clean as clean_story
from lib.domain.question_types import question_type
from lib.i18n import translate
from lib.services.feedback.answering import CODE_ALPHABET, CODE_LENGTH, normalise_code
from lib.services.feedback.campaigns import TITLE_MAX, plausible_token
from lib.services.feedback.templates import respondent_roles, stored_template
from lib.services.unit_of_work import reading, writing
from lib.store import activity, tables
from lib.store import feedback as feedback_store
from lib.store import journey as journey_store
from lib.store import workshop as store
from lib.store.territories import territory_exists

CONCLUSION_MAX = 4000
# The query parameter of a participant's link (``?atelier=TOKEN``) and of their code, kept in
# the phone's address so that a reload or a lost connection finds the same participant.
WORKSHOP_PARAM = "atelier"
PARTICIPANT_PARAM = "participant"
STORYTELLING_DIMENSION = "evaluate_value"  # "Évaluer / délibérer sur la valeur créée"


class WorkshopEnded(ServiceError):
    """The workshop is over: it takes no participant, answer or change any more."""

    code = "workshop.error.ended"


class QuestionClosed(ServiceError):
    """The question is no longer (or not yet) taking answers."""

    code = "workshop.error.question_closed"


@dataclass(frozen=True)
class Workshop:
    id: int
    campaign_id: int
    territory_id: int
    title: str
    held_on: date
    share_token: str
    question_ids: tuple[str, ...]
    current_question: str | None
    question_open: bool
    reveal_mode: bool
    results_shown: bool
    conclusions: dict[str, str]
    milestone_id: int | None
    ended: bool
    joined_count: int


def _workshop(row: Row) -> Workshop:
    return Workshop(
        id=row.id,
        campaign_id=row.campaign_id,
        territory_id=row.territory_id,
        title=row.title,
        held_on=row.held_on,
        share_token=row.share_token,
        question_ids=tuple(row.question_ids or ()),
        current_question=row.current_question,
        question_open=bool(row.question_open),
        reveal_mode=bool(row.reveal_mode),
        results_shown=bool(row.results_shown),
        conclusions=dict(row.conclusions or {}),
        milestone_id=row.milestone_id,
        ended=row.ended_at is not None,
        joined_count=int(row.joined_count),
    )


# --- Preparing ----------------------------------------------------------------------------


def workshop_questions(engine: Engine, actor: Actor | None, template_id: int) -> tuple[Question, ...]:
    """The questions of a template a workshop may ask (scales, choices, one word)."""
    require_anywhere(actor, Action.MANAGE_CAMPAIGNS)
    checks = Checks()
    template_id = checks.record_id("template_id", template_id)
    checks.done()
    with reading(engine) as conn:
        return domain.live_questions(stored_template(conn, template_id))


def prepare_workshop(
    engine: Engine,
    actor: Actor | None,
    *,
    territory_id: int,
    template_id: int | None,
    question_ids: Sequence[str] | None,
    title: str,
    held_on: date | None,
    reveal_mode: bool = True,
    today: date | None = None,
) -> Workshop:
    """A workshop on a territory: a live campaign of the template, and the questions it asks."""
    require(actor, Action.MANAGE_CAMPAIGNS, territory_id)
    checks = Checks()
    territory_id = checks.record_id("territory_id", territory_id)
    template_id = checks.record_id("template_id", template_id)
    title = checks.text("title", title, required=True, max_length=TITLE_MAX)
    held_on = checks.day("held_on", held_on)
    reveal_mode = checks.flag("reveal_mode", reveal_mode)
    if not isinstance(question_ids, list | tuple) or not all(isinstance(q, str) for q in question_ids):
        checks.fail("question_ids", INVALID)
        question_ids = []
    elif not question_ids:
        checks.fail("question_ids", "workshop.error.no_question")
    elif len(question_ids) > domain.MAX_QUESTIONS:
        checks.fail("question_ids", "workshop.error.too_many_questions", n=domain.MAX_QUESTIONS)
    checks.done()
    today = today or clock.today()
    with writing(engine) as conn:
        if not territory_exists(conn, territory_id):
            raise ValidationFailed({"territory_id": FieldError(NOT_FOUND)})
        if feedback_store.template_by_id(conn, template_id) is None:
            raise ValidationFailed({"template_id": FieldError(NOT_FOUND)})
        offered = {q.id for q in domain.live_questions(stored_template(conn, template_id))}
        if any(q not in offered for q in question_ids) or len(set(question_ids)) != len(question_ids):
            raise ValidationFailed({"question_ids": FieldError(forms.NOT_OFFERED)})
        campaign_id = feedback_store.insert_campaign(
            conn,
            territory_id=territory_id,
            form_template_id=template_id,
            title=title,
            opens_on=min(today, held_on),
            closes_on=max(today, held_on),
            anonymous=True,  # a room is anonymous: never a name, never an account
            share_token=secrets.token_urlsafe(24),
            kind="live",
            created_by=actor.person_id,
        )
        workshop_id = store.insert_workshop(
            conn,
            campaign_id=campaign_id,
            held_on=held_on,
            question_ids=list(question_ids),
            question_open=False,
            reveal_mode=reveal_mode,
            results_shown=False,
            conclusions={},
        )
        activity.log_activity(
            conn,
            person_id=actor.person_id,
            territory_id=territory_id,
            action="workshop.prepared",
            subject_type="campaign",
            subject_id=campaign_id,
            details={"title": title},
        )
        return _workshop(store.workshop_by_id(conn, workshop_id))


def list_workshops(engine: Engine, actor: Actor | None, territory_id: int) -> list[Workshop]:
    require(actor, Action.MANAGE_CAMPAIGNS, territory_id)
    with reading(engine) as conn:
        return [_workshop(r) for r in store.list_workshops(conn, territory_id)]


def _managed(conn: Connection, actor: Actor | None, workshop_id: Any) -> tuple[Actor, Row]:
    checks = Checks()
    workshop_id = checks.record_id("workshop_id", workshop_id)
    checks.done()
    row = store.workshop_by_id(conn, workshop_id)
    if row is None:
        raise NotFound(workshop_id=workshop_id)
    return require(actor, Action.MANAGE_CAMPAIGNS, row.territory_id), row


def get_workshop(engine: Engine, actor: Actor | None, workshop_id: int) -> Workshop:
    with reading(engine) as conn:
        return _workshop(_managed(conn, actor, workshop_id)[1])


# --- The room's screen --------------------------------------------------------------------


@dataclass(frozen=True)
class Room:
    workshop: Workshop
    template: FormTemplate
    joined: domain.Joined
    question: Question | None
    results: domain.LiveResults | None


def _results(conn: Connection, row: Row, question: Question) -> domain.LiveResults:
    return domain.live_results(
        question,
        store.answers_by_role(conn, row.campaign_id, question.id),
        store.answerers_by_role(conn, row.campaign_id, question.id),
        respondent_roles(),
    )


def room(engine: Engine, actor: Actor | None, workshop_id: int, question_id: str | None = None) -> Room:
    """What the room's screen shows now: who joined, the question on screen and its results
    (those of ``question_id`` instead, for the facilitator writing a conclusion)."""
    with reading(engine) as conn:
        _, row = _managed(conn, actor, workshop_id)
        template = stored_template(conn, row.form_template_id)
        shown = question_id if question_id in (row.question_ids or ()) else row.current_question
        question = template.question(shown) if shown else None
        results = _results(conn, row, question) if question is not None else None
        joined = domain.joined(store.joined_by_role(conn, row.campaign_id), respondent_roles())
    return Room(_workshop(row), template, joined, question, results)


def _change(engine: Engine, actor: Actor | None, workshop_id: int, **values: Any) -> Workshop:
    """The room's state moved on (not journaled: a question opened is no record of anything)."""
    with writing(engine) as conn:
        actor, row = _managed(conn, actor, workshop_id)
        if row.ended_at is not None:
            raise WorkshopEnded()
        question = values.get("current_question")
        if question is not None and question not in (row.question_ids or ()):
            raise ValidationFailed({"question_id": FieldError(forms.NOT_OFFERED)})
        store.update_workshop(conn, row.id, **values)
        return _workshop(store.workshop_by_id(conn, row.id))


def show_question(engine: Engine, actor: Actor | None, workshop_id: int, question_id: str) -> Workshop:
    """Put a question on the room's screen and on every phone, open for answers; in reveal mode
    its results stay hidden until the facilitator shows them."""
    with reading(engine) as conn:
        _, row = _managed(conn, actor, workshop_id)
    return _change(
        engine,
        actor,
        workshop_id,
        current_question=question_id,
        question_open=True,
        results_shown=not row.reveal_mode,
    )


def close_question(engine: Engine, actor: Actor | None, workshop_id: int) -> Workshop:
    """Stop taking answers to the question on screen: phones say to wait for the next one."""
    return _change(engine, actor, workshop_id, question_open=False)


def show_results(engine: Engine, actor: Actor | None, workshop_id: int, shown: bool = True) -> Workshop:
    checks = Checks()
    shown = checks.flag("shown", shown)
    checks.done()
    return _change(engine, actor, workshop_id, results_shown=shown)


def back_to_join_screen(engine: Engine, actor: Actor | None, workshop_id: int) -> Workshop:
    return _change(engine, actor, workshop_id, current_question=None, question_open=False)


def save_conclusion(
    engine: Engine, actor: Actor | None, workshop_id: int, question_id: str, text: str
) -> Workshop:
    """What the room concluded on one question (agreement, disagreement to work on, decision,
    next step). An empty text removes it."""
    checks = Checks()
    text = checks.text("conclusion", text, max_length=CONCLUSION_MAX) or ""
    checks.done()
    with writing(engine) as conn:
        actor, row = _managed(conn, actor, workshop_id)
        if row.ended_at is not None:
            raise WorkshopEnded()
        if question_id not in (row.question_ids or ()):
            raise ValidationFailed({"question_id": FieldError(forms.NOT_OFFERED)})
        conclusions = dict(row.conclusions or {})
        text = clean_story(text)
        if text:
            conclusions[question_id] = text
        else:
            conclusions.pop(question_id, None)
        store.update_workshop(conn, row.id, conclusions=conclusions)
        return _workshop(store.workshop_by_id(conn, row.id))


def finish_workshop(
    engine: Engine,
    actor: Actor | None,
    workshop_id: int,
    *,
    phase: str | None,
    language: str = "fr",
    framework: Framework | None = None,
    today: date | None = None,
) -> int:
    """End the workshop: no more answers, its campaign closed, and a milestone on the
    territory's journey (the phase chosen, storytelling dimension "évaluer / délibérer") telling
    what the room concluded and how each role answered. Returns the milestone's id."""
    framework = framework or load_framework()
    today = today or clock.today()
    with writing(engine) as conn:
        actor, row = _managed(conn, actor, workshop_id)
        require(actor, Action.EDIT_JOURNEY, row.territory_id)
        if row.ended_at is not None:
            raise WorkshopEnded()
        template = stored_template(conn, row.form_template_id)
        story = _story(conn, row, template, framework, language if language in ("fr", "en") else "fr")
        draft = MilestoneDraft(
            occurred_on=min(row.held_on, today),
            phase=phase,
            title=row.title,
            story=story,
            storytelling_dimension=STORYTELLING_DIMENSION,
        )
        errors = validate_milestone(framework, draft, on=today)
        if errors:
            raise ValidationFailed(errors)
        milestone_id = journey_store.insert_milestone(
            conn,
            territory_id=row.territory_id,
            created_by=actor.person_id,
            occurred_on=draft.occurred_on,
            phase=draft.phase,
            storytelling_dimension=STORYTELLING_DIMENSION,
            title=clean_story(draft.title),
            story=clean_story(draft.story),
        )
        store.update_workshop(
            conn, row.id, question_open=False, milestone_id=milestone_id, ended_at=tables.utcnow()
        )
        feedback_store.set_campaign_dates(
            conn, row.campaign_id, opens_on=min(row.held_on, today), closes_on=min(row.held_on, today)
        )
        activity.log_activity(
            conn,
            person_id=actor.person_id,
            territory_id=row.territory_id,
            action="milestone.created",
            subject_type="milestone",
            subject_id=milestone_id,
            details={"version": 1, "workshop": row.title},
        )
        return milestone_id


def _role_name(framework: Framework, role: str, language: str) -> str:
    if role == POOLED:
        return translate("feedback.results.pooled", language)
    for hat in framework.stakeholder_roles:
        if hat.id == role:
            return hat.label(language).split(" (")[0]
    return role


def _figure(question: Question, counts: dict[Any, int], mean: float | None, language: str) -> str:
    if mean is not None:
        return f"{mean:.1f}".replace(".", "," if language == "fr" else ".")
    if not counts:
        return "—"
    top = max(counts.items(), key=lambda kv: (kv[1], str(kv[0])))[0]
    return question.option_label(top, language) if question.options else str(top)


def _story(conn: Connection, row: Row, template: FormTemplate, framework: Framework, language: str) -> str:
    """The milestone's text: per question, the room's answer, each role's, and the conclusion."""
    lines = [translate("workshop.story.intro", language, joined=int(row.joined_count))]
    conclusions = dict(row.conclusions or {})
    for qid in row.question_ids or ():
        question = template.question(qid)
        results = _results(conn, row, question)
        if not results.answered and qid not in conclusions:
            continue  # a question the room never got to tells nothing
        lines.append("")
        lines.append(f"{question.label(language)}")
        lines.append(
            translate(
                "workshop.story.overall",
                language,
                n=results.answered,
                figure=_figure(question, results.overall, results.mean, language),
            )
        )
        by_role = [
            f"{_role_name(framework, g.role, language)} : {_figure(question, g.counts, g.mean, language)}"
            if language == "fr"
            else f"{_role_name(framework, g.role, language)}: {_figure(question, g.counts, g.mean, language)}"
            for g in results.groups
        ]
        if by_role:
            lines.append(translate("workshop.story.by_role", language, figures=" ; ".join(by_role)))
        if results.fewer:
            names = ", ".join(_role_name(framework, r, language) for r in results.fewer)
            lines.append(translate("workshop.story.fewer", language, roles=names, n=MIN_GROUP))
        if qid in conclusions:
            lines.append(translate("workshop.story.conclusion", language, text=conclusions[qid]))
    return "\n".join(lines)[:STORY_MAX]


# --- Participants' phones -----------------------------------------------------------------


@dataclass(frozen=True)
class Phone:
    """What a participant's phone shows: the workshop's title, and the question open now."""

    known: bool
    title: str | None = None
    ended: bool = False
    question: Question | None = None
    question_open: bool = False
    role: str | None = None  # the participant's, once joined
    answer: Any = None  # their answer to the question on screen, if any


def _by_token(conn: Connection, token: Any) -> Row | None:
    return store.workshop_by_token(conn, token) if plausible_token(token) else None


def _participant(conn: Connection, row: Row, code: Any) -> Row | None:
    code = normalise_code(code)
    if not code:
        return None
    return feedback_store.response_by_code(conn, row.campaign_id, code)


def phone(engine: Engine, token: Any, code: Any = None) -> Phone:
    """The state of the room as a phone sees it (polled every couple of seconds)."""
    with reading(engine) as conn:
        row = _by_token(conn, token)
        if row is None:
            return Phone(known=False)
        template = stored_template(conn, row.form_template_id)
        me = _participant(conn, row, code) if code else None
    question = template.question(row.current_question) if row.current_question else None
    answers = (me.document or {}).get("answers", {}) if me is not None else {}
    return Phone(
        known=True,
        title=row.title,
        ended=row.ended_at is not None,
        question=question,
        question_open=bool(row.question_open) and row.ended_at is None,
        role=me.respondent_role if me is not None else None,
        answer=answers.get(question.id) if question is not None else None,
    )


def join_workshop(engine: Engine, token: Any, role: Any) -> str:
    """A participant joins in a role, without an account; returns their code (kept in the
    phone's address: with it, a phone coming back is the same participant)."""
    with writing(engine) as conn:
        row = _by_token(conn, token)
        if row is None:
            raise NotFound(code="workshop.error.unknown")
        if row.ended_at is not None:
            raise WorkshopEnded()
        checks = Checks()
        role = checks.one_of("role", role, respondent_roles(), code=forms.NOT_OFFERED)
        checks.done()
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        feedback_store.insert_response(
            conn,
            campaign_id=row.campaign_id,
            respondent_role=role,
            person_id=None,
            territory_id=None,
            status=feedback_store.DRAFT,
            resume_code=code,
            document={"answers": {}, "live": True},
        )
        return code


def answer_question(engine: Engine, token: Any, code: Any, question_id: Any, value: Any) -> None:
    """A participant's answer to the question open now; answering again replaces it. An empty
    answer takes it back."""
    with writing(engine) as conn:
        row = _by_token(conn, token)
        if row is None:
            raise NotFound(code="workshop.error.unknown")
        if row.ended_at is not None:
            raise WorkshopEnded()
        if not row.question_open or question_id != row.current_question:
            raise QuestionClosed()
        me = _participant(conn, row, code)
        if me is None:
            raise NotFound(code="workshop.error.not_joined")
        question = stored_template(conn, row.form_template_id).question(row.current_question)
        empty = forms.is_empty(value)
        if not empty:
            problem = question_type(question.type).problem(question, value)
            if problem is not None:
                raise ValidationFailed({forms.field_name(question.id): problem})
            value = question_type(question.type).clean(question, value)
        document = dict(me.document or {})
        answers = dict(document.get("answers", {}))
        if empty:
            answers.pop(question.id, None)
        else:
            answers[question.id] = value
        document["answers"] = answers
        # Written first: the row lock (PostgreSQL) or write lock (SQLite) makes two taps of one
        # phone replace the answer one after the other, never both insert.
        values: dict[str, Any] = {"document": document}
        if me.status != feedback_store.SUBMITTED:
            values |= {"status": feedback_store.SUBMITTED, "submitted_at": tables.utcnow()}
        feedback_store.update_response(conn, me.id, **values)
        rows = (
            []
            if empty
            else [(question.id, n, s) for n, s in question_type(question.type).rows(question, value)]
        )
        store.replace_question_answers(conn, me.id, question.id, rows)
        feedback_store.bump_data_version(conn, row.campaign_id)
