"""People, memberships, invitations and access requests: the SQL behind who may enter.

Every function takes an open connection so the service decides the transaction. A
membership, invitation or request with no territory is a network-wide one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from lib.store import tables as t


def _same_territory(column: sa.Column, territory_id: int | None):
    # NULL never equals NULL in SQL: the network scope needs IS NULL.
    return column.is_(None) if territory_id is None else column == territory_id


# --- people -----------------------------------------------------------------------------------


def get_person(conn: Connection, person_id: int) -> Row | None:
    return conn.execute(sa.select(t.person).where(t.person.c.id == person_id)).first()


def get_person_by_email(conn: Connection, email: str) -> Row | None:
    return conn.execute(sa.select(t.person).where(t.person.c.email == email)).first()


def insert_person(conn: Connection, *, email: str, display_name: str | None) -> int:
    return conn.execute(
        sa.insert(t.person).values(email=email, display_name=display_name).returning(t.person.c.id)
    ).scalar_one()


def record_login(conn: Connection, person_id: int, *, display_name: str | None, when: datetime) -> None:
    values: dict = {"last_login_at": when}
    if display_name:
        values["display_name"] = display_name
    conn.execute(sa.update(t.person).where(t.person.c.id == person_id).values(**values))


def demo_people(conn: Connection) -> list[Row]:
    """Demo people, each once per membership (or once with no role), by id then territory name."""
    query = (
        sa.select(
            t.person.c.id,
            t.person.c.display_name,
            t.person.c.email,
            t.membership.c.role,
            t.territory.c.name.label("territory_name"),
        )
        .select_from(
            t.person.outerjoin(t.membership, t.membership.c.person_id == t.person.c.id).outerjoin(
                t.territory, t.territory.c.id == t.membership.c.territory_id
            )
        )
        .where(t.person.c.is_demo.is_(True))
        .order_by(t.person.c.id, t.territory.c.name)
    )
    return list(conn.execute(query))


# --- memberships ------------------------------------------------------------------------------


def get_membership(conn: Connection, person_id: int, territory_id: int | None) -> Row | None:
    return conn.execute(
        sa.select(t.membership).where(
            t.membership.c.person_id == person_id,
            _same_territory(t.membership.c.territory_id, territory_id),
        )
    ).first()


def memberships_of(conn: Connection, person_id: int) -> list[Row]:
    """Where this person holds a role (territory_id None: the network), and which."""
    query = sa.select(t.membership.c.territory_id, t.membership.c.role).where(
        t.membership.c.person_id == person_id
    )
    return list(conn.execute(query))


def get_membership_by_id(conn: Connection, membership_id: int) -> Row | None:
    return conn.execute(sa.select(t.membership).where(t.membership.c.id == membership_id)).first()


def insert_membership(conn: Connection, *, person_id: int, territory_id: int | None, role: str) -> int:
    return conn.execute(
        sa.insert(t.membership)
        .values(person_id=person_id, territory_id=territory_id, role=role)
        .returning(t.membership.c.id)
    ).scalar_one()


def set_membership_role(conn: Connection, membership_id: int, role: str) -> None:
    conn.execute(sa.update(t.membership).where(t.membership.c.id == membership_id).values(role=role))


def delete_membership(conn: Connection, membership_id: int) -> int:
    return conn.execute(sa.delete(t.membership).where(t.membership.c.id == membership_id)).rowcount


def list_members(conn: Connection, territory_id: int | None) -> list[Row]:
    query = (
        sa.select(
            t.membership.c.id,
            t.membership.c.person_id,
            t.membership.c.territory_id,
            t.membership.c.role,
            t.membership.c.created_at,
            t.person.c.email,
            t.person.c.display_name,
            t.person.c.last_login_at,
        )
        .join(t.person, t.person.c.id == t.membership.c.person_id)
        .where(_same_territory(t.membership.c.territory_id, territory_id))
        .order_by(t.person.c.display_name, t.person.c.email)
    )
    return list(conn.execute(query))


# --- invitations ------------------------------------------------------------------------------


def insert_invitation(
    conn: Connection,
    *,
    email: str,
    territory_id: int | None,
    role: str,
    invited_by: int | None,
    expires_at: datetime,
) -> int:
    return conn.execute(
        sa.insert(t.invitation)
        .values(
            email=email, territory_id=territory_id, role=role, invited_by=invited_by, expires_at=expires_at
        )
        .returning(t.invitation.c.id)
    ).scalar_one()


def get_invitation(conn: Connection, invitation_id: int) -> Row | None:
    return conn.execute(sa.select(t.invitation).where(t.invitation.c.id == invitation_id)).first()


def _open_invitations(now: datetime):
    return sa.and_(
        t.invitation.c.revoked_at.is_(None),
        t.invitation.c.accepted_at.is_(None),
        t.invitation.c.expires_at > now,
    )


def open_invitations_for(conn: Connection, email: str, now: datetime) -> list[Row]:
    """Invitations this email may still use: neither revoked, accepted nor expired."""
    query = (
        sa.select(t.invitation)
        .where(t.invitation.c.email == email, _open_invitations(now))
        .order_by(t.invitation.c.created_at, t.invitation.c.id)
    )
    return list(conn.execute(query))


def open_invitation_exists(conn: Connection, email: str, territory_id: int | None, now: datetime) -> bool:
    query = sa.select(sa.literal(1)).where(
        t.invitation.c.email == email,
        _same_territory(t.invitation.c.territory_id, territory_id),
        _open_invitations(now),
    )
    return conn.execute(query).first() is not None


def mark_invitation_accepted(conn: Connection, invitation_id: int, when: datetime) -> None:
    conn.execute(sa.update(t.invitation).where(t.invitation.c.id == invitation_id).values(accepted_at=when))


def mark_invitation_revoked(conn: Connection, invitation_id: int, when: datetime) -> int:
    """Revoke only if still open; the row count tells whether it was."""
    return conn.execute(
        sa.update(t.invitation)
        .where(
            t.invitation.c.id == invitation_id,
            t.invitation.c.revoked_at.is_(None),
            t.invitation.c.accepted_at.is_(None),
        )
        .values(revoked_at=when)
    ).rowcount


def list_invitations(conn: Connection, territory_id: int | None) -> list[Row]:
    inviter = t.person.alias("inviter")
    query = (
        sa.select(
            t.invitation,
            inviter.c.display_name.label("invited_by_name"),
            inviter.c.email.label("invited_by_email"),
        )
        .select_from(t.invitation.outerjoin(inviter, inviter.c.id == t.invitation.c.invited_by))
        .where(_same_territory(t.invitation.c.territory_id, territory_id))
        .order_by(t.invitation.c.created_at.desc(), t.invitation.c.id.desc())
    )
    return list(conn.execute(query))


# --- access requests --------------------------------------------------------------------------


def insert_access_request(conn: Connection, *, person_id: int, territory_id: int | None, message: str) -> int:
    return conn.execute(
        sa.insert(t.access_request)
        .values(person_id=person_id, territory_id=territory_id, message=message, status="pending")
        .returning(t.access_request.c.id)
    ).scalar_one()


def get_access_request(conn: Connection, request_id: int) -> Row | None:
    return conn.execute(sa.select(t.access_request).where(t.access_request.c.id == request_id)).first()


def pending_request_exists(conn: Connection, person_id: int, territory_id: int | None) -> bool:
    query = sa.select(sa.literal(1)).where(
        t.access_request.c.person_id == person_id,
        _same_territory(t.access_request.c.territory_id, territory_id),
        t.access_request.c.status == "pending",
    )
    return conn.execute(query).first() is not None


def decide_access_request(
    conn: Connection, request_id: int, *, status: str, decided_by: int, when: datetime
) -> int:
    """Decide only a request still pending; the row count tells whether it was."""
    return conn.execute(
        sa.update(t.access_request)
        .where(t.access_request.c.id == request_id, t.access_request.c.status == "pending")
        .values(status=status, decided_by=decided_by, decided_at=when)
    ).rowcount


def _request_columns():
    return (
        sa.select(
            t.access_request.c.id,
            t.access_request.c.person_id,
            t.access_request.c.territory_id,
            t.access_request.c.message,
            t.access_request.c.status,
            t.access_request.c.created_at,
            t.access_request.c.decided_at,
            t.person.c.email,
            t.person.c.display_name,
            t.territory.c.name.label("territory_name"),
        )
        .select_from(
            t.access_request.join(t.person, t.person.c.id == t.access_request.c.person_id).outerjoin(
                t.territory, t.territory.c.id == t.access_request.c.territory_id
            )
        )
        .order_by(t.access_request.c.created_at, t.access_request.c.id)
    )


def list_pending_requests(
    conn: Connection, *, territory_ids: Iterable[int] | None, include_network: bool
) -> list[Row]:
    """Pending requests on these territories (None: every territory), and on the network if asked."""
    query = _request_columns().where(t.access_request.c.status == "pending")
    scopes = []
    if territory_ids is None:
        scopes.append(t.access_request.c.territory_id.is_not(None))
    else:
        ids = list(territory_ids)
        if ids:
            scopes.append(t.access_request.c.territory_id.in_(ids))
    if include_network:
        scopes.append(t.access_request.c.territory_id.is_(None))
    if not scopes:
        return []
    return list(conn.execute(query.where(sa.or_(*scopes))))


def list_requests_of(conn: Connection, person_id: int) -> list[Row]:
    return list(conn.execute(_request_columns().where(t.access_request.c.person_id == person_id)))
