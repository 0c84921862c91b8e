"""People and their memberships across the network, for the Administration page (issue 10,
item 2): find a person, see where they hold which role, give them one more, change or take one.

Who sees whom (checked here, whatever the page shows):
- a coordinator finds anyone and sees every membership, the network's included;
- a territory admin finds only the people of the territories they administer, and sees only
  their memberships there: where else someone works is not that territory's business;
- a role is handed out, changed or taken back only where ``lib.access.grantable_roles`` allows,
  never on oneself; each change is written to the activity log in the same transaction
  (changing and taking back go through ``lib.services.membership``, as on the members' page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from lib.access import (
    Action,
    Actor,
    Role,
    can,
    require,
    require_anywhere,
    require_grantable,
    require_logged_in,
    require_other_person,
)
from lib.domain.errors import FieldError, NotFound, ValidationFailed
from lib.domain.inputs import REQUIRED, Checks
from lib.services.unit_of_work import reading, writing
from lib.store import membership as store
from lib.store import territories as territory_store
from lib.store.activity import log_activity

# A search shows at most this many people: a network has thousands; the name narrows it down.
PEOPLE_SHOWN = 50
SEARCH_MAX = 200


@dataclass(frozen=True)
class PersonMembership:
    membership_id: int
    territory_id: int | None  # None: the network (coordination)
    territory_name: str | None
    role: Role


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    display_name: str | None
    last_login_at: datetime | None
    memberships: tuple[PersonMembership, ...]


@dataclass(frozen=True)
class PeopleFound:
    people: list[Person]
    more: bool  # more people match than are shown: type more of the name


def _managed_territories(actor: Actor | None) -> list[int] | None:
    """The territories whose people this person may see (None: all, and the network)."""
    actor = require_anywhere(actor, Action.MANAGE_MEMBERS)
    if actor.is_coordinator:
        return None
    return [tid for tid in actor.territory_ids if can(actor, Action.MANAGE_MEMBERS, tid)]


def find_people(
    engine: Engine, actor: Actor | None, search: str = "", limit: int = PEOPLE_SHOWN
) -> PeopleFound:
    """People whose name or e-mail address contains ``search``, with the memberships this
    person may see, at most ``limit`` of them."""
    scope = _managed_territories(actor)
    checks = Checks()
    text = checks.text("search", search, max_length=SEARCH_MAX)
    checks.done()
    with reading(engine) as conn:
        rows = store.search_people(conn, text, territory_ids=scope, limit=limit + 1)
        shown = rows[:limit]
        held: dict[int, list[PersonMembership]] = {}
        for m in store.memberships_of_people(conn, [r.id for r in shown], territory_ids=scope):
            held.setdefault(m.person_id, []).append(
                PersonMembership(m.id, m.territory_id, m.territory_name, Role(m.role))
            )
    people = [
        Person(r.id, r.email, r.display_name, r.last_login_at, tuple(held.get(r.id, ()))) for r in shown
    ]
    return PeopleFound(people, more=len(rows) > limit)


def add_membership(
    engine: Engine, actor: Actor | None, *, person_id: Any, territory_id: Any, role: Any
) -> int:
    """Give ``person_id`` the role ``role`` on ``territory_id`` (None: the network, as
    coordinator); returns the membership's id. One membership per person and place: someone
    who already has one there gets their role changed instead."""
    actor = require_logged_in(actor)
    checks = Checks()
    person_id = checks.record_id("person_id", person_id)
    territory_id = checks.record_id("territory", territory_id, optional=True)
    if role is None or role == "":
        checks.fail("role", REQUIRED)
    checks.done()
    require(actor, Action.MANAGE_MEMBERS, territory_id)
    require_other_person(actor, person_id)
    try:
        granted = require_grantable(actor, territory_id, Role(role))
    except ValueError:
        raise ValidationFailed({"role": FieldError("error.invalid_value")}) from None
    with writing(engine) as conn:
        if store.get_person(conn, person_id) is None:
            raise NotFound(person_id=person_id)
        if territory_id is not None and not territory_store.territory_exists(conn, territory_id):
            raise NotFound(territory_id=territory_id)
        if store.get_membership(conn, person_id, territory_id) is not None:
            raise ValidationFailed({"territory": FieldError("auth.error.already_member")})
        membership_id = store.insert_membership(
            conn, person_id=person_id, territory_id=territory_id, role=granted
        )
        log_activity(
            conn,
            person_id=actor.person_id,
            territory_id=territory_id,
            action="membership.granted",
            subject_type="membership",
            subject_id=membership_id,
            details={"member_id": person_id, "role": granted.value},
        )
    return membership_id
