"""Feedback campaigns: opening one, listing those a person may answer or read, and what a share
link reveals."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.engine import Engine, Row

from lib.access import Action, Actor, can, require, require_anywhere
from lib.domain import clock
from lib.domain.errors import FieldError, NotFound, ServiceError, ValidationFailed
from lib.domain.forms import FormTemplate
from lib.domain.framework import Label
from lib.domain.inputs import NOT_FOUND, Checks
from lib.services.feedback.templates import stored_template
from lib.services.unit_of_work import reading, writing
from lib.store import activity
from lib.store import feedback as store
from lib.store.territories import territory_exists

TITLE_MAX = 200
# What a share link holds (``secrets.token_urlsafe``); anything else names no campaign and is
# never sent to the database.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


class CampaignState(StrEnum):
    UNKNOWN = "unknown"
    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    CLOSED = "closed"


def state_on(opens_on: date, closes_on: date, today: date) -> CampaignState:
    if today < opens_on:
        return CampaignState.NOT_YET_OPEN
    if today > closes_on:
        return CampaignState.CLOSED
    return CampaignState.OPEN


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
    # Changes with every write to the submitted responses (``lib.services.cache``).
    data_version: int = 0
    response_target: int | None = None  # submitted responses hoped for, shown as progress

    @property
    def progress(self) -> float | None:
        """Share of the response target reached (1.0 and beyond: reached); None without one."""
        return None if not self.response_target else self.submitted_count / self.response_target


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


def plausible_token(token: Any) -> bool:
    return isinstance(token, str) and _TOKEN.fullmatch(token) is not None


def campaign_of(row: Row, today: date) -> Campaign:
    """A stored campaign row (with its template and submitted count) as pages see it."""
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
        data_version=row.data_version,
        response_target=row.response_target,
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
        return campaign_of(store.campaign_by_id(conn, campaign_id), today or clock.today())


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
    campaigns = [campaign_of(r, today) for r in rows]
    return [
        c
        for c in campaigns
        if can(actor, Action.ANSWER_FORM, c.territory_id) or can(actor, Action.VIEW_RESULTS, c.territory_id)
    ]


CAMPAIGNS_PER_PAGE = 20


@dataclass(frozen=True)
class CampaignsPage:
    campaigns: list[Campaign]
    total: int  # every campaign matching the search
    page: int  # from 0; the last page when the one asked for is past it
    pages: int


def campaigns_page(
    engine: Engine,
    actor: Actor | None,
    *,
    search: str = "",
    page: int = 0,
    per_page: int = CAMPAIGNS_PER_PAGE,
    today: date | None = None,
) -> CampaignsPage:
    """One page of the network's campaigns for its administration, newest first: those whose
    title or territory's name contains ``search``, and how many match in all. A network holds
    thousands of campaigns: only the page's are read and counted. A territory admin gets
    those of the territories whose campaigns they manage (never the network's)."""
    actor = require_anywhere(actor, Action.MANAGE_CAMPAIGNS)
    scope = None
    if not actor.is_coordinator:
        scope = [tid for tid in actor.territory_ids if can(actor, Action.MANAGE_CAMPAIGNS, tid)]
    text = search.strip() if isinstance(search, str) else ""
    with reading(engine) as conn:
        total = store.count_campaigns(conn, search=text, territory_ids=scope)
        pages = -(-total // per_page)
        page = min(max(int(page), 0), max(pages - 1, 0))
        rows = store.campaigns_page(
            conn, search=text, limit=per_page, offset=page * per_page, territory_ids=scope
        )
    today = today or clock.today()
    return CampaignsPage([campaign_of(r, today) for r in rows], total, page, pages)


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
    if not plausible_token(token):
        return PublicCampaign(state=CampaignState.UNKNOWN)
    with reading(engine) as conn:
        row = store.campaign_by_token(conn, token)
        if row is None:
            return PublicCampaign(state=CampaignState.UNKNOWN)
        template = stored_template(conn, row.form_template_id)
    return PublicCampaign(
        state=state_on(row.opens_on, row.closes_on, today or clock.today()),
        id=row.id,
        title=row.title,
        opens_on=row.opens_on,
        closes_on=row.closes_on,
        anonymous=row.anonymous,
        template=template,
    )


# --- A campaign's life: closed early, reopened, deleted while nobody has answered ------------


class CampaignHasResponses(ServiceError):
    """Somebody has answered (or started to): the campaign stays, with what they typed."""

    code = "admin.campaign.error.has_responses"


def _managed(conn, actor: Actor | None, campaign_id: Any):
    checks = Checks()
    campaign_id = checks.record_id("campaign_id", campaign_id)
    checks.done()
    row = store.campaign_row(conn, campaign_id)
    if row is None:
        raise NotFound(campaign_id=campaign_id)
    return require(actor, Action.MANAGE_CAMPAIGNS, row.territory_id), row


def _log(conn, actor: Actor, row, action: str, **details: Any) -> None:
    activity.log_activity(
        conn,
        person_id=actor.person_id,
        territory_id=row.territory_id,
        action=action,
        subject_type="campaign",
        subject_id=row.id,
        details={"title": row.title, **{k: str(v) for k, v in details.items()}},
    )


def close_campaign(engine: Engine, actor: Actor | None, campaign_id: int, today: date | None = None) -> None:
    """Close now: the last day becomes yesterday, so the link stops taking answers today. A
    campaign not open before today has its first day moved back with it (a campaign's last day
    is never before its first); the answers already given stay."""
    yesterday = (today or clock.today()) - timedelta(days=1)
    with writing(engine) as conn:
        actor, row = _managed(conn, actor, campaign_id)
        if row.closes_on <= yesterday:
            return  # closed already: nothing to change, nothing to log
        store.set_campaign_dates(conn, row.id, opens_on=min(row.opens_on, yesterday), closes_on=yesterday)
        _log(conn, actor, row, "campaign.closed", closes_on=yesterday, was=row.closes_on)


def reopen_campaign(
    engine: Engine, actor: Actor | None, campaign_id: int, until: date | None, today: date | None = None
) -> None:
    """Take answers again until ``until`` (today or later) included."""
    today = today or clock.today()
    checks = Checks()
    until = checks.day("until", until)
    if until is not None and until < today:
        checks.fail("until", "admin.campaign.error.until_past")
    checks.done()
    with writing(engine) as conn:
        actor, row = _managed(conn, actor, campaign_id)
        store.set_campaign_dates(conn, row.id, opens_on=min(row.opens_on, today), closes_on=until)
        _log(conn, actor, row, "campaign.reopened", closes_on=until, was=row.closes_on)


def delete_campaign(engine: Engine, actor: Actor | None, campaign_id: int) -> None:
    """Delete a campaign nobody has answered, not even as a draft (a mistake, a duplicate)."""
    with writing(engine) as conn:
        actor, row = _managed(conn, actor, campaign_id)
        if store.has_responses(conn, row.id):
            raise CampaignHasResponses()
        _log(conn, actor, row, "campaign.deleted")
        store.delete_campaign(conn, row.id)


# --- Editing before the first answer, previewing ---------------------------------------------

TARGET_MAX = 1_000_000


class CampaignAnswered(ServiceError):
    """Someone has answered (or started to): what they answered must keep meaning the same."""

    code = "admin.campaign.error.answered"


def edit_campaign(
    engine: Engine,
    actor: Actor | None,
    campaign_id: int,
    *,
    title: Any,
    opens_on: Any,
    closes_on: Any,
    response_target: Any = None,
) -> None:
    """Change a campaign's title and dates while nobody has answered it, drafts included (the
    people who answered read that title and those dates); its response target at any time,
    since it changes nothing anyone answered. ``response_target`` None: no target."""
    checks = Checks()
    title = checks.text("title", title, required=True, max_length=TITLE_MAX)
    opens_on = checks.day("opens_on", opens_on)
    closes_on = checks.day("closes_on", closes_on)
    if opens_on and closes_on and closes_on < opens_on:
        checks.fail("closes_on", "feedback.error.closes_before_opens")
    if response_target is not None:
        response_target = checks.whole("response_target", response_target, 1, TARGET_MAX)
    with writing(engine) as conn:
        actor, row = _managed(conn, actor, campaign_id)
        checks.done()
        changed = {
            name: value
            for name, value in (
                ("title", title),
                ("opens_on", opens_on),
                ("closes_on", closes_on),
                ("response_target", response_target),
            )
            if getattr(row, name) != value
        }
        if not changed:
            return
        if set(changed) - {"response_target"} and store.has_responses(conn, row.id):
            raise CampaignAnswered()
        store.update_campaign(conn, row.id, **changed)
        _log(conn, actor, row, "campaign.edited", **changed)


def campaign_preview(engine: Engine, actor: Actor | None, campaign_id: int) -> FormTemplate:
    """The form of a campaign exactly as its respondents see it, for those who manage it; the
    page draws it with no way to send, so nothing is recorded."""
    with reading(engine) as conn:
        _, row = _managed(conn, actor, campaign_id)
        return stored_template(conn, row.form_template_id)
