"""Bringing people in: invitations, access requests and memberships.

Rules (checked here, whatever the page shows):
- a coordinator invites anyone to any territory, or to the network as coordinator;
- a territory admin invites to their own territory only, never as coordinator
  (``lib.access.grantable_roles``);
- an invitation is by email, expires, can be revoked, and becomes a membership at the
  invitee's next login (``identity.sign_in``);
- a logged-in person asks for access to a territory or to the network; those who manage
  its members accept (with a role they may grant) or refuse;
- nobody changes their own rights;
- every change of rights writes an ``activity_log`` row in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection, Engine

from lib.access import (
    Action,
    Actor,
    Role,
    can,
    require,
    require_grantable,
    require_logged_in,
    require_other_person,
)
from lib.domain.errors import FieldError, NotFound, ServiceError, ValidationFailed
from lib.domain.inputs import INVALID, REQUIRED, Checks, is_whole
from lib.domain.mail import is_address
from lib.i18n import LANGUAGES
from lib.services import mail
from lib.services.unit_of_work import reading, writing
from lib.store import membership as store
from lib.store import tables
from lib.store import territories as territory_store
from lib.store.activity import log_activity

DEFAULT_INVITATION_DAYS = 14
MAX_INVITATION_DAYS = 90
MAX_MESSAGE_LENGTH = 2000


class AlreadyDecided(ServiceError):
    """Someone else accepted or refused this request in the meantime."""

    code = "auth.error.already_decided"


class InvitationClosed(ServiceError):
    """The invitation was already used or revoked."""

    code = "auth.error.invitation_closed"


@dataclass(frozen=True)
class Scope:
    """Where rights apply: one territory, or the network (``territory_id`` None)."""

    territory_id: int | None
    name: str | None  # the territory's name; None for the network


@dataclass(frozen=True)
class Member:
    membership_id: int
    person_id: int
    email: str
    display_name: str | None
    role: Role
    last_login_at: datetime | None


@dataclass(frozen=True)
class Invitation:
    id: int
    email: str
    territory_id: int | None
    role: Role
    invited_by: str | None
    created_at: datetime
    expires_at: datetime
    status: str  # pending, accepted, revoked, expired


@dataclass(frozen=True)
class AccessRequest:
    id: int
    person_id: int
    email: str
    display_name: str | None
    territory_id: int | None
    territory_name: str | None
    message: str | None
    status: str
    created_at: datetime


def _role(checks: Checks, role: Any) -> Role | None:
    if role is None or role == "":
        checks.fail("role", REQUIRED)
        return None
    try:
        return Role(role)
    except ValueError:
        checks.fail("role", INVALID)
        return None


def _require_grantable(actor: Actor, territory_id: int | None, role: Any) -> Role:
    checks = Checks()
    role = _role(checks, role)
    checks.done()
    return require_grantable(actor, territory_id, role)


def _checked_id(field: str, value: Any) -> int:
    checks = Checks()
    checks.record_id(field, value)
    checks.done()
    return value


def _check_territory(conn: Connection, territory_id: int | None) -> None:
    if territory_id is not None and not territory_store.territory_exists(conn, territory_id):
        raise NotFound(territory_id=territory_id)


# --- scopes -------------------------------------------------------------------------------------


def manageable_scopes(
    engine: Engine, actor: Actor | None, *, search: str = "", limit: int | None = None
) -> list[Scope]:
    """Where this person may manage members: the network and every territory for a
    coordinator, the territories they administer otherwise. ``search`` keeps the territories
    whose name contains it, ``limit`` at most that many of them (ids and names only)."""
    if actor is None:
        return []
    text = search.strip() if isinstance(search, str) else ""
    if actor.is_coordinator:
        with reading(engine) as conn:
            rows = territory_store.territory_names(conn, search=text, limit=limit)
        return [Scope(None, None)] + [Scope(r.id, r.name) for r in rows]
    ids = [tid for tid in actor.territory_ids if can(actor, Action.MANAGE_MEMBERS, tid)]
    if not ids:
        return []
    with reading(engine) as conn:
        rows = territory_store.territory_names(conn, ids, search=text, limit=limit)
    return [Scope(r.id, r.name) for r in rows]


def request_targets(engine: Engine, actor: Actor | None) -> list[Scope]:
    """What a logged-in person may ask to join: the network, then every territory by name.

    Only names are shown, never a territory's data, so a private territory stays private.
    """
    require_logged_in(actor)
    with reading(engine) as conn:
        rows = territory_store.territory_names(conn)  # ids and names only
    return [Scope(None, None)] + [Scope(r.id, r.name) for r in rows]


# --- members ------------------------------------------------------------------------------------


def list_members(engine: Engine, actor: Actor | None, territory_id: int | None) -> list[Member]:
    require(actor, Action.MANAGE_MEMBERS, territory_id)
    with reading(engine) as conn:
        rows = store.list_members(conn, territory_id)
    return [Member(r.id, r.person_id, r.email, r.display_name, Role(r.role), r.last_login_at) for r in rows]


def _membership_to_manage(conn: Connection, actor: Actor, membership_id: int):
    row = store.get_membership_by_id(conn, membership_id)
    if row is None:
        raise NotFound(membership_id=membership_id)
    require(actor, Action.MANAGE_MEMBERS, row.territory_id)
    require_other_person(actor, row.person_id)
    require_grantable(actor, row.territory_id, Role(row.role))
    return row


def change_role(engine: Engine, actor: Actor | None, membership_id: int, role: Role | str) -> None:
    actor = require_logged_in(actor)
    _checked_id("membership_id", membership_id)

    with writing(engine) as conn:
        row = _membership_to_manage(conn, actor, membership_id)
        new_role = _require_grantable(actor, row.territory_id, role)
        if new_role == row.role:
            return
        store.set_membership_role(conn, membership_id, new_role)
        log_activity(
            conn,
            person_id=actor.person_id,
            territory_id=row.territory_id,
            action="membership.role_changed",
            subject_type="membership",
            subject_id=membership_id,
            details={"member_id": row.person_id, "previous_role": row.role, "role": new_role.value},
        )


def revoke_membership(engine: Engine, actor: Actor | None, membership_id: int) -> None:
    """Remove someone's access; it is gone at their next click."""
    actor = require_logged_in(actor)
    _checked_id("membership_id", membership_id)

    with writing(engine) as conn:
        row = _membership_to_manage(conn, actor, membership_id)
        store.delete_membership(conn, membership_id)
        log_activity(
            conn,
            person_id=actor.person_id,
            territory_id=row.territory_id,
            action="membership.revoked",
            subject_type="membership",
            subject_id=membership_id,
            details={"member_id": row.person_id, "role": row.role},
        )


# --- invitations --------------------------------------------------------------------------------


def invitation_status(expires_at: datetime, revoked_at, accepted_at, now: datetime) -> str:
    if accepted_at is not None:
        return "accepted"
    if revoked_at is not None:
        return "revoked"
    return "expired" if expires_at <= now else "pending"


def invite(
    engine: Engine,
    actor: Actor | None,
    *,
    email: str,
    territory_id: int | None,
    role: Role | str | None,
    valid_days: int = DEFAULT_INVITATION_DAYS,
    language: str | None = None,
) -> int:
    """Invite someone by email; returns the invitation's id. The invitation e-mail (in
    ``language``, else the one the address is known by, else French) is written to the outbox
    in the same transaction, then sent."""
    actor = require(actor, Action.MANAGE_MEMBERS, territory_id)
    checks = Checks()
    territory_id = checks.record_id("territory_id", territory_id, optional=True)
    email = checks.text("email", email, required=True).lower()
    if email and not is_address(email):  # the rule of every address an e-mail goes to
        checks.fail("email", "auth.error.email_invalid")
    if not is_whole(valid_days) or not 1 <= valid_days <= MAX_INVITATION_DAYS:
        checks.fail("valid_days", "auth.error.valid_days", max=MAX_INVITATION_DAYS)
    role = _role(checks, role)
    if language is not None:
        language = checks.one_of("language", language, LANGUAGES)
    checks.done()
    granted = require_grantable(actor, territory_id, role)
    now = tables.utcnow()

    with writing(engine) as conn:
        _check_territory(conn, territory_id)
        person = store.get_person_by_email(conn, email)
        if person is not None and store.get_membership(conn, person.id, territory_id) is not None:
            raise ValidationFailed({"email": FieldError("auth.error.already_member")})
        if store.open_invitation_exists(conn, email, territory_id, now):
            raise ValidationFailed({"email": FieldError("auth.error.already_invited")})
        invitation_id = store.insert_invitation(
            conn,
            email=email,
            territory_id=territory_id,
            role=granted,
            invited_by=actor.person_id,
            expires_at=now + timedelta(days=valid_days),
        )
        log_activity(
            conn,
            person_id=actor.person_id,
            territory_id=territory_id,
            action="invitation.created",
            subject_type="invitation",
            subject_id=invitation_id,
            details={"email": email, "role": granted.value, "valid_days": valid_days},
        )
        mail.tell_invited(
            conn,
            invitation_id=invitation_id,
            email=email,
            territory_id=territory_id,
            role=granted.value,
            inviter=actor,
            expires_at=now + timedelta(days=valid_days),
            language=language,
        )
    mail.deliver_soon(engine)
    return invitation_id


def revoke_invitation(engine: Engine, actor: Actor | None, invitation_id: int) -> None:
    actor = require_logged_in(actor)
    _checked_id("invitation_id", invitation_id)
    now = tables.utcnow()

    with writing(engine) as conn:
        row = store.get_invitation(conn, invitation_id)
        if row is None:
            raise NotFound(invitation_id=invitation_id)
        require(actor, Action.MANAGE_MEMBERS, row.territory_id)
        if not store.mark_invitation_revoked(conn, invitation_id, now):
            raise InvitationClosed()
        log_activity(
            conn,
            person_id=actor.person_id,
            territory_id=row.territory_id,
            action="invitation.revoked",
            subject_type="invitation",
            subject_id=invitation_id,
            details={"email": row.email, "role": row.role},
        )


def list_invitations(engine: Engine, actor: Actor | None, territory_id: int | None) -> list[Invitation]:
    require(actor, Action.MANAGE_MEMBERS, territory_id)
    now = tables.utcnow()
    with reading(engine) as conn:
        rows = store.list_invitations(conn, territory_id)
    return [
        Invitation(
            id=r.id,
            email=r.email,
            territory_id=r.territory_id,
            role=Role(r.role),
            invited_by=r.invited_by_name or r.invited_by_email,
            created_at=r.created_at,
            expires_at=r.expires_at,
            status=invitation_status(r.expires_at, r.revoked_at, r.accepted_at, now),
        )
        for r in rows
    ]


# --- access requests ----------------------------------------------------------------------------


def _access_request(r) -> AccessRequest:
    return AccessRequest(
        id=r.id,
        person_id=r.person_id,
        email=r.email,
        display_name=r.display_name,
        territory_id=r.territory_id,
        territory_name=r.territory_name,
        message=r.message,
        status=r.status,
        created_at=r.created_at,
    )


def request_access(
    engine: Engine,
    actor: Actor | None,
    *,
    territory_id: int | None,
    message: str,
    language: str | None = None,
) -> int:
    """A logged-in person asks to join a territory (or the network); returns the request's id.

    Those who may decide are told by e-mail (same transaction); the answer will be written to
    the asker in ``language``, the one they asked in."""
    actor = require_logged_in(actor)
    checks = Checks()
    territory_id = checks.record_id("territory", territory_id, optional=True)
    message = checks.text("message", message, max_length=MAX_MESSAGE_LENGTH)
    if language is not None:
        language = checks.one_of("language", language, LANGUAGES)
    checks.done()
    if any(m.territory_id == territory_id for m in actor.memberships):
        raise ValidationFailed({"territory": FieldError("auth.error.already_member_self")})

    with writing(engine) as conn:
        _check_territory(conn, territory_id)
        if store.pending_request_exists(conn, actor.person_id, territory_id):
            raise ValidationFailed({"territory": FieldError("auth.error.already_requested")})
        request_id = store.insert_access_request(
            conn, person_id=actor.person_id, territory_id=territory_id, message=message
        )
        log_activity(
            conn,
            person_id=actor.person_id,
            territory_id=territory_id,
            action="access_request.created",
            subject_type="access_request",
            subject_id=request_id,
            details={"email": actor.email},
        )
        mail.remember_language(conn, actor.email, language)
        mail.tell_request_received(
            conn, request_id=request_id, requester=actor, territory_id=territory_id, message=message
        )
    mail.deliver_soon(engine)
    return request_id


def my_requests(engine: Engine, actor: Actor | None) -> list[AccessRequest]:
    actor = require_logged_in(actor)
    with reading(engine) as conn:
        return [_access_request(r) for r in store.list_requests_of(conn, actor.person_id)]


# A network's coordinators may have hundreds of requests waiting: they are shown a page at a time.
REQUESTS_PER_PAGE = 20


@dataclass(frozen=True)
class RequestsPage:
    requests: list[AccessRequest]
    total: int  # every pending request this person may decide
    page: int  # from 0; the last page when the one asked for is past it
    pages: int


def _decidable(actor: Actor) -> dict:
    """Which pending requests this person may decide: all for a coordinator, their territories'."""
    if actor.is_coordinator:
        return {"territory_ids": None, "include_network": True}
    ids = [tid for tid in actor.territory_ids if can(actor, Action.MANAGE_MEMBERS, tid)]
    return {"territory_ids": ids, "include_network": False}


def pending_requests(engine: Engine, actor: Actor | None) -> list[AccessRequest]:
    """Every request this person may decide, the oldest first."""
    if actor is None:
        return []
    with reading(engine) as conn:
        rows = store.list_pending_requests(conn, **_decidable(actor))
    return [_access_request(r) for r in rows]


def pending_requests_page(
    engine: Engine, actor: Actor | None, page: int = 0, per_page: int = REQUESTS_PER_PAGE
) -> RequestsPage:
    """One page of the requests this person may decide, the oldest first, and how many in all."""
    if actor is None:
        return RequestsPage([], 0, 0, 0)
    scope = _decidable(actor)
    with reading(engine) as conn:
        total = store.count_pending_requests(conn, **scope)
        pages = -(-total // per_page)
        page = min(max(int(page), 0), max(pages - 1, 0))
        rows = store.list_pending_requests(conn, **scope, limit=per_page, offset=page * per_page)
    return RequestsPage([_access_request(r) for r in rows], total, page, pages)


def decide_request(
    engine: Engine, actor: Actor | None, request_id: int, *, accept: bool, role: Role | str | None = None
) -> None:
    """Accept (granting ``role``) or refuse a pending request."""
    actor = require_logged_in(actor)
    checks = Checks()
    checks.record_id("request_id", request_id)
    checks.flag("accept", accept)
    checks.done()
    now = tables.utcnow()

    with writing(engine) as conn:
        row = store.get_access_request(conn, request_id)
        if row is None:
            raise NotFound(request_id=request_id)
        require(actor, Action.MANAGE_MEMBERS, row.territory_id)
        require_other_person(actor, row.person_id)
        details: dict = {"member_id": row.person_id}
        granted = _require_grantable(actor, row.territory_id, role) if accept else None
        if granted is not None and store.get_membership(conn, row.person_id, row.territory_id) is not None:
            raise ValidationFailed({"role": FieldError("auth.error.already_member")})
        status = "accepted" if accept else "refused"
        # Decide first: of two people clicking at once, only the first one grants anything.
        if not store.decide_access_request(
            conn, request_id, status=status, decided_by=actor.person_id, when=now
        ):
            raise AlreadyDecided()
        if granted is not None:
            details["membership_id"] = store.insert_membership(
                conn, person_id=row.person_id, territory_id=row.territory_id, role=granted
            )
            details["role"] = granted.value
        log_activity(
            conn,
            person_id=actor.person_id,
            territory_id=row.territory_id,
            action=f"access_request.{status}",
            subject_type="access_request",
            subject_id=request_id,
            details=details,
        )
        asker = store.get_person(conn, row.person_id)
        mail.tell_request_decided(
            conn,
            request_id=request_id,
            email=asker.email,
            territory_id=row.territory_id,
            accepted=accept,
            role=granted.value if granted is not None else None,
        )
    mail.deliver_soon(engine)
