"""People across the network (Administration → People): who finds whom, who sees which
membership, giving, changing and taking a role — on SQLite and PostgreSQL, through the services."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lib.access import Role
from lib.domain.errors import PermissionDenied, ValidationFailed
from lib.services import administration, membership, people
from lib.store import tables
from tests.factories import make_actor, make_membership, make_person, make_territory


def _log(engine, action: str) -> list:
    with engine.connect() as conn:
        return list(
            conn.execute(sa.select(tables.activity_log).where(tables.activity_log.c.action == action))
        )


def test_a_coordinator_finds_a_person_by_name_or_address_with_every_membership(engine):
    lens, arras = make_territory(engine, "Lens"), make_territory(engine, "Arras")
    coordinator = make_actor(engine, Role.COORDINATOR, None, "Camille Coordination")
    ines = make_person(engine, "Inès Martin", email="ines.martin@lens.test")
    make_membership(engine, ines, lens, Role.TERRITORY_ADMIN)
    make_membership(engine, ines, arras, Role.READER)
    make_person(engine, "Paul Durand", email="paul@arras.test")

    by_name = people.find_people(engine, coordinator, "martin")
    by_address = people.find_people(engine, coordinator, "LENS.TEST")

    assert [p.email for p in by_name.people] == ["ines.martin@lens.test"]
    assert [p.id for p in by_address.people] == [ines]
    assert [(m.territory_name, m.role) for m in by_name.people[0].memberships] == [
        ("Arras", Role.READER),
        ("Lens", Role.TERRITORY_ADMIN),
    ]


def test_a_search_says_when_more_people_match_than_are_shown(engine):
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    for n in range(4):
        make_person(engine, f"Agent {n}", email=f"agent{n}@exemple.test")

    found = people.find_people(engine, coordinator, "agent", limit=3)

    assert (len(found.people), found.more) == (3, True)
    assert people.find_people(engine, coordinator, "agent", limit=4).more is False


def test_a_territory_admin_sees_only_their_territory_s_people_and_memberships(engine):
    lens, arras = make_territory(engine, "Lens"), make_territory(engine, "Arras")
    admin = make_actor(engine, Role.TERRITORY_ADMIN, lens, "Admin Lens")
    both = make_person(engine, "Inès Martin")
    make_membership(engine, both, lens, Role.CONTRIBUTOR)
    make_membership(engine, both, arras, Role.TERRITORY_ADMIN)
    elsewhere = make_person(engine, "Paul Arras")
    make_membership(engine, elsewhere, arras, Role.READER)

    found = {p.id: p for p in people.find_people(engine, admin, "").people}

    assert elsewhere not in found  # nobody of Arras, not even their name
    assert [(m.territory_name, m.role) for m in found[both].memberships] == [("Lens", Role.CONTRIBUTOR)]


def test_giving_a_role_is_logged_and_a_second_one_on_the_same_place_is_refused_next_to_it(engine):
    lens = make_territory(engine, "Lens")
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    ines = make_person(engine, "Inès Martin")

    membership_id = people.add_membership(
        engine, coordinator, person_id=ines, territory_id=lens, role="contributor"
    )
    with pytest.raises(ValidationFailed) as refused:
        people.add_membership(engine, coordinator, person_id=ines, territory_id=lens, role="reader")

    assert refused.value.errors["territory"].code == "auth.error.already_member"
    [entry] = _log(engine, "membership.granted")
    assert (entry.person_id, entry.territory_id, entry.subject_id) == (
        coordinator.person_id,
        lens,
        membership_id,
    )
    assert entry.details == {"member_id": ines, "role": "contributor"}


def test_a_coordinator_makes_someone_a_coordinator_of_the_network(engine):
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    ines = make_person(engine, "Inès Martin")

    people.add_membership(engine, coordinator, person_id=ines, territory_id=None, role="coordinator")

    [found] = people.find_people(engine, coordinator, "Inès").people
    assert [(m.territory_id, m.role) for m in found.memberships] == [(None, Role.COORDINATOR)]


@pytest.mark.parametrize(
    ("where", "role"),
    [("other", "reader"), ("network", "coordinator"), ("own", "coordinator")],
)
def test_a_territory_admin_gives_roles_only_on_their_territory_and_never_coordination(engine, where, role):
    lens, arras = make_territory(engine, "Lens"), make_territory(engine, "Arras")
    admin = make_actor(engine, Role.TERRITORY_ADMIN, lens)
    ines = make_person(engine, "Inès Martin")
    territory_id = {"own": lens, "other": arras, "network": None}[where]

    with pytest.raises(PermissionDenied):
        people.add_membership(engine, admin, person_id=ines, territory_id=territory_id, role=role)

    assert _log(engine, "membership.granted") == []


def test_nobody_gives_themselves_a_role(engine):
    lens = make_territory(engine, "Lens")
    admin = make_actor(engine, Role.TERRITORY_ADMIN, lens)
    other = make_territory(engine, "Liévin")
    coordinator = make_actor(engine, Role.COORDINATOR, None)

    with pytest.raises(PermissionDenied):
        people.add_membership(
            engine, coordinator, person_id=coordinator.person_id, territory_id=other, role="reader"
        )
    with pytest.raises(PermissionDenied):
        people.add_membership(engine, admin, person_id=admin.person_id, territory_id=lens, role="reader")


def test_a_role_changed_and_taken_back_from_administration_is_logged(engine):
    lens = make_territory(engine, "Lens")
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    ines = make_person(engine, "Inès Martin")
    membership_id = people.add_membership(
        engine, coordinator, person_id=ines, territory_id=lens, role="reader"
    )

    membership.change_role(engine, coordinator, membership_id, "territory_admin")
    membership.revoke_membership(engine, coordinator, membership_id)

    assert [e.details["role"] for e in _log(engine, "membership.role_changed")] == ["territory_admin"]
    assert len(_log(engine, "membership.revoked")) == 1
    [found] = people.find_people(engine, coordinator, "Inès").people
    assert found.memberships == ()


def test_a_territory_admin_corrects_their_territory_but_not_its_kind_nor_identifier(engine):
    lens = make_territory(engine, "Lens", kind="commune")
    admin = make_actor(engine, Role.TERRITORY_ADMIN, lens)
    [before] = administration.territories(engine, admin)

    administration.save_territory(
        engine,
        admin,
        administration.TerritoryDraft(
            name="Lens-Liévin", kind="epci", slug="autre", region="Hauts-de-France"
        ),
        lens,
    )

    [after] = administration.territories(engine, admin)
    assert (after.name, after.region) == ("Lens-Liévin", "Hauts-de-France")
    assert (after.kind, after.slug) == ("commune", before.slug)
    [entry] = _log(engine, "territory.updated")
    assert (entry.person_id, entry.territory_id) == (admin.person_id, lens)


def test_a_territory_admin_lists_only_their_own_territory_and_creates_none(engine):
    lens = make_territory(engine, "Lens")
    make_territory(engine, "Arras")
    admin = make_actor(engine, Role.TERRITORY_ADMIN, lens)

    assert [r.id for r in administration.territories(engine, admin)] == [lens]
    with pytest.raises(PermissionDenied):
        administration.save_territory(
            engine, admin, administration.TerritoryDraft(name="Neuf", kind="commune")
        )
