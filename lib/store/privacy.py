"""Personal data: what a person's export reads, what erasing them and the retention purge write.

The scrub walks every table of ``tables.metadata``: a table added later is covered without
being named here (its text and JSON columns are searched like the others').
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from lib.domain import privacy
from lib.store import tables

ERASED_ACTION = "person.erased"
ERASURE_REQUESTED_ACTION = "person.erasure_requested"
PURGE_ACTION = "privacy.purged"


def _rows(conn: Connection, query: sa.Select) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(query)]


# --- what a person may download about themselves ----------------------------------------------


def person_data(conn: Connection, person_id: int) -> dict[str, Any] | None:
    """Everything stored about one person, table by table (None: no such person)."""
    p = tables.person
    person = conn.execute(
        sa.select(p.c.id, p.c.email, p.c.display_name, p.c.last_login_at, p.c.created_at).where(
            p.c.id == person_id
        )
    ).first()
    if person is None:
        return None
    tr, m, ar, inv = tables.territory, tables.membership, tables.access_request, tables.invitation
    log, r, c = tables.activity_log, tables.response, tables.campaign
    responses = _rows(
        conn,
        sa.select(
            r.c.id, c.c.title.label("campaign"), r.c.respondent_role, r.c.status, r.c.document,
            r.c.created_at, r.c.submitted_at,
        )
        .join(c, c.c.id == r.c.campaign_id)
        .where(r.c.person_id == person_id)
        .order_by(r.c.id),
    )  # fmt: skip
    answers = tables.answer
    by_response: dict[int, list[dict[str, Any]]] = {}
    if responses:
        for row in conn.execute(
            sa.select(
                answers.c.response_id, answers.c.question_id, answers.c.numeric_value, answers.c.text_value
            )
            .where(answers.c.response_id.in_([x["id"] for x in responses]))
            .order_by(answers.c.response_id, answers.c.id)
        ):
            by_response.setdefault(row.response_id, []).append(
                {"question": row.question_id, "number": row.numeric_value, "text": row.text_value}
            )
    for response in responses:
        response["answers"] = by_response.get(response["id"], [])
    return {
        "profile": dict(person._mapping),
        "memberships": _rows(
            conn,
            sa.select(tr.c.name.label("territory"), m.c.role, m.c.created_at)
            .select_from(m.outerjoin(tr, tr.c.id == m.c.territory_id))
            .where(m.c.person_id == person_id)
            .order_by(m.c.id),
        ),
        "peer_contact_consent": _rows(
            conn,
            sa.select(tables.peer_contact_consent.c.agreed_at, tables.peer_contact_consent.c.public).where(
                tables.peer_contact_consent.c.person_id == person_id
            ),
        ),
        "invitations": _rows(
            conn,
            sa.select(
                tr.c.name.label("territory"),
                inv.c.role,
                inv.c.created_at,
                inv.c.expires_at,
                inv.c.accepted_at,
                inv.c.revoked_at,
            )
            .select_from(inv.outerjoin(tr, tr.c.id == inv.c.territory_id))
            .where(inv.c.email == person.email)
            .order_by(inv.c.id),
        ),
        "access_requests": _rows(
            conn,
            sa.select(
                tr.c.name.label("territory"), ar.c.message, ar.c.status, ar.c.created_at, ar.c.decided_at
            )
            .select_from(ar.outerjoin(tr, tr.c.id == ar.c.territory_id))
            .where(ar.c.person_id == person_id)
            .order_by(ar.c.id),
        ),
        "activity": _rows(
            conn,
            sa.select(
                log.c.occurred_at,
                log.c.action,
                tr.c.name.label("territory"),
                log.c.subject_type,
                log.c.subject_id,
                log.c.details,
            )
            .select_from(log.outerjoin(tr, tr.c.id == log.c.territory_id))
            .where(log.c.person_id == person_id)
            .order_by(log.c.occurred_at, log.c.id),
        ),
        "responses": responses,
        "milestones": _rows(
            conn,
            sa.select(
                tr.c.name.label("territory"),
                tables.milestone.c.occurred_on,
                tables.milestone.c.title,
                tables.milestone.c.story,
            )
            .join(tr, tr.c.id == tables.milestone.c.territory_id)
            .where(tables.milestone.c.created_by == person_id)
            .order_by(tables.milestone.c.id),
        ),
        "assessments": _rows(
            conn,
            sa.select(
                tr.c.name.label("territory"), tables.assessment.c.assessed_on, tables.assessment.c.status
            )
            .join(tr, tr.c.id == tables.assessment.c.territory_id)
            .where(tables.assessment.c.created_by == person_id)
            .order_by(tables.assessment.c.id),
        ),
        "mail_preferences": _rows(
            conn,
            sa.select(tables.mail_recipient.c.language, tables.mail_recipient.c.opted_out_at).where(
                tables.mail_recipient.c.email == person.email
            ),
        ),
        "mails_to_them": _rows(
            conn,
            sa.select(
                tables.outbox_message.c.kind,
                tables.outbox_message.c.subject,
                tables.outbox_message.c.status,
                tables.outbox_message.c.created_at,
                tables.outbox_message.c.sent_at,
            )
            .where(tables.outbox_message.c.recipient == person.email)
            .order_by(tables.outbox_message.c.id),
        ),
    }


# --- erasure ----------------------------------------------------------------------------------


def get_person(conn: Connection, person_id: int) -> Row | None:
    p = tables.person
    return conn.execute(sa.select(p.c.id, p.c.email, p.c.display_name).where(p.c.id == person_id)).first()


def _campaigns_touched(conn: Connection, person_id: int, needles: Iterable[str]) -> set[int]:
    """Campaigns whose figures or exports may show what the erasure changes: the person's own
    responses, and any response whose document or answers quote them."""
    r, a = tables.response, tables.answer
    quoted = [sa.cast(r.c.document, sa.Text).contains(_json_form(n), autoescape=True) for n in needles]
    quoted += [
        r.c.id.in_(sa.select(a.c.response_id).where(a.c.text_value.contains(n, autoescape=True)))
        for n in needles
    ]
    query = sa.select(r.c.campaign_id).where(sa.or_(r.c.person_id == person_id, *quoted)).distinct()
    return set(conn.execute(query).scalars())


def _json_form(text: str) -> str:
    """How ``text`` appears inside a stored JSON document (SQLAlchemy writes ``json.dumps``,
    which escapes every non-ASCII character on both databases)."""
    import json

    return json.dumps(text)[1:-1]


def erase_person(conn: Connection, person_id: int, email: str, display_name: str | None) -> set[int]:
    """Take the person's name and e-mail out of every table; their rows that count (memberships,
    logins, responses, contributions) stay, under a name that names nobody. Returns the
    campaigns whose cached results must be computed again."""
    needles = privacy.needles_for(email, display_name)
    campaigns = _campaigns_touched(conn, person_id, needles)
    # What only ever existed because of the address: invitations to it, the mail system's
    # record of it, the messages it received (their attempts go with them) and the campaign
    # links sent to it. An unsubscribed address goes too: the person asked to be forgotten.
    conn.execute(sa.delete(tables.invitation).where(tables.invitation.c.email == email))
    conn.execute(sa.delete(tables.campaign_recipient).where(tables.campaign_recipient.c.email == email))
    conn.execute(sa.delete(tables.mail_recipient).where(tables.mail_recipient.c.email == email))
    conn.execute(sa.delete(tables.outbox_message).where(tables.outbox_message.c.recipient == email))
    conn.execute(
        sa.delete(tables.peer_contact_consent).where(tables.peer_contact_consent.c.person_id == person_id)
    )
    # What they wrote about themselves to ask for access may name them in any way.
    conn.execute(
        sa.update(tables.access_request)
        .where(tables.access_request.c.person_id == person_id)
        .values(message=None)
    )
    # Their responses stay (every figure counts them), without the name they typed.
    for row in conn.execute(
        sa.select(tables.response.c.id, tables.response.c.document).where(
            tables.response.c.person_id == person_id
        )
    ).all():
        document = dict(row.document or {})
        if document.pop("respondent_name", None) is not None:
            conn.execute(
                sa.update(tables.response).where(tables.response.c.id == row.id).values(document=document)
            )
    conn.execute(
        sa.update(tables.person)
        .where(tables.person.c.id == person_id)
        .values(email=privacy.erased_email(person_id), display_name=privacy.FORMER_MEMBER)
    )
    scrub(conn, needles)
    return campaigns


def scrub(conn: Connection, needles: dict[str, str]) -> int:
    """Replace each needle in every text and JSON column of every table; returns how many
    values changed. Text is replaced in SQL; JSON documents are read, walked and written back
    (only those whose stored text holds a needle)."""
    changed = 0
    for table in tables.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        for column in table.c:
            if isinstance(column.type, sa.JSON):
                found = sa.or_(
                    *(sa.cast(column, sa.Text).contains(_json_form(n), autoescape=True) for n in needles)
                )
                for row in conn.execute(sa.select(*key, column).where(found)).all():
                    where = [k == row._mapping[k.name] for k in key]
                    value = privacy.scrub_json(row._mapping[column.name], needles)
                    conn.execute(sa.update(table).where(*where).values({column.name: value}))
                    changed += 1
            elif isinstance(column.type, sa.String) and not isinstance(column.type, tables.UTCDateTime):
                for needle, stand_in in needles.items():
                    changed += conn.execute(
                        sa.update(table)
                        .where(column.contains(needle, autoescape=True))
                        .values({column.name: sa.func.replace(column, needle, stand_in)})
                    ).rowcount
    return changed


def erasure_requests(conn: Connection) -> list[Row]:
    """People who asked to be erased and are not yet: ``person_id, display_name, email,
    asked_at`` (their latest request), oldest first."""
    log, p = tables.activity_log, tables.person
    asked = sa.func.max(log.c.occurred_at).label("asked_at")
    query = (
        sa.select(p.c.id.label("person_id"), p.c.display_name, p.c.email, asked)
        .join(p, p.c.id == log.c.person_id)
        .where(log.c.action == ERASURE_REQUESTED_ACTION, ~p.c.email.endswith("@" + privacy.ERASED_DOMAIN))
        .group_by(p.c.id, p.c.display_name, p.c.email)
        .order_by(asked)
    )
    return list(conn.execute(query))


def people(conn: Connection) -> list[Row]:
    """``id, display_name, email`` of everyone not yet erased, for the coordinator's choice."""
    p = tables.person
    return list(
        conn.execute(
            sa.select(p.c.id, p.c.display_name, p.c.email)
            .where(~p.c.email.endswith("@" + privacy.ERASED_DOMAIN))
            .order_by(p.c.display_name, p.c.email)
        )
    )


# --- retention --------------------------------------------------------------------------------


def _named_past_retention(closed_before: date) -> list[sa.ColumnElement]:
    r, c = tables.response, tables.campaign
    return [
        r.c.campaign_id == c.c.id,
        c.c.anonymous.is_(False),
        c.c.closes_on < closed_before,
        sa.cast(r.c.document, sa.Text).contains('"respondent_name"'),
    ]


def names_to_purge(conn: Connection, closed_before: date) -> list[Row]:
    """``id, campaign_id, document`` of responses to named campaigns closed before that day
    which still hold the name their respondent typed."""
    r = tables.response
    query = sa.select(r.c.id, r.c.campaign_id, r.c.document).where(*_named_past_retention(closed_before))
    return [row for row in conn.execute(query) if (row.document or {}).get("respondent_name") is not None]


def drop_respondent_name(conn: Connection, response_id: int, document: dict[str, Any]) -> None:
    kept = {k: v for k, v in (document or {}).items() if k != "respondent_name"}
    conn.execute(sa.update(tables.response).where(tables.response.c.id == response_id).values(document=kept))


def _abandoned(saved_before: datetime) -> list[sa.ColumnElement]:
    r, c = tables.response, tables.campaign
    # A live workshop's participant who joined but never answered is a "draft" too; that row
    # is the record that they were in the room (counted by the workshop), not an answer left
    # half-way, and its code is no resume code: it stays.
    live = sa.select(c.c.id).where(c.c.kind == "live")
    return [r.c.status == "draft", r.c.updated_at < saved_before, r.c.campaign_id.not_in(live)]


def count_abandoned_drafts(conn: Connection, saved_before: datetime) -> int:
    return conn.execute(
        sa.select(sa.func.count()).select_from(tables.response).where(*_abandoned(saved_before))
    ).scalar_one()


def delete_abandoned_drafts(conn: Connection, saved_before: datetime) -> int:
    """Delete drafts last saved before that instant, with their resume codes and answers."""
    return conn.execute(sa.delete(tables.response).where(*_abandoned(saved_before))).rowcount
