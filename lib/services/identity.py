"""Who is acting: a person and the rights they hold now.

A login is matched to a person by lower-cased email, and only when that email can be
trusted: the identity provider says it is verified (``email_verified``), or the provider
the person came through is configured as trusted (see ``docs/auth.md``). Rights are never
kept between reruns: ``load_actor`` reads them afresh each time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from lib import oidc
from lib.access import Actor, Membership, Role, stronger_role
from lib.domain import privacy
from lib.domain.errors import ServiceError, WriteFailed
from lib.domain.text import clean_text
from lib.services.unit_of_work import reading
from lib.store import membership as store
from lib.store import tables
from lib.store.activity import log_activity
from lib.store.db import transaction


class EmailMissing(ServiceError):
    """The identity provider sent no email address: nobody can be matched."""

    code = "auth.error.email_missing"


class EmailNotVerified(ServiceError):
    """The provider does not vouch for the email, and is not configured as trusted."""

    code = "auth.error.email_unverified"


class UserinfoNotVerified(ServiceError):
    """A ProConnect identity without the mark of a verified userinfo JWT (``lib/oidc.py``):
    its e-mail did not come through the check, so nobody is matched."""

    code = "auth.error.userinfo_unverified"


def load_actor(engine: Engine, person_id: int) -> Actor | None:
    """Read the person and their memberships afresh; None when the person is gone."""
    with reading(engine) as conn:
        return _actor(conn, store.get_person(conn, person_id))


def _actor(conn: Connection, person: Row | None) -> Actor | None:
    # An erased person acts no more: the memberships kept for the figures grant nothing.
    if person is None or privacy.is_erased(person.email):
        return None
    return Actor(
        person_id=person.id,
        email=person.email,
        display_name=person.display_name,
        memberships=tuple(
            Membership(territory_id=r.territory_id, role=Role(r.role))
            for r in store.memberships_of(conn, person.id)
        ),
    )


def list_demo_personas(engine: Engine) -> list[dict]:
    """Demo people with their main role, for the persona picker of demo mode only."""
    with reading(engine) as conn:
        rows = store.demo_people(conn)
    personas: dict[int, dict] = {}
    for r in rows:
        personas.setdefault(
            r.id,
            {
                "id": r.id,
                "display_name": r.display_name,
                "email": r.email,
                "role": r.role,
                "territory_name": r.territory_name,
            },
        )
    return list(personas.values())


def normalise_emails(emails: Iterable[str] | str | None) -> frozenset[str]:
    """Configuration lists of emails, as a list or one comma-separated string, lower-cased."""
    if emails is None:
        return frozenset()
    if isinstance(emails, str):
        emails = emails.split(",")
    return frozenset(e.strip().lower() for e in emails if e and e.strip())


def _is_true(value: Any) -> bool:
    # Some providers (older Keycloak mappers, Cognito) send the claim as the string "true".
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def verified_email(
    claims: Mapping[str, Any],
    trusted_providers: Iterable[str] = (),
    signed_userinfo_providers: Iterable[str] = (),
) -> str:
    """The lower-cased email of a login, or a refusal saying why it cannot be trusted.

    ``claims["provider"]`` is the name of the ``[auth.<name>]`` block the person logged in
    through. Streamlit writes it itself into the signed identity cookie, after the claims of
    the ID token, so an identity provider cannot forge it. For the providers in
    ``signed_userinfo_providers`` (ProConnect), the e-mail counts only when it came from a
    verified userinfo JWT.
    """
    provider = str(claims.get("provider") or "").strip().lower()
    signed = {p.strip().lower() for p in signed_userinfo_providers}
    if provider and provider in signed and claims.get(oidc.VERIFIED_MARK) != oidc.VERIFIED_VALUE:
        raise UserinfoNotVerified()
    email = clean_text(str(claims.get("email") or "")).strip().lower()
    if not email or "@" not in email:
        raise EmailMissing()
    if _is_true(claims.get("email_verified")):
        return email
    if provider and provider in {p.strip().lower() for p in trusted_providers}:
        return email
    raise EmailNotVerified(email=email)


def _display_name(claims: Mapping[str, Any]) -> str | None:
    name = clean_text(str(claims.get("name") or "")).strip()
    if not name:
        # ProConnect sends given_name and usual_name rather than name.
        parts = [claims.get("given_name"), claims.get("usual_name") or claims.get("family_name")]
        name = " ".join(clean_text(str(p)).strip() for p in parts if p and clean_text(str(p)).strip())
    return name[:200] or None


def actor_for_login(
    engine: Engine,
    claims: Mapping[str, Any],
    *,
    trusted_providers: Iterable[str] = (),
    signed_userinfo_providers: Iterable[str] = (),
) -> Actor | None:
    """The person this login belongs to, with their current rights; None if not yet known.

    Read-only: called on every rerun. Raises ``EmailMissing``, ``EmailNotVerified`` or
    ``UserinfoNotVerified``.
    """
    email = verified_email(claims, trusted_providers, signed_userinfo_providers)
    with reading(engine) as conn:
        return _actor(conn, store.get_person_by_email(conn, email))


def sign_in(
    engine: Engine,
    claims: Mapping[str, Any],
    *,
    trusted_providers: Iterable[str] = (),
    coordinators: Iterable[str] | str = (),
    signed_userinfo_providers: Iterable[str] = (),
) -> Actor:
    """Record a login: create the person if new, note the time, turn open invitations into
    memberships and give configured coordinators their network role. One transaction.

    Called once per browser session (and again after each new login). Raises
    ``EmailMissing``, ``EmailNotVerified`` or ``UserinfoNotVerified`` when the email cannot
    be trusted.
    """
    email = verified_email(claims, trusted_providers, signed_userinfo_providers)
    name = _display_name(claims)
    now = tables.utcnow()
    coordinator = email in normalise_emails(coordinators)
    try:
        person_id = _record_sign_in(engine, email, name, claims.get("provider"), coordinator, now)
    except IntegrityError:
        # Two tabs of a first login at the same instant: the other one created the person.
        try:
            person_id = _record_sign_in(engine, email, name, claims.get("provider"), coordinator, now)
        except SQLAlchemyError as exc:
            raise WriteFailed() from exc
    except SQLAlchemyError as exc:
        raise WriteFailed() from exc
    actor = load_actor(engine, person_id)
    assert actor is not None
    return actor


def _record_sign_in(engine: Engine, email: str, name: str | None, provider, coordinator: bool, now) -> int:
    with transaction(engine) as conn:
        person = store.get_person_by_email(conn, email)
        if person is None:
            person_id = store.insert_person(conn, email=email, display_name=name)
            log_activity(
                conn,
                person_id=person_id,
                territory_id=None,
                action="person.created",
                subject_type="person",
                subject_id=person_id,
                details={"email": email, "provider": provider},
            )
        else:
            person_id = person.id
        store.record_login(conn, person_id, display_name=name, when=now)
        log_activity(
            conn,
            person_id=person_id,
            territory_id=None,
            action="auth.login",
            subject_type="person",
            subject_id=person_id,
            details={"provider": provider},
        )
        if coordinator:
            _bootstrap_coordinator(conn, person_id, email)
        for invitation in store.open_invitations_for(conn, email, now):
            _accept_invitation(conn, person_id, invitation, now)
    return person_id


def _bootstrap_coordinator(conn, person_id: int, email: str) -> None:
    existing = store.get_membership(conn, person_id, None)
    if existing is not None and existing.role == Role.COORDINATOR:
        return
    if existing is None:
        membership_id = store.insert_membership(
            conn, person_id=person_id, territory_id=None, role=Role.COORDINATOR
        )
    else:
        membership_id = existing.id
        store.set_membership_role(conn, membership_id, Role.COORDINATOR)
    log_activity(
        conn,
        person_id=person_id,
        territory_id=None,
        action="membership.bootstrap_coordinator",
        subject_type="membership",
        subject_id=membership_id,
        details={"email": email, "role": Role.COORDINATOR.value, "source": "configuration"},
    )


def _accept_invitation(conn, person_id: int, invitation, now) -> None:
    existing = store.get_membership(conn, person_id, invitation.territory_id)
    invited_role = Role(invitation.role)
    if existing is None:
        membership_id = store.insert_membership(
            conn, person_id=person_id, territory_id=invitation.territory_id, role=invited_role
        )
        previous, granted = None, invited_role
    else:
        membership_id = existing.id
        previous = Role(existing.role)
        granted = stronger_role(previous, invited_role)
        if granted != previous:
            store.set_membership_role(conn, membership_id, granted)
    store.mark_invitation_accepted(conn, invitation.id, now)
    log_activity(
        conn,
        person_id=person_id,
        territory_id=invitation.territory_id,
        action="invitation.accepted",
        subject_type="invitation",
        subject_id=invitation.id,
        details={
            "email": invitation.email,
            "role": granted.value,
            "previous_role": previous.value if previous else None,
            "invited_by": invitation.invited_by,
            "membership_id": membership_id,
        },
    )
