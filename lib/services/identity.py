"""Who is acting: a person and the rights they hold now."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib.access import Actor, Membership, Role
from lib.store import tables as t


def load_actor(engine: Engine, person_id: int) -> Actor | None:
    """Read the person and their memberships afresh; None when the person is gone."""
    with engine.connect() as conn:
        person = conn.execute(sa.select(t.person).where(t.person.c.id == person_id)).first()
        if person is None:
            return None
        rows = conn.execute(
            sa.select(t.membership.c.territory_id, t.membership.c.role).where(
                t.membership.c.person_id == person_id
            )
        ).all()
    return Actor(
        person_id=person.id,
        email=person.email,
        display_name=person.display_name,
        memberships=tuple(Membership(territory_id=r.territory_id, role=Role(r.role)) for r in rows),
    )


def list_demo_personas(engine: Engine) -> list[dict]:
    """Demo people with their main role, for the persona picker of demo mode only."""
    query = (
        sa.select(
            t.person.c.id,
            t.person.c.display_name,
            t.person.c.email,
            t.membership.c.role,
            t.territory.c.name.label("territory_name"),
        )
        .select_from(
            t.person.join(t.membership, t.membership.c.person_id == t.person.c.id, isouter=True).join(
                t.territory, t.territory.c.id == t.membership.c.territory_id, isouter=True
            )
        )
        .where(t.person.c.is_demo.is_(True))
        .order_by(t.person.c.id, t.territory.c.name)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
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


def actor_for_login(engine: Engine, claims: dict) -> Actor | None:
    """The person matching a verified login, or None when the email cannot be trusted."""
    email = str(claims.get("email") or "").strip().lower()
    if not email or claims.get("email_verified") is False:
        return None
    with engine.connect() as conn:
        person_id = conn.execute(sa.select(t.person.c.id).where(t.person.c.email == email)).scalar()
    return load_actor(engine, person_id) if person_id is not None else None
