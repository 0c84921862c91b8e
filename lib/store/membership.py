"""People, memberships, invitations and access requests: the SQL behind who may enter.

Every function takes an open connection so the service decides the transaction. A
membership, invitation or request with no territory is a network-wide one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from lib.domain.privacy import ERASED_DOMAIN
from lib.store import tables


def _same_territory(column: sa.Column, territory_id: int | None):
    # NULL never equals NULL in SQL: the network scope needs IS NULL.
    return column.is_(None) if territory_id is None else column == territory_id


# --- people -----------------------------------------------------------------------------------


def get_person(conn: Connection, person_id: int) -> Row | None:
    return conn.execute(sa.select(tables.person).where(tables.person.c.id == person_id)).first()


def get_person_by_email(conn: Connection, email: str) -> Row | None:
    return conn.execute(sa.select(tables.person).where(tables.person.c.email == email)).first()


def insert_person(conn: Connection, *, email: str, display_name: str | None) -> int:
    return conn.execute(
        sa.insert(tables.person).values(email=email, display_name=display_name).returning(tables.person.c.id)
    ).scalar_one()


def record_login(conn: Connection, person_id: int, *, display_name: str | None, when: datetime) -> None:
    values: dict = {"last_login_at": when}
    if display_name:
        values["display_name"] = display_name
    conn.execute(sa.update(tables.person).where(tables.person.c.id == person_id).values(**values))


def demo_people(conn: Connection) -> list[Row]:
    """Demo people, each once per membership (or once with no role), by id then territory name."""
    query = (
        sa.select(
            tables.person.c.id,
            tables.person.c.display_name,
            tables.person.c.email,
            tables.membership.c.role,
            tables.territory.c.name.label("territory_name"),
        )
        .select_from(
            tables.person.outerjoin(
                tables.membership, tables.membership.c.person_id == tables.person.c.id
            ).outerjoin(tables.territory, tables.territory.c.id == tables.membership.c.territory_id)
        )
        .where(tables.person.c.is_demo.is_(True), ~tables.person.c.email.endswith("@" + ERASED_DOMAIN))
        .order_by(tables.person.c.id, tables.territory.c.name)
    )
    return list(conn.execute(query))


# --- memberships ------------------------------------------------------------------------------


def get_membership(conn: Connection, person_id: int, territory_id: int | None) -> Row | None:
    return conn.execute(
        sa.select(tables.membership).where(
            tables.membership.c.person_id == person_id,
            _same_territory(tables.membership.c.territory_id, territory_id),
        )
    ).first()


def memberships_of(conn: Connection, person_id: int) -> list[Row]:
    """Where this person holds a role (territory_id None: the network), and which."""
    query = sa.select(tables.membership.c.territory_id, tables.membership.c.role).where(
        tables.membership.c.person_id == person_id
    )
    return list(conn.execute(query))


def get_membership_by_id(conn: Connection, membership_id: int) -> Row | None:
    return conn.execute(sa.select(tables.membership).where(tables.membership.c.id == membership_id)).first()


def insert_membership(conn: Connection, *, person_id: int, territory_id: int | None, role: str) -> int:
    return conn.execute(
        sa.insert(tables.membership)
        .values(person_id=person_id, territory_id=territory_id, role=role)
        .returning(tables.membership.c.id)
    ).scalar_one()


def set_membership_role(conn: Connection, membership_id: int, role: str) -> None:
    conn.execute(
        sa.update(tables.membership).where(tables.membership.c.id == membership_id).values(role=role)
    )


def delete_membership(conn: Connection, membership_id: int) -> int:
    return conn.execute(sa.delete(tables.membership).where(tables.membership.c.id == membership_id)).rowcount


def list_members(conn: Connection, territory_id: int | None) -> list[Row]:
    query = (
        sa.select(
            tables.membership.c.id,
            tables.membership.c.person_id,
            tables.membership.c.territory_id,
            tables.membership.c.role,
            tables.membership.c.created_at,
            tables.person.c.email,
            tables.person.c.display_name,
            tables.person.c.last_login_at,
        )
        .join(tables.person, tables.person.c.id == tables.membership.c.person_id)
        .where(_same_territory(tables.membership.c.territory_id, territory_id))
        .order_by(tables.person.c.display_name, tables.person.c.email)
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
        sa.insert(tables.invitation)
        .values(
            email=email, territory_id=territory_id, role=role, invited_by=invited_by, expires_at=expires_at
        )
        .returning(tables.invitation.c.id)
    ).scalar_one()


def get_invitation(conn: Connection, invitation_id: int) -> Row | None:
    return conn.execute(sa.select(tables.invitation).where(tables.invitation.c.id == invitation_id)).first()


def _open_invitations(now: datetime):
    return sa.and_(
        tables.invitation.c.revoked_at.is_(None),
        tables.invitation.c.accepted_at.is_(None),
        tables.invitation.c.expires_at > now,
    )


def open_invitations_for(conn: Connection, email: str, now: datetime) -> list[Row]:
    """Invitations this email may still use: neither revoked, accepted nor expired."""
    query = (
        sa.select(tables.invitation)
        .where(tables.invitation.c.email == email, _open_invitations(now))
        .order_by(tables.invitation.c.created_at, tables.invitation.c.id)
    )
    return list(conn.execute(query))


def open_invitation_exists(conn: Connection, email: str, territory_id: int | None, now: datetime) -> bool:
    query = sa.select(sa.literal(1)).where(
        tables.invitation.c.email == email,
        _same_territory(tables.invitation.c.territory_id, territory_id),
        _open_invitations(now),
    )
    return conn.execute(query).first() is not None


def mark_invitation_accepted(conn: Connection, invitation_id: int, when: datetime) -> None:
    conn.execute(
        sa.update(tables.invitation).where(tables.invitation.c.id == invitation_id).values(accepted_at=when)
    )


def mark_invitation_revoked(conn: Connection, invitation_id: int, when: datetime) -> int:
    """Revoke only if still open; the row count tells whether it was."""
    return conn.execute(
        sa.update(tables.invitation)
        .where(
            tables.invitation.c.id == invitation_id,
            tables.invitation.c.revoked_at.is_(None),
            tables.invitation.c.accepted_at.is_(None),
        )
        .values(revoked_at=when)
    ).rowcount


def list_invitations(conn: Connection, territory_id: int | None) -> list[Row]:
    inviter = tables.person.alias("inviter")
    query = (
        sa.select(
            tables.invitation,
            inviter.c.display_name.label("invited_by_name"),
            inviter.c.email.label("invited_by_email"),
        )
        .select_from(tables.invitation.outerjoin(inviter, inviter.c.id == tables.invitation.c.invited_by))
        .where(_same_territory(tables.invitation.c.territory_id, territory_id))
        .order_by(tables.invitation.c.created_at.desc(), tables.invitation.c.id.desc())
    )
    return list(conn.execute(query))


# --- access requests --------------------------------------------------------------------------


def insert_access_request(conn: Connection, *, person_id: int, territory_id: int | None, message: str) -> int:
    return conn.execute(
        sa.insert(tables.access_request)
        .values(person_id=person_id, territory_id=territory_id, message=message, status="pending")
        .returning(tables.access_request.c.id)
    ).scalar_one()


def get_access_request(conn: Connection, request_id: int) -> Row | None:
    return conn.execute(
        sa.select(tables.access_request).where(tables.access_request.c.id == request_id)
    ).first()


def pending_request_exists(conn: Connection, person_id: int, territory_id: int | None) -> bool:
    query = sa.select(sa.literal(1)).where(
        tables.access_request.c.person_id == person_id,
        _same_territory(tables.access_request.c.territory_id, territory_id),
        tables.access_request.c.status == "pending",
    )
    return conn.execute(query).first() is not None


def decide_access_request(
    conn: Connection, request_id: int, *, status: str, decided_by: int, when: datetime
) -> int:
    """Decide only a request still pending; the row count tells whether it was."""
    return conn.execute(
        sa.update(tables.access_request)
        .where(tables.access_request.c.id == request_id, tables.access_request.c.status == "pending")
        .values(status=status, decided_by=decided_by, decided_at=when)
    ).rowcount


def _request_columns():
    return (
        sa.select(
            tables.access_request.c.id,
            tables.access_request.c.person_id,
            tables.access_request.c.territory_id,
            tables.access_request.c.message,
            tables.access_request.c.status,
            tables.access_request.c.created_at,
            tables.access_request.c.decided_at,
            tables.person.c.email,
            tables.person.c.display_name,
            tables.territory.c.name.label("territory_name"),
        )
        .select_from(
            tables.access_request.join(
                tables.person, tables.person.c.id == tables.access_request.c.person_id
            ).outerjoin(tables.territory, tables.territory.c.id == tables.access_request.c.territory_id)
        )
        .order_by(tables.access_request.c.created_at, tables.access_request.c.id)
    )


def _pending_scopes(territory_ids: Iterable[int] | None, include_network: bool) -> list:
    scopes = []
    if territory_ids is None:
        scopes.append(tables.access_request.c.territory_id.is_not(None))
    else:
        ids = list(territory_ids)
        if ids:
            scopes.append(tables.access_request.c.territory_id.in_(ids))
    if include_network:
        scopes.append(tables.access_request.c.territory_id.is_(None))
    return scopes


def list_pending_requests(
    conn: Connection,
    *,
    territory_ids: Iterable[int] | None,
    include_network: bool,
    limit: int | None = None,
    offset: int = 0,
) -> list[Row]:
    """Pending requests on these territories (None: every territory), and on the network if
    asked, the oldest first; ``limit`` of them from ``offset`` when paged."""
    scopes = _pending_scopes(territory_ids, include_network)
    if not scopes:
        return []
    query = _request_columns().where(tables.access_request.c.status == "pending", sa.or_(*scopes))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return list(conn.execute(query))


def count_pending_requests(
    conn: Connection, *, territory_ids: Iterable[int] | None, include_network: bool
) -> int:
    scopes = _pending_scopes(territory_ids, include_network)
    if not scopes:
        return 0
    query = sa.select(sa.func.count()).where(tables.access_request.c.status == "pending", sa.or_(*scopes))
    return int(conn.execute(query).scalar_one())


def list_requests_of(conn: Connection, person_id: int) -> list[Row]:
    return list(conn.execute(_request_columns().where(tables.access_request.c.person_id == person_id)))


# --- people across the network (Administration) -------------------------------------------------


def _member_of(territory_ids: Iterable[int]):
    return sa.exists().where(
        tables.membership.c.person_id == tables.person.c.id,
        tables.membership.c.territory_id.in_(list(territory_ids)),
    )


def search_people(
    conn: Connection, search: str, *, territory_ids: Iterable[int] | None = None, limit: int
) -> list[Row]:
    """People whose name or address contains ``search`` (any case), by name then address, at
    most ``limit``; with ``territory_ids``, only those holding a membership in one of them."""
    p = tables.person
    query = sa.select(p.c.id, p.c.email, p.c.display_name, p.c.last_login_at).order_by(
        p.c.display_name, p.c.email, p.c.id
    )
    if search:
        query = query.where(
            sa.or_(
                p.c.email.icontains(search, autoescape=True),
                p.c.display_name.icontains(search, autoescape=True),
            )
        )
    if territory_ids is not None:
        query = query.where(_member_of(territory_ids))
    return list(conn.execute(query.limit(limit)))


def memberships_of_people(
    conn: Connection, person_ids: Iterable[int], *, territory_ids: Iterable[int] | None = None
) -> list[Row]:
    """The memberships of these people with their territory's name (None: the network), by
    territory name; with ``territory_ids``, only those in these territories."""
    m, tr = tables.membership, tables.territory
    query = (
        sa.select(m.c.id, m.c.person_id, m.c.territory_id, m.c.role, tr.c.name.label("territory_name"))
        .select_from(m.outerjoin(tr, tr.c.id == m.c.territory_id))
        .where(m.c.person_id.in_(list(person_ids)))
        .order_by(m.c.person_id, m.c.territory_id.is_not(None), tr.c.name, m.c.id)
    )
    if territory_ids is not None:
        query = query.where(m.c.territory_id.in_(list(territory_ids)))
    return list(conn.execute(query))
