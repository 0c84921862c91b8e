"""Reflexive feedback: templates, campaigns, answering through a share link, results, exports.

Rights: opening a campaign needs MANAGE_CAMPAIGNS on its territory (a network-wide campaign:
coordinators only); results and exports need VIEW_RESULTS. Answering needs no account: the
share token IS the permission to answer that one campaign, and the resume code the
permission to read and continue one draft — both unguessable. A logged-in member who answers
from inside the app is checked for ANSWER_FORM as well.
"""

from __future__ import annotations

import io
import json
import re
import secrets
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

import pandas as pd
from sqlalchemy.engine import Connection, Engine, Row

from lib.access import Action, Actor, can, require, require_anywhere
from lib.domain import anonymity, clock, forms
from lib.domain import feedback_analytics as fa
from lib.domain.errors import FieldError, NotFound, ServiceError, ValidationFailed
from lib.domain.forms import FormTemplate, FormTemplateError, parse_template
from lib.domain.framework import Framework, Label, load_framework
from lib.domain.inputs import INVALID, NOT_FOUND, Checks
from lib.domain.text import clean_json
from lib.i18n import translate
from lib.services.unit_of_work import reading, writing
from lib.store import activity, territories
from lib.store import feedback as store
from lib.store.reference import register_framework
from lib.store.tables import utcnow
from lib.store.territories import territory_exists

TITLE_MAX = 200
NAME_MAX = 200
# Resume codes are typed on phones: no 0/O, 1/I/L look-alikes. 12 of 31 symbols ≈ 59 bits.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CODE_LENGTH = 12
# What a share link holds (``secrets.token_urlsafe``); anything else names no campaign and is
# never sent to the database.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
_SLUG = re.compile(r"[A-Za-z0-9_-]{1,80}")  # a territory's, in a network-wide campaign's link


class CampaignState(StrEnum):
    UNKNOWN = "unknown"
    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    CLOSED = "closed"


class CampaignUnavailable(ServiceError):
    """The campaign is not (or no longer) open: nothing can be saved to it."""

    code = "feedback.error.campaign_unavailable"


class AlreadySent(ServiceError):
    """These answers were sent meanwhile (another tab, a double click): nothing more is saved."""

    code = "feedback.error.already_sent"


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
    groups: anonymity.RoleGroups = anonymity.NAMED  # roles pooled for anonymity, if any


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_code(typed: Any) -> str:
    if not isinstance(typed, str):
        return ""
    return "".join(ch for ch in typed.upper() if ch.isascii() and ch.isalnum())


def _plausible_token(token: Any) -> bool:
    return isinstance(token, str) and _TOKEN.fullmatch(token) is not None


def _plausible_slug(slug: Any) -> bool:
    return isinstance(slug, str) and _SLUG.fullmatch(slug) is not None


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
    document = clean_json(document)
    try:
        json.dumps(document, allow_nan=False)  # what the database will store
        source = str(document.get("slug", "?")) if isinstance(document, dict) else "?"
        template = parse_template(document, source=source, framework=framework)
    except (FormTemplateError, TypeError, ValueError) as exc:  # not JSON, or not a template
        problem = FieldError("feedback.error.template_invalid", {"detail": str(exc)})
        raise ValidationFailed({"document": problem}) from exc
    with writing(engine) as conn:
        version = register_framework(conn, framework)
        return _store_template(conn, template, version, actor.person_id)


def list_templates(engine: Engine, actor: Actor | None) -> list[TemplateChoice]:
    """The newest version of each template, for someone who may open a campaign."""
    require_anywhere(actor, Action.MANAGE_CAMPAIGNS)
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
    checks = Checks()
    territory_id = checks.record_id("territory_id", territory_id, optional=True)
    template_id = checks.record_id("template_id", template_id)
    title = checks.text("title", title, required=True, max_length=TITLE_MAX)
    opens_on = checks.day("opens_on", opens_on)
    closes_on = checks.day("closes_on", closes_on)
    anonymous = checks.flag("anonymous", anonymous)
    if opens_on and closes_on and closes_on < opens_on:
        checks.fail("closes_on", "feedback.error.closes_before_opens")
    checks.done()
    with writing(engine) as conn:
        if store.template_by_id(conn, template_id) is None:
            raise ValidationFailed({"template_id": FieldError(NOT_FOUND)})
        if territory_id is not None and not territory_exists(conn, territory_id):
            raise ValidationFailed({"territory_id": FieldError(NOT_FOUND)})
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
    if not _plausible_token(token):
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
    row = store.campaign_by_token(conn, token) if _plausible_token(token) else None
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


def _identity(checks: Checks, campaign: Row, role: Any, name: Any) -> tuple[str | None, str | None]:
    """The respondent's hat, and their name on a named campaign (None on an anonymous one)."""
    role = checks.one_of("role", role, _roles(), code=forms.NOT_OFFERED)
    if campaign.anonymous:
        return role, None
    return role, checks.text("respondent_name", name, required=True, max_length=NAME_MAX)


def _answers_given(checks: Checks, answers: Any) -> dict[str, Any] | None:
    """Answers as a page sends them: by question id. Anything else is refused whole."""
    if answers is None:
        return None
    if not isinstance(answers, Mapping) or not all(isinstance(k, str) for k in answers):
        checks.fail("answers", INVALID)
        return None
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
    checks = Checks()
    answers = _answers_given(checks, answers)
    checks.done()
    with writing(engine) as conn:
        campaign, template = _open_campaign_row(conn, token, today)
        row = _claimed_draft(conn, campaign, code)
        document = dict(row.document or {})
        document["answers"] = _merged(template, document, answers)
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
) -> Draft:
    """Check every answer and submit. On any problem, ALL problems are raised at once (keyed
    ``q.<question id>``) and what was typed stays saved in the draft."""
    checks = Checks()
    answers = _answers_given(checks, answers)
    checks.done()
    with writing(engine) as conn:
        campaign, template = _open_campaign_row(conn, token, today)
        row = _claimed_draft(conn, campaign, code)
        document = dict(row.document or {})
        document["answers"] = _merged(template, document, answers)
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


def _check_period(campaign_id: Any, start: Any, end: Any) -> None:
    """What a results or export request names: a campaign, and optionally a period of days."""
    checks = Checks()
    checks.record_id("campaign_id", campaign_id)
    checks.day("start", start, required=False)
    checks.day("end", end, required=False)
    checks.done()


def _instants(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """A period of French days, from ``start`` to ``end`` included, as UTC instants."""
    since = clock.start_of_local_day(start) if start is not None else None
    until = clock.start_of_local_day(end + timedelta(days=1)) if end is not None else None
    return since, until


def _roles() -> list[str]:
    return [r.id for r in load_framework().stakeholder_roles]


def _role_groups(
    conn: Connection, campaign: Campaign, shown: Mapping[str, int], period: bool
) -> anonymity.RoleGroups:
    """How roles are shown for this campaign and period: the one rule of ``lib.domain.anonymity``,
    for the screen and the exports alike."""
    if not campaign.anonymous:
        return anonymity.NAMED
    whole = store.submitted_by_role(conn, campaign.id) if period else shown
    return anonymity.role_groups(whole, shown, order=_roles())


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
    _check_period(campaign_id, start, end)
    roles = _roles()
    with reading(engine) as conn:
        campaign = _readable_campaign(conn, actor, campaign_id, today or clock.today())
        template = _template(conn, campaign.template_id)
        scale_ids = [q.id for q in template.questions_of_type(forms.SCALE)]
        choice_ids = [q.id for q in template.questions_of_type(*forms.CHOICE_TYPES)]
        text_ids = [q.id for q in template.questions_of_type(*forms.TEXT_TYPES)]
        since, until = _instants(start, end)
        shown = store.submitted_by_role(conn, campaign_id, since, until)
        # Anonymous means anonymous: no figure by role rests on too few responses.
        groups = _role_groups(conn, campaign, shown, since is not None or until is not None)
        of = groups.of
        hours = store.counts_by_role_and_hour(conn, campaign_id, since, until)
        counts = fa.counts_over_time(((clock.local_day(h), of(role), n) for h, role, n in hours), roles)
        dist = fa.distribution(
            (q, of(role), v, n)
            for q, role, v, n in store.numeric_distribution(conn, campaign_id, scale_ids, since, until)
        )
        choices = fa.choice_counts(
            (q, of(role), o, n)
            for q, role, o, n in store.choice_distribution(conn, campaign_id, choice_ids, since, until)
        )
        texts = fa.texts_by_role(store.free_texts(conn, campaign_id, text_ids, since, until), roles, groups)
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
        groups=groups,
    )


def export_table(
    engine: Engine, actor: Actor | None, campaign_id: int, start: date | None = None, end: date | None = None
) -> tuple[Campaign, FormTemplate, pd.DataFrame]:
    """One row per submitted response, one column per question (see ``responses_wide``)."""
    _check_period(campaign_id, start, end)
    with reading(engine) as conn:
        campaign = _readable_campaign(conn, actor, campaign_id, clock.today())
        template = _template(conn, campaign.template_id)
        since, until = _instants(start, end)
        responses = store.submitted_responses(conn, campaign_id, since, until)
        answers = store.submitted_answers(conn, campaign_id, since, until)
        shown = Counter(r["role"] for r in responses)
        groups = _role_groups(conn, campaign, shown, since is not None or until is not None)
    return campaign, template, fa.responses_wide(template, responses, answers, groups)


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
    if (table["role"] == anonymity.POOLED).any():  # explained like every role, when it is there
        roles.append((anonymity.POOLED, *(translate("feedback.results.pooled", lg) for lg in ("fr", "en"))))
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        table.to_excel(writer, sheet_name="reponses", index=False)
        fa.codebook(template, roles).to_excel(writer, sheet_name="codes", index=False)
    return buffer.getvalue()
