"""Invitations, access requests and memberships, as the services enforce them."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from lib.access import Role
from lib.domain.errors import NotFound, PermissionDenied, ValidationFailed, WriteFailed
from lib.services import identity, membership
from lib.services.membership import AlreadyDecided, InvitationClosed
from lib.store import membership as store
from lib.store import tables
from tests.conftest import count_rows
from tests.factories import (
    make_access_request,
    make_actor,
    make_invitation,
    make_membership,
    make_person,
    make_territory,
)


@pytest.fixture
def world(engine):
    """Two territories, their admins and a contributor, and a coordinator."""
    a, b = make_territory(engine, "Aubrac"), make_territory(engine, "Bocage")
    return {
        "engine": engine,
        "a": a,
        "b": b,
        "coordinator": make_actor(engine, Role.COORDINATOR, None, "Coralie Coordination"),
        "admin_a": make_actor(engine, Role.TERRITORY_ADMIN, a, "Anne Admin"),
        "admin_b": make_actor(engine, Role.TERRITORY_ADMIN, b, "Bruno Admin"),
        "contributor_a": make_actor(engine, Role.CONTRIBUTOR, a, "Claire Contributrice"),
    }


def _log(engine, action: str) -> list:
    with engine.connect() as conn:
        return list(
            conn.execute(sa.select(tables.activity_log).where(tables.activity_log.c.action == action))
        )


def _claims(email: str) -> dict:
    return {"sub": email, "email": email, "email_verified": True}


# --- invitations ------------------------------------------------------------------------------


def test_coordinator_invites_anyone_anywhere_including_as_coordinator(world):
    engine, coord = world["engine"], world["coordinator"]
    membership.invite(
        engine, coord, email="Nouvelle@Bocage.fr", territory_id=world["b"], role="territory_admin"
    )
    membership.invite(engine, coord, email="renfort@reseau.fr", territory_id=None, role=Role.COORDINATOR)

    assert identity.sign_in(engine, _claims("nouvelle@bocage.fr")).role_in(world["b"]) == Role.TERRITORY_ADMIN
    assert identity.sign_in(engine, _claims("renfort@reseau.fr")).is_coordinator
    created = _log(engine, "invitation.created")
    assert [(r.person_id, r.details["email"]) for r in created] == [
        (coord.person_id, "nouvelle@bocage.fr"),
        (coord.person_id, "renfort@reseau.fr"),
    ]


def test_territory_admin_invites_to_own_territory_only_and_never_as_coordinator(world):
    engine, admin = world["engine"], world["admin_a"]
    membership.invite(
        engine, admin, email="agent@aubrac.fr", territory_id=world["a"], role=Role.TERRITORY_ADMIN
    )

    with pytest.raises(PermissionDenied):
        membership.invite(engine, admin, email="x@bocage.fr", territory_id=world["b"], role=Role.READER)
    with pytest.raises(PermissionDenied):
        membership.invite(engine, admin, email="x@aubrac.fr", territory_id=world["a"], role=Role.COORDINATOR)
    with pytest.raises(PermissionDenied):
        membership.invite(engine, admin, email="x@aubrac.fr", territory_id=None, role=Role.COORDINATOR)
    with pytest.raises(PermissionDenied):
        membership.invite(
            engine, world["contributor_a"], email="x@aubrac.fr", territory_id=world["a"], role=Role.READER
        )
    assert count_rows(engine, tables.invitation) == 1


def test_invitation_input_is_checked_field_by_field(world):
    engine, admin, a = world["engine"], world["admin_a"], world["a"]
    with pytest.raises(ValidationFailed) as bad:
        membership.invite(
            engine, admin, email="pas-une-adresse", territory_id=a, role=Role.READER, valid_days=0
        )
    assert bad.value.errors["email"].code == "auth.error.email_invalid"
    assert bad.value.errors["valid_days"].code == "auth.error.valid_days"
    with pytest.raises(ValidationFailed) as missing:
        membership.invite(engine, admin, email=" ", territory_id=a, role=None)
    assert set(missing.value.errors) == {"email", "role"}

    membership.invite(engine, admin, email="deux@fois.fr", territory_id=a, role=Role.READER)
    with pytest.raises(ValidationFailed) as twice:
        membership.invite(engine, admin, email="DEUX@fois.fr", territory_id=a, role=Role.CONTRIBUTOR)
    assert twice.value.errors["email"].code == "auth.error.already_invited"
    with pytest.raises(ValidationFailed) as member:
        membership.invite(engine, admin, email=world["contributor_a"].email, territory_id=a, role=Role.READER)
    assert member.value.errors["email"].code == "auth.error.already_member"
    with pytest.raises(NotFound):
        membership.invite(engine, world["coordinator"], email="x@y.fr", territory_id=99999, role=Role.READER)
    assert count_rows(engine, tables.invitation) == 1


def test_revoked_invitation_cannot_be_used_nor_revoked_twice(world):
    engine, admin = world["engine"], world["admin_a"]
    invitation = membership.invite(
        engine, admin, email="bientot@aubrac.fr", territory_id=world["a"], role="reader"
    )

    with pytest.raises(PermissionDenied):
        membership.revoke_invitation(engine, world["admin_b"], invitation)
    membership.revoke_invitation(engine, admin, invitation)
    with pytest.raises(InvitationClosed):
        membership.revoke_invitation(engine, admin, invitation)

    assert identity.sign_in(engine, _claims("bientot@aubrac.fr")).memberships == ()
    assert [r.details["email"] for r in _log(engine, "invitation.revoked")] == ["bientot@aubrac.fr"]


def test_invitations_list_their_status(world):
    engine, coord, a = world["engine"], world["coordinator"], world["a"]
    make_invitation(engine, "expiree@a.fr", a, Role.READER, expires_in=timedelta(days=-1))
    make_invitation(engine, "revoquee@a.fr", a, Role.READER, revoked=True)
    make_invitation(engine, "ouverte@a.fr", a, Role.READER)
    make_invitation(engine, "acceptee@a.fr", a, Role.READER)
    identity.sign_in(engine, _claims("acceptee@a.fr"))

    statuses = {i.email: i.status for i in membership.list_invitations(engine, coord, a)}
    assert statuses == {
        "expiree@a.fr": "expired",
        "revoquee@a.fr": "revoked",
        "ouverte@a.fr": "pending",
        "acceptee@a.fr": "accepted",
    }
    assert membership.list_invitations(engine, coord, world["b"]) == []
    with pytest.raises(PermissionDenied):
        membership.list_invitations(engine, world["admin_b"], a)


def test_a_database_failure_says_so_and_writes_nothing(world, monkeypatch):
    def broken(*args, **kwargs):
        raise sa.exc.OperationalError("insert", {}, Exception("disk I/O error"))

    monkeypatch.setattr(store, "insert_invitation", broken)
    with pytest.raises(WriteFailed):
        membership.invite(
            world["engine"], world["admin_a"], email="x@a.fr", territory_id=world["a"], role=Role.READER
        )
    assert count_rows(world["engine"], tables.activity_log) == 0


# --- access requests --------------------------------------------------------------------------


def test_a_newcomer_asks_for_access_once_per_space(world):
    engine = world["engine"]
    newcomer = identity.sign_in(engine, _claims("nouveau@bocage.fr"))
    membership.request_access(engine, newcomer, territory_id=world["b"], message="Je suis chargé de mission.")

    with pytest.raises(ValidationFailed) as twice:
        membership.request_access(engine, newcomer, territory_id=world["b"], message="")
    assert twice.value.errors["territory"].code == "auth.error.already_requested"
    with pytest.raises(ValidationFailed) as long:
        membership.request_access(engine, newcomer, territory_id=world["a"], message="x" * 2001)
    assert long.value.errors["message"].params == {"length": 2001, "max": 2000}
    with pytest.raises(PermissionDenied):
        membership.request_access(engine, None, territory_id=world["a"], message="")
    with pytest.raises(ValidationFailed):
        membership.request_access(engine, world["admin_a"], territory_id=world["a"], message="")

    mine = membership.my_requests(engine, newcomer)
    assert [(r.territory_name, r.status, r.message) for r in mine] == [
        ("Bocage", "pending", "Je suis chargé de mission.")
    ]


def test_each_admin_sees_the_requests_of_their_own_territory_coordinators_see_all(world):
    engine = world["engine"]
    first, second = make_person(engine, email="p1@x.fr"), make_person(engine, email="p2@x.fr")
    make_access_request(engine, first, world["a"])
    make_access_request(engine, second, world["b"])
    make_access_request(engine, second, None)

    def seen(actor):
        return sorted((r.email, r.territory_id or 0) for r in membership.pending_requests(engine, actor))

    assert seen(world["admin_a"]) == [("p1@x.fr", world["a"])]
    assert seen(world["admin_b"]) == [("p2@x.fr", world["b"])]
    assert seen(world["contributor_a"]) == []
    assert len(seen(world["coordinator"])) == 3


def test_accepting_a_request_grants_a_role_the_decider_may_grant(world):
    engine, admin, a = world["engine"], world["admin_a"], world["a"]
    person = make_person(engine, email="candidat@aubrac.fr")
    request = make_access_request(engine, person, a)

    with pytest.raises(PermissionDenied):
        membership.decide_request(engine, admin, request, accept=True, role=Role.COORDINATOR)
    with pytest.raises(PermissionDenied):
        membership.decide_request(engine, world["admin_b"], request, accept=True, role=Role.READER)
    with pytest.raises(ValidationFailed):
        membership.decide_request(engine, admin, request, accept=True, role=None)
    membership.decide_request(engine, admin, request, accept=True, role=Role.CONTRIBUTOR)
    with pytest.raises(AlreadyDecided):
        membership.decide_request(engine, world["coordinator"], request, accept=False)

    assert identity.load_actor(engine, person).role_in(a) == Role.CONTRIBUTOR
    (log,) = _log(engine, "access_request.accepted")
    assert (log.person_id, log.territory_id, log.details["role"]) == (admin.person_id, a, "contributor")
    assert membership.pending_requests(engine, admin) == []


def test_refusing_a_request_grants_nothing_and_a_network_request_needs_a_coordinator(world):
    engine = world["engine"]
    person = make_person(engine, email="reseau@x.fr")
    to_network = make_access_request(engine, person, None)
    refused = make_access_request(engine, person, world["a"])

    with pytest.raises(PermissionDenied):
        membership.decide_request(engine, world["admin_a"], to_network, accept=True, role=Role.COORDINATOR)
    membership.decide_request(engine, world["admin_a"], refused, accept=False)
    membership.decide_request(engine, world["coordinator"], to_network, accept=True, role=Role.COORDINATOR)

    actor = identity.load_actor(engine, person)
    assert actor.is_coordinator and actor.role_in(world["a"]) is None
    assert [r.status for r in membership.my_requests(engine, actor)] == ["accepted", "refused"]
    assert len(_log(engine, "access_request.refused")) == 1


# --- memberships ------------------------------------------------------------------------------


def _membership_id(engine, person_id: int, territory_id: int | None) -> int:
    with engine.connect() as conn:
        return store.get_membership(conn, person_id, territory_id).id


def test_admin_changes_and_revokes_roles_in_own_territory_only(world):
    engine, admin, a = world["engine"], world["admin_a"], world["a"]
    contributor = world["contributor_a"]
    mid = _membership_id(engine, contributor.person_id, a)

    membership.change_role(engine, admin, mid, Role.READER)
    assert identity.load_actor(engine, contributor.person_id).role_in(a) == Role.READER
    with pytest.raises(PermissionDenied):
        membership.change_role(engine, admin, mid, Role.COORDINATOR)
    with pytest.raises(PermissionDenied):
        membership.change_role(engine, world["admin_b"], mid, Role.CONTRIBUTOR)
    with pytest.raises(PermissionDenied):
        membership.revoke_membership(engine, contributor, mid)

    membership.revoke_membership(engine, admin, mid)
    # Gone at the next rerun: load_actor reads the database each time.
    assert identity.load_actor(engine, contributor.person_id).memberships == ()
    assert [r.details["previous_role"] for r in _log(engine, "membership.role_changed")] == ["contributor"]
    assert [r.person_id for r in _log(engine, "membership.revoked")] == [admin.person_id]


def test_nobody_changes_their_own_rights_nor_an_admin_those_of_a_coordinator(world):
    engine, admin, coord = world["engine"], world["admin_a"], world["coordinator"]
    own = _membership_id(engine, admin.person_id, world["a"])
    with pytest.raises(PermissionDenied) as denied:
        membership.revoke_membership(engine, admin, own)
    assert denied.value.code == "auth.error.own_rights"
    with pytest.raises(PermissionDenied):
        membership.revoke_membership(engine, admin, _membership_id(engine, coord.person_id, None))

    other = make_person(engine, email="second-coord@x.fr")
    make_membership(engine, other, None, Role.COORDINATOR)
    membership.revoke_membership(engine, coord, _membership_id(engine, other, None))
    assert not identity.load_actor(engine, other).is_coordinator


def test_members_list_and_manageable_spaces_follow_rights(world):
    engine = world["engine"]
    members = membership.list_members(engine, world["admin_a"], world["a"])
    assert sorted((m.display_name, m.role) for m in members) == [
        ("Anne Admin", Role.TERRITORY_ADMIN),
        ("Claire Contributrice", Role.CONTRIBUTOR),
    ]
    with pytest.raises(PermissionDenied):
        membership.list_members(engine, world["admin_a"], None)

    assert [s.name for s in membership.manageable_scopes(engine, world["admin_a"])] == ["Aubrac"]
    assert [s.name for s in membership.manageable_scopes(engine, world["coordinator"])] == [
        None,
        "Aubrac",
        "Bocage",
    ]
    assert membership.manageable_scopes(engine, world["contributor_a"]) == []
    assert [s.name for s in membership.request_targets(engine, world["contributor_a"])] == [
        None,
        "Aubrac",
        "Bocage",
    ]
