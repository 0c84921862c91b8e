"""E-mail through an outbox that loses nothing (decision 0016).

Every message is written to ``outbox_message`` by the service whose action causes it, inside
that action's transaction (``queue``): if the action rolls back, so does its message; if it
commits, the message is there even when no SMTP server answers. ``send_due`` then sends what
is due — right after the action (``deliver_soon``, in the background) and from
``python -m lib.cli send-mail`` (cron or a systemd timer) — and records each attempt:

- a message is claimed by a conditional update before it is sent, so two senders (two app
  processes, a timer and a page) never both send it;
- a temporary failure (no answer, 4xx) puts it back in the queue with a growing delay
  (``lib.domain.mail.retry_delay``), at most ``MAX_ATTEMPTS`` times;
- a permanent refusal (5xx) marks it failed at once, shown on the outbox page;
- a claim that runs out (its sender stopped mid-way, perhaps after the server took the
  message) marks it failed rather than sending it a second time; a coordinator may requeue it.

Without ``[smtp]`` settings nothing is sent: messages wait, and coordinators read them on the
outbox page (demo mode).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.engine import Connection, Engine

from lib.access import Action, Actor, require
from lib.domain import clock, formats
from lib.domain.errors import NotFound, ServiceError
from lib.domain.inputs import Checks
from lib.domain.mail import (
    MAX_ATTEMPTS,
    Body,
    as_html,
    as_text,
    check_address,
    check_header,
    is_permanent,
    retry_delay,
)
from lib.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate
from lib.services.smtp import MailSettings, SmtpFailure, Transport, load_settings
from lib.services.unit_of_work import reading, writing
from lib.store import outbox as store
from lib.store.tables import OUTBOX_STATUSES, utcnow

# Messages nobody strictly needs: each carries a one-click unsubscribe link, honoured at once.
OPTIONAL_KINDS = frozenset({"campaign_link", "campaign_reminder", "digest"})
# How long a sender may hold a claimed message (SMTP timeouts are far shorter).
CLAIM_FOR = timedelta(minutes=10)
# The query parameter of the unsubscribe link (``app.py`` opens the unsubscribe page on it).
UNSUBSCRIBE_PARAM = "desabonnement"
OUTBOX_PAGE_SIZE = 200
# What an unsubscribe token looks like (``secrets.token_urlsafe(24)``); anything else is never
# sent to the database.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def settings() -> MailSettings:
    return load_settings()


def language_of(conn: Connection, email: str, fallback: str | None = None) -> str:
    """The language to write to ``email`` in: the one it is known by, else ``fallback``, else French."""
    row = store.recipient(conn, email)
    for candidate in (row.language if row else None, fallback):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE


def remember_language(conn: Connection, email: str, language: str | None) -> None:
    """The language this person uses the app in, for the messages they will receive."""
    if language in LANGUAGES:
        store.ensure_recipient(conn, email, language)


def link(config: MailSettings, **query: str) -> str:
    """An address in the app, from the configured base URL (never from the request's host)."""
    return config.base_url + (f"?{urlencode(query)}" if query else "")


def local_date(day: date | datetime, language: str) -> str:
    if isinstance(day, datetime):
        day = clock.local_day(day)
    return formats.day(day, language)


def queue(
    conn: Connection,
    config: MailSettings,
    *,
    kind: str,
    to: str,
    language: str,
    text_key: str | None = None,
    params: dict[str, Any] | None = None,
    action_url: str | None = None,
    quote: str | None = None,
    territory_id: int | None = None,
    campaign_id: int | None = None,
    dedupe_key: str | None = None,
) -> int | None:
    """Write one message to the outbox, in the caller's transaction. Returns its id, or None
    when nothing is written: an optional message to someone who unsubscribed, or a message
    already queued under ``dedupe_key``. Refuses (``HeaderRefused``) a recipient or a subject
    holding a line break."""
    to = check_address("recipient", to)
    text_key = text_key or kind
    params = {"network": config.network_name, **(params or {})}
    unsubscribe_url = None
    footer = [translate("mail.footer.sent_by", language, network=config.network_name)]
    if kind in OPTIONAL_KINDS:
        row = store.ensure_recipient(conn, to)
        if row.opted_out_at is not None:
            return None
        unsubscribe_url = link(config, **{UNSUBSCRIBE_PARAM: row.unsubscribe_token})
        footer.append(translate("mail.footer.unsubscribe", language, url=unsubscribe_url))
    else:
        footer.append(translate("mail.footer.necessary", language))
    subject = check_header("subject", translate(f"mail.{text_key}.subject", language, **params))
    body = Body(
        greeting=translate("mail.greeting", language),
        paragraphs=tuple(translate(f"mail.{text_key}.body", language, **params).split("\n\n"))
        + ((translate("mail.quote_intro", language),) if quote else ()),
        quote=quote or None,
        action_label=translate(f"mail.{text_key}.action", language) if action_url else None,
        action_url=action_url,
        closing=translate("mail.closing", language, network=config.network_name),
        footer=tuple(footer),
    )
    return store.insert_message(
        conn,
        kind=kind,
        recipient=to,
        language=language,
        subject=subject,
        body_text=as_text(body),
        body_html=as_html(body, language),
        unsubscribe_url=unsubscribe_url,
        territory_id=territory_id,
        campaign_id=campaign_id,
        dedupe_key=dedupe_key,
        next_attempt_at=utcnow(),
    )


# --- sending ---------------------------------------------------------------------------------


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    refused: int = 0
    interrupted: int = 0
    configured: bool = True
    errors: list[str] = field(default_factory=list)


def email_message(row: Any, config: MailSettings) -> EmailMessage:
    """The message as the server receives it; headers checked once more (a row written by
    other means cannot smuggle a header in)."""
    smtp = config.smtp
    assert smtp is not None
    message = EmailMessage()
    message["From"] = formataddr((config.network_name, smtp.sender))
    message["To"] = check_address("recipient", row.recipient)
    if smtp.reply_to:
        message["Reply-To"] = smtp.reply_to
    message["Subject"] = check_header("subject", row.subject)
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(f"parcours.{row.id}", domain=smtp.sender.rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"
    if row.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{check_header('unsubscribe_url', row.unsubscribe_url)}>"
    message.set_content(row.body_text)
    message.add_alternative(row.body_html, subtype="html")
    message["Content-Language"] = row.language  # after the bodies: set_content clears Content-*
    return message


def _interrupt_expired(engine: Engine, now: datetime, report: SendReport) -> None:
    with writing(engine) as conn:
        for message_id in store.expired_claims(conn, now):
            error = "interrupted: the sender stopped while sending; it may or may not have been delivered"
            if store.fail_interrupted(conn, message_id, when=now, error=error):
                store.record_attempt(conn, message_id, when=now, outcome="interrupted", detail=error)
                report.interrupted += 1


def send_due(
    engine: Engine, config: MailSettings | None = None, *, now: datetime | None = None, limit: int = 200
) -> SendReport:
    """Send every message due at ``now``; safe to run from several processes at once."""
    config = config or settings()
    now = now or utcnow()
    report = SendReport(configured=config.smtp is not None)
    _interrupt_expired(engine, now, report)
    if config.smtp is None:
        return report
    with reading(engine) as conn:
        due = store.due_ids(conn, now, limit)
    transport = Transport(config.smtp)
    try:
        for message_id in due:
            with writing(engine) as conn:
                row = store.claim(conn, message_id, now=now, until=now + CLAIM_FOR)
            if row is None:
                continue  # another sender has it, or sent it already
            if not _send_one(engine, transport, row, config, now, report):
                break  # the server does not answer: the others wait for the next pass
    finally:
        transport.close()
    return report


def _send_one(
    engine: Engine, transport: Transport, row: Any, config: MailSettings, now: datetime, report: SendReport
) -> bool:
    """Send one claimed message and record the outcome; False when the server is unreachable."""
    code: int | None = None
    try:
        transport.send(email_message(row, config))
    except ServiceError as exc:  # a header refused: never sendable as it is
        outcome, detail, code = "refused", translate(exc.code, "en"), None
    except (ValueError, TypeError) as exc:  # the email package refused a header
        outcome, detail = "refused", f"{type(exc).__name__}: {exc}"[:500]
    except SmtpFailure as failure:
        code, detail = failure.code, str(failure)
        outcome = "refused" if is_permanent(code) else "retry"
    else:
        outcome, detail = "sent", None
    attempts = row.attempts + 1
    if outcome == "retry" and attempts >= MAX_ATTEMPTS:
        outcome = "refused"
        detail = f"gave up after {attempts} attempts: {detail}"
    with writing(engine) as conn:
        store.record_attempt(conn, row.id, when=now, outcome=outcome, smtp_code=code, detail=detail)
        if outcome == "sent":
            store.finish(conn, row.id, row.claim_token, status="sent", sent_at=now, last_error=None)
        elif outcome == "retry":
            store.finish(
                conn,
                row.id,
                row.claim_token,
                status="pending",
                next_attempt_at=now + retry_delay(attempts),
                last_error=detail,
            )
        else:
            store.finish(conn, row.id, row.claim_token, status="failed", last_error=detail)
    report.sent += outcome == "sent"
    report.retried += outcome == "retry"
    report.refused += outcome == "refused"
    if detail:
        report.errors.append(f"#{row.id}: {detail}")
    return not (outcome == "retry" and code is None)


_background: list[threading.Thread] = []
_log = logging.getLogger(__name__)


def deliver_soon(engine: Engine) -> None:
    """Try to send what is due now, without making the person wait: a background pass.

    Called by services after their transaction committed. Whatever it cannot send stays
    in the outbox for ``send-mail``; a failure here is recorded, never raised to the page."""
    try:
        config = settings()
    except ValueError:
        return  # wrong settings: ``send-mail`` says so; the action itself succeeded
    if config.smtp is None:
        return

    def run() -> None:
        try:
            send_due(engine, config)
        except ServiceError:
            pass  # the database did not answer: the messages wait for the next pass
        except Exception:  # a thread has nobody to tell: the log says it, the messages wait
            _log.exception("background mail pass failed; the messages wait for send-mail")

    thread = threading.Thread(target=run, name="parcours-mail", daemon=True)
    _background[:] = [t for t in _background if t.is_alive()] + [thread]
    thread.start()


def wait_for_background(timeout: float = 30.0) -> None:
    """Let the background passes finish (tests, and the command line before it exits)."""
    for thread in list(_background):
        thread.join(timeout)


# --- the outbox page (coordinators) ------------------------------------------------------------


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    kind: str
    recipient: str
    language: str
    subject: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime
    body_text: str


@dataclass(frozen=True)
class Attempt:
    attempted_at: datetime
    outcome: str
    smtp_code: int | None
    detail: str | None


@dataclass(frozen=True)
class Outbox:
    sending_configured: bool
    counts: dict[str, int]
    messages: list[OutboxMessage]


def _message(row: Any) -> OutboxMessage:
    return OutboxMessage(
        id=row.id,
        kind=row.kind,
        recipient=row.recipient,
        language=row.language,
        subject=row.subject,
        status=row.status,
        attempts=row.attempts,
        last_error=row.last_error,
        created_at=row.created_at,
        sent_at=row.sent_at,
        next_attempt_at=row.next_attempt_at,
        body_text=row.body_text,
    )


def outbox(engine: Engine, actor: Actor | None, statuses: Iterable[str] | None = None) -> Outbox:
    """The newest messages, for coordinators: what waits, what was sent, what failed and why."""
    require(actor, Action.MANAGE_NETWORK)
    checks = Checks()
    wanted = [checks.one_of("status", s, OUTBOX_STATUSES) for s in (statuses or [])]
    checks.done()
    try:
        configured = settings().smtp is not None
    except ValueError:
        configured = False
    with reading(engine) as conn:
        rows = store.list_messages(conn, statuses=wanted or None, limit=OUTBOX_PAGE_SIZE)
        counts = store.count_by_status(conn)
    return Outbox(configured, counts, [_message(r) for r in rows])


def attempts(engine: Engine, actor: Actor | None, message_id: int) -> list[Attempt]:
    require(actor, Action.MANAGE_NETWORK)
    checks = Checks()
    checks.record_id("message_id", message_id)
    checks.done()
    with reading(engine) as conn:
        return [
            Attempt(r.attempted_at, r.outcome, r.smtp_code, r.detail)
            for r in store.attempts_of(conn, message_id)
        ]


def requeue(engine: Engine, actor: Actor | None, message_id: int) -> None:
    """A failed message goes back in the queue (the address was corrected, the server fixed)."""
    require(actor, Action.MANAGE_NETWORK)
    checks = Checks()
    checks.record_id("message_id", message_id)
    checks.done()
    with writing(engine) as conn:
        if store.get_message(conn, message_id) is None:
            raise NotFound(message_id=message_id)
        if not store.requeue(conn, message_id, utcnow()):
            raise ServiceError("mail.error.not_failed")
    deliver_soon(engine)


# --- unsubscribe -----------------------------------------------------------------------------


def unsubscribe(engine: Engine, token: str | None) -> bool:
    """One click from a message: no more optional messages to that address, from now on.
    The token is the permission; an unknown one changes nothing."""
    if (
        not isinstance(token, str)
        or not 16 <= len(token) <= 64
        or not token.replace("-", "").replace("_", "").isalnum()
    ):
        return False
    with writing(engine) as conn:
        return store.opt_out(conn, token, utcnow()) is not None


# --- the messages of membership: invitations and access requests ------------------------------


def _scope(conn: Connection, territory_id: int | None, language: str) -> str:
    if territory_id is None:
        return translate("mail.scope.network", language)
    return store.territory_name(conn, territory_id) or translate("mail.scope.network", language)


def tell_invited(
    conn: Connection,
    *,
    invitation_id: int,
    email: str,
    territory_id: int | None,
    role: str,
    inviter: Actor,
    expires_at: datetime,
    language: str | None,
) -> int | None:
    """The invitation, to the invited address, in the language the inviter chose (or the one
    that address is known by)."""
    config = settings()
    language = language if language in LANGUAGES else language_of(conn, email)
    remember_language(conn, email, language)
    return queue(
        conn,
        config,
        kind="invitation",
        to=email,
        language=language,
        params={
            "inviter": inviter.display_name or inviter.email,
            "scope": _scope(conn, territory_id, language),
            "role": translate(f"role.{role}", language),
            "email": email,
            "expires": local_date(expires_at, language),
        },
        action_url=link(config),
        territory_id=territory_id,
        dedupe_key=f"invitation:{invitation_id}",
    )


def tell_request_received(
    conn: Connection, *, request_id: int, requester: Actor, territory_id: int | None, message: str | None
) -> list[int]:
    """A new access request, to each person who may decide it: the territory's admins (the
    coordinators when it has none, or for the network)."""
    config = settings()
    recipients = store.member_emails(conn, territory_id, "territory_admin") if territory_id else []
    recipients = recipients or store.member_emails(conn, None, "coordinator")
    queued = []
    for email in recipients:
        language = language_of(conn, email)
        queued.append(
            queue(
                conn,
                config,
                kind="access_request_received",
                to=email,
                language=language,
                params={
                    "who": requester.display_name or requester.email,
                    "email": requester.email,
                    "scope": _scope(conn, territory_id, language),
                },
                quote=message,
                action_url=link(config),
                territory_id=territory_id,
                dedupe_key=f"access_request_received:{request_id}:{email}",
            )
        )
    return [q for q in queued if q is not None]


def tell_request_decided(
    conn: Connection,
    *,
    request_id: int,
    email: str,
    territory_id: int | None,
    accepted: bool,
    role: str | None,
) -> int | None:
    """The decision, to the person who asked, in the language they asked in."""
    config = settings()
    language = language_of(conn, email)
    text_key = "access_request_accepted" if accepted else "access_request_refused"
    return queue(
        conn,
        config,
        kind="access_request_decided",
        text_key=text_key,
        to=email,
        language=language,
        params={
            "scope": _scope(conn, territory_id, language),
            "role": translate(f"role.{role}", language) if role else "",
        },
        action_url=link(config),
        territory_id=territory_id,
        dedupe_key=f"access_request_decided:{request_id}",
    )


def waiting(engine: Engine) -> int:
    """How many messages wait to be sent (for the command line's report)."""
    with reading(engine) as conn:
        counts = store.count_by_status(conn)
    return counts.get("pending", 0) + counts.get("sending", 0)
