"""Answering a campaign through its share link: a draft begun in a hat, saved as it is typed,
resumed with its code, and submitted once every answer passes."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection, Engine, Row

from lib.access import Action, Actor, require
from lib.domain import clock, forms
from lib.domain.errors import FieldError, NotFound, ServiceError, ValidationFailed
from lib.domain.forms import FormTemplate
from lib.domain.inputs import INVALID, Checks
from lib.services.feedback.campaigns import CampaignState, plausible_token, state_on
from lib.services.feedback.templates import respondent_roles, stored_template
from lib.services.unit_of_work import reading, writing
from lib.store import activity, outbox, territories
from lib.store import feedback as store
from lib.store.tables import utcnow

# A personal link's code (``lib.services.campaign_mail``); anything else is never sent to the database.
_SENT_TO = re.compile(r"[A-Za-z0-9_-]{16,64}")

NAME_MAX = 200
# Resume codes are typed on phones: no 0/O, 1/I/L look-alikes. 12 of 31 symbols ≈ 59 bits.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
_SLUG = re.compile(r"[A-Za-z0-9_-]{1,80}")  # a territory's, in a network-wide campaign's link


class CampaignUnavailable(ServiceError):
    """The campaign is not (or no longer) open: nothing can be saved to it."""

    code = "feedback.error.campaign_unavailable"


class AlreadySent(ServiceError):
    """These answers were sent meanwhile (another tab, a double click): nothing more is saved."""

    code = "feedback.error.already_sent"


@dataclass(frozen=True)
class Draft:
    response_id: int
    resume_code: str
    role: str
    answers: dict[str, Any]
    respondent_name: str | None = None
    step: int = 0
    submitted: bool = False


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_code(typed: Any) -> str:
    if not isinstance(typed, str):
        return ""
    return "".join(ch for ch in typed.upper() if ch.isascii() and ch.isalnum())


def _plausible_slug(slug: Any) -> bool:
    return isinstance(slug, str) and _SLUG.fullmatch(slug) is not None


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _open_campaign_row(conn: Connection, token: str, today: date | None) -> tuple[Row, FormTemplate]:
    row = store.campaign_by_token(conn, token) if plausible_token(token) else None
    if row is None:
        raise CampaignUnavailable(state=CampaignState.UNKNOWN.value)
    state = state_on(row.opens_on, row.closes_on, today or clock.today())
    if state != CampaignState.OPEN:
        raise CampaignUnavailable(state=state.value)
    return row, stored_template(conn, row.form_template_id)


def _draft(row: Row) -> Draft:
    document = row.document or {}
    return Draft(
        response_id=row.id,
        resume_code=row.resume_code,
        role=row.respondent_role,
        answers=dict(document.get("answers", {})),
        respondent_name=document.get("respondent_name"),
        step=int(document.get("step", 0)),
        submitted=row.status == store.SUBMITTED,
    )


def _identity(checks: Checks, campaign: Row, role: Any, name: Any) -> tuple[str | None, str | None]:
    """The respondent's hat, and their name on a named campaign (None on an anonymous one)."""
    role = checks.one_of("role", role, respondent_roles(), code=forms.NOT_OFFERED)
    if campaign.anonymous:
        return role, None
    return role, checks.text("respondent_name", name, required=True, max_length=NAME_MAX)


def _answers_given(answers: Any) -> dict[str, Any] | None:
    """Answers as a page sends them: by question id. Anything else is refused whole."""
    if answers is None:
        return None
    if not isinstance(answers, Mapping) or not all(isinstance(k, str) for k in answers):
        raise ValidationFailed({"answers": FieldError(INVALID)})
    return dict(answers)


def _claimed_draft(conn: Connection, campaign: Row, code: Any) -> Row:
    """The draft behind a resume code, locked until the end of the transaction: two tabs (or
    two clicks) saving or sending it at once go one after the other, and the second finds the
    first one's work — or is told the answers were already sent."""
    row = store.response_by_code(conn, campaign.id, normalise_code(code))
    if row is None:
        raise NotFound(code="feedback.error.resume_unknown")
    if row.status == store.SUBMITTED or not store.claim_draft(conn, row.id):
        raise AlreadySent()
    return store.response_by_code(conn, campaign.id, row.resume_code)


def start_response(
    engine: Engine,
    token: str,
    role: str | None,
    *,
    respondent_name: str | None = None,
    actor: Actor | None = None,
    territory_slug: str | None = None,
    today: date | None = None,
) -> Draft:
    """Begin a draft answer: the respondent's hat, and their name on a named campaign.

    On a network-wide campaign the response counts for a territory (``_answering_for``):
    ``territory_slug`` comes from the territory's own share link (``&territoire=``)."""
    with writing(engine) as conn:
        campaign, _ = _open_campaign_row(conn, token, today)
        if actor is not None:  # a member answering from inside the app; a share link needs no account
            require(actor, Action.ANSWER_FORM, campaign.territory_id)
        checks = Checks()
        role, name = _identity(checks, campaign, role, respondent_name)
        checks.done()
        answering_for = _answering_for(conn, campaign, actor, territory_slug)
        document: dict[str, Any] = {"answers": {}, "step": 0}
        code = _new_code()
        if name is not None:
            document["respondent_name"] = name
        store.insert_response(
            conn,
            campaign_id=campaign.id,
            respondent_role=role,
            # An anonymous campaign never links an answer to an account, even a member's.
            person_id=actor.person_id if actor is not None and not campaign.anonymous else None,
            territory_id=answering_for,
            status=store.DRAFT,
            resume_code=code,
            document=document,
        )
        return _draft(store.response_by_code(conn, campaign.id, code))


def _answering_for(conn: Connection, campaign: Row, actor: Actor | None, slug: str | None) -> int | None:
    """The territory a network-wide campaign's respondent answers for: the one named by the
    link, if it exists (and, for a logged-in member, if they belong to it); else a member's
    only territory. None for a territory's own campaign, or when nothing says it."""
    if campaign.territory_id is not None:
        return None
    # The slug comes from the address bar: one no territory can have is never sent to the database.
    named = territories.territory_id_by_slug(conn, slug) if _plausible_slug(slug) else None
    if actor is None:
        return named
    if named is not None and actor.role_in(named) is not None:
        return named
    return actor.territory_ids[0] if len(actor.territory_ids) == 1 else None


def resume_response(engine: Engine, token: str, code: str, today: date | None = None) -> Draft:
    """Come back to a draft with its resume code."""
    with reading(engine) as conn:
        campaign, _ = _open_campaign_row(conn, token, today)
        row = store.response_by_code(conn, campaign.id, normalise_code(code))
    if row is None:
        raise ValidationFailed({"resume_code": FieldError("feedback.error.resume_unknown")})
    if row.status == store.SUBMITTED:
        raise ValidationFailed({"resume_code": FieldError("feedback.error.already_submitted")})
    return _draft(row)


def _draft_with(
    conn: Connection, token: str, code: str, answers: dict[str, Any] | None, today: date | None
) -> tuple[Row, FormTemplate, Row, dict[str, Any]]:
    """The open campaign behind ``token``, its template, the draft behind ``code`` (locked, see
    ``_claimed_draft``) and the draft's document with ``answers`` merged in."""
    campaign, template = _open_campaign_row(conn, token, today)
    row = _claimed_draft(conn, campaign, code)
    document = dict(row.document or {})
    document["answers"] = _merged(template, document, answers)
    return campaign, template, row, document


def _merged(
    template: FormTemplate, document: dict[str, Any], answers: dict[str, Any] | None
) -> dict[str, Any]:
    kept = dict(document.get("answers", {}))
    if answers:
        for qid in answers:
            kept.pop(qid, None)  # an emptied field is emptied in the draft too
        kept.update(answers)
    # Cleaned as a whole: a draft saved before the text rule existed is cleaned too.
    return forms.draft_answers(template, kept)


def save_draft(
    engine: Engine,
    token: str,
    code: str,
    answers: dict[str, Any] | None = None,
    *,
    role: str | None = None,
    respondent_name: str | None = None,
    step: int | None = None,
    today: date | None = None,
) -> Draft:
    """Save what was typed so far — even values that will not pass at submission, so that
    nothing typed is lost. ``answers`` replaces the given questions only."""
    answers = _answers_given(answers)
    with writing(engine) as conn:
        campaign, template, row, document = _draft_with(conn, token, code, answers, today)
        checks = Checks()
        if step is not None:
            # Screens: the hat, one per section, then every problem at once.
            document["step"] = checks.whole("step", step, 0, len(template.sections) + 1)
        values: dict[str, Any] = {"document": document}
        if role is not None or respondent_name is not None:
            role, name = _identity(checks, campaign, role or row.respondent_role, respondent_name)
            values["respondent_role"] = role
            if name is not None:
                document["respondent_name"] = name
        checks.done()
        store.update_response(conn, row.id, **values)
        return _draft(store.response_by_code(conn, campaign.id, row.resume_code))


def submit_response(
    engine: Engine,
    token: str,
    code: str,
    answers: dict[str, Any] | None = None,
    today: date | None = None,
    sent_to: str | None = None,
) -> Draft:
    """Check every answer and submit. On any problem, ALL problems are raised at once (keyed
    ``q.<question id>``) and what was typed stays saved in the draft.

    ``sent_to``: the code of the personal link the respondent came through (``&envoi=``), if
    any; that address is then spared the reminder, by a flag that names no response."""
    answers = _answers_given(answers)
    with writing(engine) as conn:
        campaign, template, row, document = _draft_with(conn, token, code, answers, today)
        checks = Checks()
        _identity(checks, campaign, row.respondent_role, document.get("respondent_name"))
        problems = checks.errors | forms.validate_answers(template, document["answers"])
        if problems:
            store.update_response(conn, row.id, document=document)
        else:
            document["answers"] = forms.clean_answers(template, document["answers"])
            document |= {"template_slug": template.slug, "template_version": template.version}
            document.pop("step", None)
            store.update_response(
                conn, row.id, document=document, status=store.SUBMITTED, submitted_at=utcnow()
            )
            store.replace_answers(conn, row.id, forms.answer_rows(template, document["answers"]))
            store.bump_data_version(conn, campaign.id)  # results cached anywhere are now out of date
            activity.log_activity(
                conn,
                person_id=row.person_id,
                territory_id=campaign.territory_id or row.territory_id,
                action="response.submitted",
                subject_type="response",
                subject_id=row.id,
                details={"campaign_id": campaign.id, "role": row.respondent_role},
            )
            if isinstance(sent_to, str) and _SENT_TO.fullmatch(sent_to):
                outbox.mark_answered(conn, campaign.id, sent_to)
        final = store.response_by_code(conn, campaign.id, row.resume_code)
    if problems:
        raise ValidationFailed(problems)
    return _draft(final)
