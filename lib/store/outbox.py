"""The outbox and the mail tables: the SQL behind ``lib.services.mail``.

Writers take the caller's connection, so a message is written in the transaction of the
action that causes it and rolls back with it. A sender claims a message with one conditional
UPDATE (``claim``): whichever sender's update changes the row owns it; the other's changes
nothing and moves on.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from lib.store import tables

_msg = tables.outbox_message


def insert_message(conn: Connection, **values: Any) -> int | None:
    """Write one message; None when a message with the same ``dedupe_key`` exists already."""
    key = values.get("dedupe_key")
    if key is not None:
        exists = conn.execute(sa.select(_msg.c.id).where(_msg.c.dedupe_key == key)).first()
        if exists is not None:
            return None
    return conn.execute(
        sa.insert(_msg).values(status="pending", attempts=0, **values).returning(_msg.c.id)
    ).scalar_one()


def due_ids(conn: Connection, now: datetime, limit: int) -> list[int]:
    """Messages to try now: pending, and due."""
    query = (
        sa.select(_msg.c.id)
        .where(_msg.c.status == "pending", _msg.c.next_attempt_at <= now)
        .order_by(_msg.c.next_attempt_at, _msg.c.id)
        .limit(limit)
    )
    return list(conn.execute(query).scalars())


def expired_claims(conn: Connection, now: datetime) -> list[int]:
    """Messages a sender claimed and never finished: it stopped (crash, restart) mid-way."""
    query = sa.select(_msg.c.id).where(_msg.c.status == "sending", _msg.c.claimed_until < now)
    return list(conn.execute(query).scalars())


def claim(conn: Connection, message_id: int, *, now: datetime, until: datetime) -> Row | None:
    """Take ``message_id`` for this sender until ``until``; None when another sender has it
    (or it was sent meanwhile). The row as claimed, with the claim token, otherwise."""
    token = secrets.token_hex(16)
    claimed = conn.execute(
        sa.update(_msg)
        .where(_msg.c.id == message_id, _msg.c.status == "pending", _msg.c.next_attempt_at <= now)
        .values(status="sending", claim_token=token, claimed_until=until)
    ).rowcount
    if not claimed:
        return None
    return conn.execute(sa.select(_msg).where(_msg.c.id == message_id)).first()


def _owned(message_id: int, token: str):
    return sa.and_(_msg.c.id == message_id, _msg.c.claim_token == token, _msg.c.status == "sending")


def record_attempt(
    conn: Connection,
    message_id: int,
    *,
    when: datetime,
    outcome: str,
    smtp_code: int | None = None,
    detail: str | None = None,
) -> None:
    conn.execute(
        sa.insert(tables.outbox_attempt).values(
            message_id=message_id, attempted_at=when, outcome=outcome, smtp_code=smtp_code, detail=detail
        )
    )


def finish(conn: Connection, message_id: int, token: str, **values: Any) -> bool:
    """Close this sender's claim with ``values`` (sent, back to pending, failed)."""
    return bool(
        conn.execute(
            sa.update(_msg)
            .where(_owned(message_id, token))
            .values(claim_token=None, claimed_until=None, attempts=_msg.c.attempts + 1, **values)
        ).rowcount
    )


def fail_interrupted(conn: Connection, message_id: int, *, when: datetime, error: str) -> bool:
    """A claim that ran out: its sender stopped mid-way, perhaps after the server took the
    message. Sending again could deliver it twice, so it is marked failed for a coordinator."""
    return bool(
        conn.execute(
            sa.update(_msg)
            .where(_msg.c.id == message_id, _msg.c.status == "sending", _msg.c.claimed_until < when)
            .values(status="failed", claim_token=None, claimed_until=None, last_error=error)
        ).rowcount
    )


def requeue(conn: Connection, message_id: int, now: datetime) -> bool:
    """A failed message back in the queue, at a coordinator's request."""
    return bool(
        conn.execute(
            sa.update(_msg)
            .where(_msg.c.id == message_id, _msg.c.status == "failed")
            .values(status="pending", next_attempt_at=now, last_error=None)
        ).rowcount
    )


def get_message(conn: Connection, message_id: int) -> Row | None:
    return conn.execute(sa.select(_msg).where(_msg.c.id == message_id)).first()


def list_messages(conn: Connection, *, statuses: Sequence[str] | None, limit: int) -> list[Row]:
    query = sa.select(_msg).order_by(_msg.c.created_at.desc(), _msg.c.id.desc()).limit(limit)
    if statuses:
        query = query.where(_msg.c.status.in_(list(statuses)))
    return list(conn.execute(query))


def count_by_status(conn: Connection) -> dict[str, int]:
    query = sa.select(_msg.c.status, sa.func.count()).group_by(_msg.c.status)
    return {status: int(n) for status, n in conn.execute(query)}


def attempts_of(conn: Connection, message_id: int) -> list[Row]:
    att = tables.outbox_attempt
    return list(
        conn.execute(
            sa.select(att).where(att.c.message_id == message_id).order_by(att.c.attempted_at, att.c.id)
        )
    )


# --- recipients: language and opt-out ------------------------------------------------------

_rcp = tables.mail_recipient


def recipient(conn: Connection, email: str) -> Row | None:
    return conn.execute(sa.select(_rcp).where(_rcp.c.email == email)).first()


def ensure_recipient(conn: Connection, email: str, language: str | None = None) -> Row:
    """The address's row, created with a fresh unsubscribe token when new; a known language
    is kept unless ``language`` says otherwise."""
    row = recipient(conn, email)
    if row is None:
        conn.execute(
            sa.insert(_rcp).values(
                email=email, language=language, unsubscribe_token=secrets.token_urlsafe(24)
            )
        )
    elif language and row.language != language:
        conn.execute(sa.update(_rcp).where(_rcp.c.email == email).values(language=language))
    return recipient(conn, email)


def opt_out(conn: Connection, token: str, when: datetime) -> Row | None:
    row = conn.execute(sa.select(_rcp).where(_rcp.c.unsubscribe_token == token)).first()
    if row is None:
        return None
    if row.opted_out_at is None:
        conn.execute(sa.update(_rcp).where(_rcp.c.email == row.email).values(opted_out_at=when))
    return recipient(conn, row.email)


def opted_out(conn: Connection, email: str) -> bool:
    row = recipient(conn, email)
    return row is not None and row.opted_out_at is not None


def languages_of(conn: Connection, emails: Sequence[str]) -> dict[str, str]:
    if not emails:
        return {}
    query = sa.select(_rcp.c.email, _rcp.c.language).where(
        _rcp.c.email.in_(list(emails)), _rcp.c.language.is_not(None)
    )
    return dict(conn.execute(query).all())


def member_emails(conn: Connection, territory_id: int | None, role: str) -> list[str]:
    """Addresses of the people holding ``role`` on ``territory_id`` (None: network-wide)."""
    m = tables.membership
    where = m.c.territory_id.is_(None) if territory_id is None else m.c.territory_id == territory_id
    query = (
        sa.select(tables.person.c.email)
        .join(m, m.c.person_id == tables.person.c.id)
        .where(where, m.c.role == role)
        .order_by(tables.person.c.email)
    )
    return list(conn.execute(query).scalars())


def territory_name(conn: Connection, territory_id: int) -> str | None:
    return conn.execute(
        sa.select(tables.territory.c.name).where(tables.territory.c.id == territory_id)
    ).scalar_one_or_none()


# --- a campaign's pasted addresses -----------------------------------------------------------

_cr = tables.campaign_recipient


def campaign_recipient_emails(conn: Connection, campaign_id: int) -> set[str]:
    return set(conn.execute(sa.select(_cr.c.email).where(_cr.c.campaign_id == campaign_id)).scalars())


def insert_campaign_recipient(conn: Connection, *, campaign_id: int, email: str, language: str) -> str:
    """The address, with the code of its personal link; returns the code."""
    code = secrets.token_urlsafe(24)
    conn.execute(
        sa.insert(_cr).values(
            campaign_id=campaign_id, email=email, language=language, code=code, answered=False, reminded=False
        )
    )
    return code


def mark_answered(conn: Connection, campaign_id: int, code: str) -> None:
    """A bare flag: no time, no response id (decision 0016)."""
    conn.execute(
        sa.update(_cr).where(_cr.c.campaign_id == campaign_id, _cr.c.code == code).values(answered=True)
    )


def campaigns_to_remind(conn: Connection, first_day, last_day) -> list[Row]:
    """Open campaigns closing between ``first_day`` and ``last_day`` with addresses not yet reminded."""
    c = tables.campaign
    query = (
        sa.select(c.c.id, c.c.title, c.c.territory_id, c.c.closes_on, c.c.share_token, c.c.anonymous)
        .where(
            c.c.opens_on <= first_day,
            c.c.closes_on >= first_day,
            c.c.closes_on <= last_day,
            sa.exists().where(_cr.c.campaign_id == c.c.id, _cr.c.reminded.is_(False)),
        )
        .order_by(c.c.id)
    )
    return list(conn.execute(query))


def recipients_to_remind(conn: Connection, campaign_id: int) -> list[Row]:
    query = (
        sa.select(_cr.c.email, _cr.c.language, _cr.c.code)
        .where(_cr.c.campaign_id == campaign_id, _cr.c.answered.is_(False), _cr.c.reminded.is_(False))
        .order_by(_cr.c.id)
    )
    return list(conn.execute(query))


def mark_campaign_reminded(conn: Connection, campaign_id: int) -> None:
    """Every address of the campaign, answered or not, in one update: afterwards no row of the
    table carries anything written when a response was submitted."""
    conn.execute(sa.update(_cr).where(_cr.c.campaign_id == campaign_id).values(reminded=True))


def campaigns_past_retention(conn: Connection, closed_before) -> list[int]:
    c = tables.campaign
    query = sa.select(c.c.id).where(
        c.c.closes_on < closed_before,
        sa.or_(
            sa.exists().where(_cr.c.campaign_id == c.c.id),
            sa.exists().where(_msg.c.campaign_id == c.c.id),
        ),
    )
    return list(conn.execute(query).scalars())


def purge_campaign_addresses(conn: Connection, campaign_id: int) -> int:
    """Delete a campaign's addresses and the messages that carried them (their attempts go too)."""
    removed = conn.execute(sa.delete(_cr).where(_cr.c.campaign_id == campaign_id)).rowcount
    removed += conn.execute(sa.delete(_msg).where(_msg.c.campaign_id == campaign_id)).rowcount
    return removed


def purge_unused_recipients(conn: Connection) -> int:
    """Addresses known only through purged campaigns: gone, unless they opted out (an opposition
    is kept so that it goes on being honoured) or belong to a person of the app."""
    query = sa.delete(_rcp).where(
        _rcp.c.opted_out_at.is_(None),
        ~sa.exists().where(tables.person.c.email == _rcp.c.email),
        ~sa.exists().where(_cr.c.email == _rcp.c.email),
        ~sa.exists().where(_msg.c.recipient == _rcp.c.email),
    )
    return conn.execute(query).rowcount


def message_with_key_exists(conn: Connection, dedupe_key: str) -> bool:
    return conn.execute(sa.select(_msg.c.id).where(_msg.c.dedupe_key == dedupe_key)).first() is not None
