"""Who may do what: the one permission check every service calls.

Rights come from memberships read afresh from the database on every rerun (see
``lib/services/identity.load_actor``), so a revoked membership is gone at the next click.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from lib.domain.errors import PermissionDenied


class Role(StrEnum):
    COORDINATOR = "coordinator"
    TERRITORY_ADMIN = "territory_admin"
    CONTRIBUTOR = "contributor"
    READER = "reader"


class Action(StrEnum):
    VIEW_TERRITORY = "view_territory"  # journey, assessments, milestones
    EDIT_JOURNEY = "edit_journey"  # record assessments, add or edit milestones
    ANSWER_FORM = "answer_form"  # answer a campaign as a logged-in member
    VIEW_RESULTS = "view_results"  # feedback results and their exports
    MANAGE_CAMPAIGNS = "manage_campaigns"  # open, edit and close campaigns
    MANAGE_MEMBERS = "manage_members"  # invite, revoke, answer access requests
    MANAGE_SHARING = "manage_sharing"  # choose what the territory shares with peers and the network
    MANAGE_TERRITORY = "manage_territory"  # a territory's details: name, codes, region, population
    VIEW_ACTIVITY = "view_activity"  # the activity journal of a territory
    VIEW_NETWORK = "view_network"  # engagement across every territory
    MANAGE_NETWORK = "manage_network"  # territories, peer groups, form templates


# Within a territory, each role may do what the roles below it may, and more.
_TERRITORY_RIGHTS: dict[Role, frozenset[Action]] = {
    Role.READER: frozenset({Action.VIEW_TERRITORY, Action.ANSWER_FORM, Action.VIEW_RESULTS}),
}
_TERRITORY_RIGHTS[Role.CONTRIBUTOR] = _TERRITORY_RIGHTS[Role.READER] | {Action.EDIT_JOURNEY}
_TERRITORY_RIGHTS[Role.TERRITORY_ADMIN] = _TERRITORY_RIGHTS[Role.CONTRIBUTOR] | {
    Action.MANAGE_CAMPAIGNS,
    Action.MANAGE_MEMBERS,
    Action.MANAGE_SHARING,
    Action.MANAGE_TERRITORY,
    Action.VIEW_ACTIVITY,
}

_NETWORK_ONLY = frozenset({Action.VIEW_NETWORK, Action.MANAGE_NETWORK})

# Strongest first. When two grants meet on one territory (an invitation accepted by someone
# who already has a membership there), the stronger role is kept: nobody is demoted by a welcome.
ROLE_ORDER: tuple[Role, ...] = (Role.COORDINATOR, Role.TERRITORY_ADMIN, Role.CONTRIBUTOR, Role.READER)


def stronger_role(a: Role, b: Role) -> Role:
    return a if ROLE_ORDER.index(Role(a)) <= ROLE_ORDER.index(Role(b)) else b


@dataclass(frozen=True)
class Membership:
    territory_id: int | None  # None: network-wide (coordinators)
    role: Role


@dataclass(frozen=True)
class Actor:
    """The person acting, with the rights they hold at this very rerun."""

    person_id: int
    email: str
    display_name: str | None = None
    memberships: tuple[Membership, ...] = ()

    @property
    def is_coordinator(self) -> bool:
        return any(m.territory_id is None and m.role == Role.COORDINATOR for m in self.memberships)

    def role_in(self, territory_id: int) -> Role | None:
        for m in self.memberships:
            if m.territory_id == territory_id:
                return m.role
        return None

    @property
    def territory_ids(self) -> tuple[int, ...]:
        return tuple(m.territory_id for m in self.memberships if m.territory_id is not None)


def can(actor: Actor | None, action: Action, territory_id: int | None = None) -> bool:
    """May ``actor`` do ``action`` on ``territory_id`` (None: the network as a whole)?"""
    if actor is None:
        return False
    if actor.is_coordinator:
        return True
    if action == Action.ANSWER_FORM and territory_id is None:
        # A network-wide campaign is addressed to every member of the network.
        return any(can(actor, action, tid) for tid in actor.territory_ids)
    if action in _NETWORK_ONLY or territory_id is None:
        return False
    role = actor.role_in(territory_id)
    return role is not None and action in _TERRITORY_RIGHTS.get(role, frozenset())


def can_anywhere(actor: Actor | None, action: Action) -> bool:
    """May ``actor`` do ``action`` on at least one territory (or the network)? For navigation."""
    if actor is None:
        return False
    return actor.is_coordinator or any(can(actor, action, tid) for tid in actor.territory_ids)


def require(actor: Actor | None, action: Action, territory_id: int | None = None) -> Actor:
    """Raise ``PermissionDenied`` unless allowed; returns the actor for convenience."""
    if not can(actor, action, territory_id):
        raise PermissionDenied(action=str(action), territory_id=territory_id)
    assert actor is not None
    return actor


def require_anywhere(actor: Actor | None, action: Action) -> Actor:
    """Raise ``PermissionDenied`` unless ``actor`` may do ``action`` somewhere: for what comes
    before a territory is chosen (the templates offered to open a campaign)."""
    if not can_anywhere(actor, action):
        raise PermissionDenied(action=str(action))
    assert actor is not None
    return actor


def require_logged_in(actor: Actor | None) -> Actor:
    """Raise ``PermissionDenied`` unless someone is logged in, whatever their rights: what a
    person asks for themselves (access to a territory, their own requests)."""
    if actor is None:
        raise PermissionDenied()
    return actor


def require_other_person(actor: Actor, person_id: int) -> None:
    """Nobody changes their own rights: raise when ``person_id`` is the actor."""
    if person_id == actor.person_id:
        raise PermissionDenied("auth.error.own_rights")


def require_peer_group(actor: Actor | None, territory_id: int | None, group_territory_ids) -> Actor:
    """Raise ``PermissionDenied`` unless ``actor`` may look at this peer group from
    ``territory_id``: coordinators any group, a member only a group their territory is in."""
    if actor is not None and actor.is_coordinator:
        return actor
    if territory_id not in group_territory_ids:
        raise PermissionDenied(action="read_peer_group", territory_id=territory_id)
    return require(actor, Action.VIEW_TERRITORY, territory_id)


def require_grantable(actor: Actor | None, territory_id: int | None, role: Role) -> Role:
    """Raise ``PermissionDenied`` unless ``actor`` may hand out (or take back) ``role`` there."""
    if role not in grantable_roles(actor, territory_id):
        raise PermissionDenied(action="grant_role", role=role.value, territory_id=territory_id)
    return role


def grantable_roles(actor: Actor | None, territory_id: int | None) -> tuple[Role, ...]:
    """Roles this actor may hand out on ``territory_id`` (None: network-wide)."""
    if actor is None:
        return ()
    if actor.is_coordinator:
        if territory_id is None:
            return (Role.COORDINATOR,)
        return (Role.TERRITORY_ADMIN, Role.CONTRIBUTOR, Role.READER)
    if territory_id is not None and can(actor, Action.MANAGE_MEMBERS, territory_id):
        return (Role.TERRITORY_ADMIN, Role.CONTRIBUTOR, Role.READER)
    return ()
