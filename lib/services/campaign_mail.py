"""A campaign's link by e-mail: sent to pasted addresses, one reminder, then the addresses go.

- A member who manages a campaign pastes addresses; each is checked on its own, duplicates
  are removed, and each address gets the campaign's link with a personal code (``&envoi=``).
- Submitting through that link sets a bare ``answered`` flag on the address: no time, no
  reference to the response, in an anonymous campaign as in a named one (decision 0016).
- ``remind`` writes one reminder, ``reminder_days`` before closing, to the addresses not
  flagged; then every address of the campaign is marked reminded in one update.
- ``purge``: the addresses (and the messages that carried them) are deleted once the campaign
  has been closed for ``addresses_kept_days``; an address that unsubscribed keeps only its
  opposition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.engine import Engine

from lib.access import Action, Actor, require
from lib.domain import clock
from lib.domain.errors import FieldError, NotFound, ServiceError, ValidationFailed
from lib.domain.inputs import REQUIRED, Checks
from lib.domain.mail import parse_addresses
from lib.i18n import LANGUAGES, translate
from lib.services import mail
from lib.services.smtp import MailSettings
from lib.services.unit_of_work import writing
from lib.store import feedback as feedback_store
from lib.store import outbox as store
from lib.store.activity import log_activity

MAX_ADDRESSES = 500
MAX_PASTED = 100_000  # characters
_CODE = re.compile(r"[A-Za-z0-9_-]{16,64}")
CODE_PARAM = "envoi"


class CampaignClosed(ServiceError):
    code = "mail.error.campaign_closed"


@dataclass(frozen=True)
class LinksSent:
    queued: int  # new addresses, each with its message
    already: int  # addresses this campaign's link was sent to before: not sent again
    opted_out: int  # addresses that unsubscribed: not written to
    duplicates: int  # repeated in the pasted list


def plausible_code(code: object) -> bool:
    return isinstance(code, str) and bool(_CODE.fullmatch(code))


def send_link(
    engine: Engine,
    actor: Actor | None,
    campaign_id: int,
    *,
    addresses: str,
    language: str,
    today: date | None = None,
) -> LinksSent:
    """Send the campaign's link to each pasted address. Any address that is not one refuses
    the whole list (nothing sent), naming each, so the person fixes it in the text they typed."""
    checks = Checks()
    checks.record_id("campaign_id", campaign_id)
    pasted = checks.text("addresses", addresses, required=True, max_length=MAX_PASTED)
    language = checks.one_of("language", language, LANGUAGES)
    checks.done()
    parsed = parse_addresses(pasted)
    if parsed.invalid:
        shown = ", ".join(parsed.invalid[:10]) + (" …" if len(parsed.invalid) > 10 else "")
        raise ValidationFailed(
            {
                "addresses": FieldError(
                    "mail.error.invalid_addresses", {"count": len(parsed.invalid), "shown": shown}
                )
            }
        )
    if not parsed.valid:
        raise ValidationFailed({"addresses": FieldError(REQUIRED)})
    if len(parsed.valid) > MAX_ADDRESSES:
        raise ValidationFailed(
            {"addresses": FieldError("mail.error.too_many_addresses", {"max": MAX_ADDRESSES})}
        )
    config = mail.settings()
    today = today or clock.today()

    with writing(engine) as conn:
        campaign = feedback_store.campaign_by_id(conn, campaign_id)
        if campaign is None:
            raise NotFound(campaign_id=campaign_id)
        require(actor, Action.MANAGE_CAMPAIGNS, campaign.territory_id)
        if campaign.closes_on < today:
            raise CampaignClosed()
        known = store.campaign_recipient_emails(conn, campaign_id)
        queued = opted_out = 0
        for email in parsed.valid:
            if email in known:
                continue
            code = store.insert_campaign_recipient(
                conn, campaign_id=campaign_id, email=email, language=language
            )
            written = mail.queue(
                conn,
                config,
                kind="campaign_link",
                to=email,
                language=language,
                params=_campaign_params(campaign, language, sender=actor.display_name or actor.email),
                action_url=mail.link(config, campagne=campaign.share_token, **{CODE_PARAM: code}),
                territory_id=campaign.territory_id,
                campaign_id=campaign_id,
                dedupe_key=f"campaign_link:{campaign_id}:{email}",
            )
            queued += written is not None
            opted_out += written is None
        log_activity(
            conn,
            person_id=actor.person_id,
            territory_id=campaign.territory_id,
            action="campaign.link_sent",
            subject_type="campaign",
            subject_id=campaign_id,
            details={"addresses": queued},  # how many, never which
        )
    mail.deliver_soon(engine)
    return LinksSent(
        queued=queued,
        already=len([e for e in parsed.valid if e in known]),
        opted_out=opted_out,
        duplicates=parsed.duplicates,
    )


def _campaign_params(campaign, language: str, **extra) -> dict:
    return {
        "title": campaign.title,
        "where": campaign.territory_name or translate("mail.campaign.network", language),
        "closes": mail.local_date(campaign.closes_on, language),
        "anonymous": translate("mail.campaign_link.anonymous", language) if campaign.anonymous else "",
        **extra,
    }


def remind(engine: Engine, config: MailSettings, today: date | None = None) -> int:
    """Write the one reminder of each campaign closing within ``reminder_days``; returns how many."""
    today = today or clock.today()
    written = 0
    with writing(engine) as conn:
        for campaign in store.campaigns_to_remind(conn, today, today + timedelta(days=config.reminder_days)):
            row = feedback_store.campaign_by_id(conn, campaign.id)
            days_left = (row.closes_on - today).days
            for recipient in store.recipients_to_remind(conn, campaign.id):
                written += (
                    mail.queue(
                        conn,
                        config,
                        kind="campaign_reminder",
                        to=recipient.email,
                        language=recipient.language,
                        params=_campaign_params(row, recipient.language, days=max(days_left, 1)),
                        action_url=mail.link(
                            config, campagne=row.share_token, **{CODE_PARAM: recipient.code}
                        ),
                        territory_id=row.territory_id,
                        campaign_id=row.id,
                        dedupe_key=f"campaign_reminder:{row.id}:{recipient.email}",
                    )
                    is not None
                )
            store.mark_campaign_reminded(conn, campaign.id)
    return written


def purge(engine: Engine, config: MailSettings, today: date | None = None) -> int:
    """Delete the addresses of campaigns closed more than ``addresses_kept_days`` ago."""
    today = today or clock.today()
    removed = 0
    with writing(engine) as conn:
        for campaign_id in store.campaigns_past_retention(
            conn, today - timedelta(days=config.addresses_kept_days)
        ):
            removed += store.purge_campaign_addresses(conn, campaign_id)
        removed += store.purge_unused_recipients(conn)
    return removed
