"""Reflexive feedback: templates, campaigns, answering through a share link, results, exports.

Rights: opening a campaign needs MANAGE_CAMPAIGNS on its territory (a network-wide campaign:
coordinators only); results and exports need VIEW_RESULTS. Answering needs no account: the
share token IS the permission to answer that one campaign, and the resume code the
permission to read and continue one draft — both unguessable. A logged-in member who answers
from inside the app is checked for ANSWER_FORM as well.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

import pandas as pd
from sqlalchemy.engine import Connection, Engine, Row

from lib.access import Action, Actor, can, can_anywhere, require
from lib.domain import clock, forms
from lib.domain import feedback_analytics as fa
from lib.domain.errors import (
    FieldError,
    NotFound,
    PermissionDenied,
    ServiceError,
    ValidationFailed,
)
from lib.domain.forms import FormTemplate, parse_template
from lib.domain.framework import Framework, Label, load_framework
from lib.services.unit_of_work import reading, writing
from lib.store import activity, territories
from lib.store import feedback as store
from lib.store.reference import register_framework
from lib.store.tables import utcnow

TITLE_MAX = 200
NAME_MAX = 200
# Resume codes are typed on phones: no 0/O, 1/I/L look-alikes. 12 of 31 symbols ≈ 59 bits.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CODE_LENGTH = 12


class CampaignState(StrEnum):
    UNKNOWN = "unknown"
    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    CLOSED = "closed"


class CampaignUnavailable(ServiceError):
    """The campaign is not (or no longer) open: nothing can be saved to it."""

    code = "feedback.error.campaign_unavailable"


def state_on(opens_on: date, closes_on: date, today: date) -> CampaignState:
    if today < opens_on:
        return CampaignState.NOT_YET_OPEN
    if today > closes_on:
        return CampaignState.CLOSED
    return CampaignState.OPEN


@dataclass(frozen=True)
class TemplateChoice:
    id: int
    slug: str
    version: int
    title: Label


@dataclass(frozen=True)
class Campaign:
    id: int
    territory_id: int | None
    territory_name: str | None
    title: str
    opens_on: date
    closes_on: date
    anonymous: bool
    share_token: str
    template_id: int
    template_title: Label
    template_version: int
    submitted_count: int
    state: CampaignState


@dataclass(frozen=True)
class PublicCampaign:
    """What a share link may reveal: the form and its dates, nothing about the territory."""

    state: CampaignState
    id: int | None = None
    title: str | None = None
    opens_on: date | None = None
    closes_on: date | None = None
    anonymous: bool = True
    template: FormTemplate | None = None


@dataclass(frozen=True)
class Draft:
    response_id: int
    resume_code: str
    role: str
    answers: dict[str, Any]
    respondent_name: str | None = None
    step: int = 0
    submitted: bool = False


@dataclass
class Results:
    campaign: Campaign
    template: FormTemplate
    submitted: int
    drafts: int
    counts: pd.DataFrame
    counts_table: pd.DataFrame
    distribution: pd.DataFrame
    means: pd.DataFrame
    gaps: pd.DataFrame
    choices: pd.DataFrame
    texts: dict[str, list[tuple[str, list[str]]]] = field(default_factory=dict)
    min_answers: int = fa.MIN_ANSWERS_PER_ROLE


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_code(typed: str) -> str:
    return "".join(ch for ch in (typed or "").upper() if ch.isalnum())


def _new_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))


# --- Templates -----------------------------------------------------------------------------


def ensure_templates(engine: Engine, framework: Framework | None = None) -> None:
    """Store the templates shipped in ``data/forms`` (a system task, run at start-up).

    A coordinator's newer wording wins: a shipped file replaces it only when the file's
    ``version`` is raised above the newest stored version.
    """
    framework = framework or load_framework()
    with writing(engine) as conn:
        version = register_framework(conn, framework)
        for template in forms.load_templates():
            newest = store.newest_template(conn, template.slug)
            if newest is not None and newest.created_by is not None and template.version <= newest.version:
                continue
            _store_template(conn, template, version, None)


def _store_template(conn: Connection, template: FormTemplate, framework_version: str | None, by: int | None):
    return store.save_template(
        conn,
        slug=template.slug,
        version=template.version,
        title_fr=template.title.fr,
        title_en=template.title.en,
        content=template.raw,
        framework_version=framework_version,
        created_by=by,
    )


def edit_template(engine: Engine, actor: Actor | None, document: dict[str, Any]) -> tuple[int, int]:
    """A coordinator's new wording of a template; returns ``(id, version)``. An answered
    version is never changed: the edit becomes a new version."""
    require(actor, Action.MANAGE_NETWORK)
    framework = load_framework()
    template = parse_template(document, source=str(document.get("slug", "?")), framework=framework)
    with writing(engine) as conn:
        version = register_framework(conn, framework)
        return _store_template(conn, template, version, actor.person_id)


def _require_manager(actor: Actor | None) -> Actor:
    if can_anywhere(actor, Action.MANAGE_CAMPAIGNS):
        return actor
    raise PermissionDenied(action=str(Action.MANAGE_CAMPAIGNS))


def list_templates(engine: Engine, actor: Actor | None) -> list[TemplateChoice]:
    """The newest version of each template, for someone who may open a campaign."""
    _require_manager(actor)
    with reading(engine) as conn:
        rows = store.latest_templates(conn)
    return [
        TemplateChoice(id=r.id, slug=r.slug, version=r.version, title=Label(fr=r.title_fr, en=r.title_en))
        for r in rows
    ]


def _template(conn: Connection, template_id: int) -> FormTemplate:
    row = store.template_by_id(conn, template_id)
    if row is None:
        raise NotFound(template_id=template_id)
    # A stored version keeps its own wording even if the framework has moved on since.
    return parse_template(row.content, source=f"{row.slug} v{row.version}")


# --- Campaigns -----------------------------------------------------------------------------


def _campaign(row: Row, today: date) -> Campaign:
    return Campaign(
        id=row.id,
        territory_id=row.territory_id,
        territory_name=row.territory_name,
        title=row.title,
        opens_on=row.opens_on,
        closes_on=row.closes_on,
        anonymous=row.anonymous,
        share_token=row.share_token,
        template_id=row.form_template_id,
        template_title=Label(fr=row.template_title_fr, en=row.template_title_en),
        template_version=row.template_version,
        submitted_count=int(row.submitted_count),
        state=state_on(row.opens_on, row.closes_on, today),
    )


def open_campaign(
    engine: Engine,
    actor: Actor | None,
    *,
    territory_id: int | None,
    template_id: int | None,
    title: str,
    opens_on: date | None,
    closes_on: date | None,
    anonymous: bool = True,
    today: date | None = None,
) -> Campaign:
    """Open a campaign on a territory (or network-wide when ``territory_id`` is None)."""
    require(actor, Action.MANAGE_CAMPAIGNS, territory_id)
    title = (title or "").strip()
    errors: dict[str, FieldError] = {}
    if not title:
        errors["title"] = FieldError(forms.REQUIRED)
    elif len(title) > TITLE_MAX:
        errors["title"] = FieldError(forms.TOO_LONG, {"length": len(title), "max": TITLE_MAX})
    if template_id is None:
        errors["template_id"] = FieldError(forms.REQUIRED)
    for name, value in (("opens_on", opens_on), ("closes_on", closes_on)):
        if value is None:
            errors[name] = FieldError(forms.REQUIRED)
    if opens_on and closes_on and closes_on < opens_on:
        errors["closes_on"] = FieldError("feedback.error.closes_before_opens")
    if errors:
        raise ValidationFailed(errors)
    with writing(engine) as conn:
        if store.template_by_id(conn, template_id) is None:
            raise ValidationFailed({"template_id": FieldError("error.not_found")})
        campaign_id = store.insert_campaign(
            conn,
            territory_id=territory_id,
            form_template_id=template_id,
            title=title,
            opens_on=opens_on,
            closes_on=closes_on,
            anonymous=anonymous,
            share_token=secrets.token_urlsafe(24),
            created_by=actor.person_id,
        )
        activity.log_activity(
            conn,
            person_id=actor.person_id,
            territory_id=territory_id,
            action="campaign.opened",
            subject_type="campaign",
            subject_id=campaign_id,
        )
        return _campaign(store.campaign_by_id(conn, campaign_id), today or clock.today())


def list_campaigns(
    engine: Engine,
    actor: Actor | None,
    today: date | None = None,
    *,
    territory_ids: Sequence[int] | None = None,
) -> list[Campaign]:
    """Campaigns this person may answer or read: of their territories (every territory for a
    coordinator) and the network-wide ones. ``territory_ids`` narrows it down to those
    territories and the network-wide campaigns, in SQL."""
    if actor is None:
        return []
    if territory_ids is not None:
        scope = territory_ids
    else:  # None: every territory, for a coordinator
        scope = None if actor.is_coordinator else actor.territory_ids
    with reading(engine) as conn:
        rows = store.list_campaigns(conn, scope)
    today = today or clock.today()
    campaigns = [_campaign(r, today) for r in rows]
    return [
        c
        for c in campaigns
        if can(actor, Action.ANSWER_FORM, c.territory_id) or can(actor, Action.VIEW_RESULTS, c.territory_id)
    ]


def results_campaigns(
    engine: Engine,
    actor: Actor | None,
    today: date | None = None,
    *,
    territory_ids: Sequence[int] | None = None,
) -> list[Campaign]:
    """The campaigns whose results this person may read."""
    return [
        c
        for c in list_campaigns(engine, actor, today, territory_ids=territory_ids)
        if can(actor, Action.VIEW_RESULTS, c.territory_id)
    ]


def may_manage(actor: Actor | None, campaign: Campaign) -> bool:
    """For pages: whether to show the share link and QR code of this campaign."""
    return can(actor, Action.MANAGE_CAMPAIGNS, campaign.territory_id)


def may_answer(actor: Actor | None, campaign: Campaign) -> bool:
    """For pages: whether a logged-in member may answer this campaign from inside the app."""
    return can(actor, Action.ANSWER_FORM, campaign.territory_id)


def public_campaign(engine: Engine, token: str | None, today: date | None = None) -> PublicCampaign:
    """The campaign behind a share link, and whether it can be answered today."""
    if not token:
        return PublicCampaign(state=CampaignState.UNKNOWN)
    with reading(engine) as conn:
        row = store.campaign_by_token(conn, token)
        if row is None:
            return PublicCampaign(state=CampaignState.UNKNOWN)
        template = _template(conn, row.form_template_id)
    return PublicCampaign(
        state=state_on(row.opens_on, row.closes_on, today or clock.today()),
        id=row.id,
        title=row.title,
        opens_on=row.opens_on,
        closes_on=row.closes_on,
        anonymous=row.anonymous,
        template=template,
    )


# --- Answering -----------------------------------------------------------------------------


def _open_campaign_row(conn: Connection, token: str, today: date | None) -> tuple[Row, FormTemplate]:
    row = store.campaign_by_token(conn, token) if token else None
    if row is None:
        raise CampaignUnavailable(state=CampaignState.UNKNOWN.value)
    state = state_on(row.opens_on, row.closes_on, today or clock.today())
    if state != CampaignState.OPEN:
        raise CampaignUnavailable(state=state.value)
    return row, _template(conn, row.form_template_id)


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


def _identity_errors(campaign: Row, role: str | None, name: str | None) -> dict[str, FieldError]:
    errors: dict[str, FieldError] = {}
    if not role:
        errors["role"] = FieldError(forms.REQUIRED)
    elif role not in _roles():
        errors["role"] = FieldError(forms.NOT_OFFERED)
    if not campaign.anonymous:
        name = (name or "").strip()
        if not name:
            errors["respondent_name"] = FieldError(forms.REQUIRED)
        elif len(name) > NAME_MAX:
            errors["respondent_name"] = FieldError(forms.TOO_LONG, {"length": len(name), "max": NAME_MAX})
    return errors


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
        if actor is not None and not can(actor, Action.ANSWER_FORM, campaign.territory_id):
            raise PermissionDenied(action=str(Action.ANSWER_FORM), territory_id=campaign.territory_id)
        errors = _identity_errors(campaign, role, respondent_name)
        if errors:
            raise ValidationFailed(errors)
        answering_for = _answering_for(conn, campaign, actor, territory_slug)
        document: dict[str, Any] = {"answers": {}, "step": 0}
        code = _new_code()
        if not campaign.anonymous:
            document["respondent_name"] = respondent_name.strip()
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
    named = territories.territory_id_by_slug(conn, slug) if slug else None
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


def _merged(
    template: FormTemplate, document: dict[str, Any], answers: dict[str, Any] | None
) -> dict[str, Any]:
    kept = dict(document.get("answers", {}))
    if answers:
        for qid in answers:
            kept.pop(qid, None)  # an emptied field is emptied in the draft too
        kept.update(forms.draft_answers(template, answers))
    return kept


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
    with writing(engine) as conn:
        campaign, template = _open_campaign_row(conn, token, today)
        row = store.response_by_code(conn, campaign.id, normalise_code(code))
        if row is None or row.status == store.SUBMITTED:
            raise NotFound(code="feedback.error.resume_unknown")
        document = dict(row.document or {})
        document["answers"] = _merged(template, document, answers)
        if step is not None:
            document["step"] = step
        values: dict[str, Any] = {"document": document}
        if role is not None or respondent_name is not None:
            errors = _identity_errors(campaign, role or row.respondent_role, respondent_name)
            if errors:
                raise ValidationFailed(errors)
            if role is not None:
                values["respondent_role"] = role
            if not campaign.anonymous and respondent_name is not None:
                document["respondent_name"] = respondent_name.strip()
        store.update_response(conn, row.id, **values)
        return _draft(store.response_by_code(conn, campaign.id, row.resume_code))


def submit_response(
    engine: Engine,
    token: str,
    code: str,
    answers: dict[str, Any] | None = None,
    today: date | None = None,
) -> Draft:
    """Check every answer and submit. On any problem, ALL problems are raised at once (keyed
    ``q.<question id>``) and what was typed stays saved in the draft."""
    problems: dict[str, FieldError] = {}
    with writing(engine) as conn:
        campaign, template = _open_campaign_row(conn, token, today)
        row = store.response_by_code(conn, campaign.id, normalise_code(code))
        if row is None or row.status == store.SUBMITTED:
            raise NotFound(code="feedback.error.resume_unknown")
        document = dict(row.document or {})
        document["answers"] = _merged(template, document, answers)
        problems = _identity_errors(campaign, row.respondent_role, document.get("respondent_name"))
        problems |= forms.validate_answers(template, document["answers"])
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
            activity.log_activity(
                conn,
                person_id=row.person_id,
                territory_id=campaign.territory_id or row.territory_id,
                action="response.submitted",
                subject_type="response",
                subject_id=row.id,
                details={"campaign_id": campaign.id, "role": row.respondent_role},
            )
        final = store.response_by_code(conn, campaign.id, row.resume_code)
    if problems:
        raise ValidationFailed(problems)
    return _draft(final)


# --- Results and exports -------------------------------------------------------------------


def _readable_campaign(conn: Connection, actor: Actor | None, campaign_id: int, today: date) -> Campaign:
    row = store.campaign_by_id(conn, campaign_id)
    if row is None:
        # Same answer as a refusal for people without rights: existence is not disclosed.
        require(actor, Action.VIEW_NETWORK)
        raise NotFound(campaign_id=campaign_id)
    require(actor, Action.VIEW_RESULTS, row.territory_id)
    return _campaign(row, today)


def _instants(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """A period of French days, from ``start`` to ``end`` included, as UTC instants."""
    since = clock.start_of_local_day(start) if start is not None else None
    until = clock.start_of_local_day(end + timedelta(days=1)) if end is not None else None
    return since, until


def _roles() -> list[str]:
    return [r.id for r in load_framework().stakeholder_roles]


def results(
    engine: Engine,
    actor: Actor | None,
    campaign_id: int,
    start: date | None = None,
    end: date | None = None,
    min_answers: int = fa.MIN_ANSWERS_PER_ROLE,
    today: date | None = None,
) -> Results:
    """Everything the results page shows for one campaign, aggregated in SQL."""
    roles = _roles()
    with reading(engine) as conn:
        campaign = _readable_campaign(conn, actor, campaign_id, today or clock.today())
        template = _template(conn, campaign.template_id)
        scale_ids = [q.id for q in template.questions_of_type(forms.SCALE)]
        choice_ids = [q.id for q in template.questions_of_type(*forms.CHOICE_TYPES)]
        text_ids = [q.id for q in template.questions_of_type(*forms.TEXT_TYPES)]
        since, until = _instants(start, end)
        hours = store.counts_by_role_and_hour(conn, campaign_id, since, until)
        counts = fa.counts_over_time(((clock.local_day(h), role, n) for h, role, n in hours), roles)
        dist = fa.distribution(store.numeric_distribution(conn, campaign_id, scale_ids, since, until))
        choices = fa.choice_counts(store.choice_distribution(conn, campaign_id, choice_ids, since, until))
        # Anonymous means anonymous: a role with too few answers is not named beside its words.
        pooled = fa.roles_below(counts, min_answers) if campaign.anonymous else set()
        texts = fa.texts_by_role(store.free_texts(conn, campaign_id, text_ids, since, until), roles, pooled)
        drafts = store.count_drafts(conn, campaign_id)
    scales = {q.id: (q.min, q.max) for q in template.questions_of_type(forms.SCALE)}
    return Results(
        campaign=campaign,
        template=template,
        submitted=int(counts["responses"].sum()) if not counts.empty else 0,
        drafts=drafts,
        counts=counts,
        counts_table=fa.counts_table(counts, roles),
        distribution=dist,
        means=fa.role_means(dist, roles),
        gaps=fa.perception_gaps(dist, scales, roles, min_answers),
        choices=choices,
        texts=texts,
        min_answers=min_answers,
    )


def export_table(
    engine: Engine, actor: Actor | None, campaign_id: int, start: date | None = None, end: date | None = None
) -> tuple[Campaign, FormTemplate, pd.DataFrame]:
    """One row per submitted response, one column per question (see ``responses_wide``)."""
    with reading(engine) as conn:
        campaign = _readable_campaign(conn, actor, campaign_id, clock.today())
        template = _template(conn, campaign.template_id)
        since, until = _instants(start, end)
        responses = store.submitted_responses(conn, campaign_id, since, until)
        answers = store.submitted_answers(conn, campaign_id, since, until)
    return campaign, template, fa.responses_wide(template, responses, answers)


def export_csv(
    engine: Engine, actor: Actor | None, campaign_id: int, start: date | None = None, end: date | None = None
) -> bytes:
    """CSV for spreadsheets set up in French: ``;`` between columns, UTF-8 with a BOM."""
    _, _, table = export_table(engine, actor, campaign_id, start, end)
    return table.to_csv(index=False, sep=";").encode("utf-8-sig")


def export_xlsx(
    engine: Engine, actor: Actor | None, campaign_id: int, start: date | None = None, end: date | None = None
) -> bytes:
    """XLSX: the responses, and a second sheet saying what each id means in French and English."""
    _, template, table = export_table(engine, actor, campaign_id, start, end)
    roles = [(r.id, r.label.fr, r.label.en) for r in load_framework().stakeholder_roles]
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name="reponses", index=False)
        fa.codebook(template, roles).to_excel(writer, sheet_name="codes", index=False)
    return buffer.getvalue()
