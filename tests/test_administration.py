"""Network administration through its services, on SQLite and PostgreSQL: territories created,
corrected and archived (never deleted), archived ones out of steering, peer groups, the log."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lib.access import Role
from lib.domain.errors import NotFound, ValidationFailed
from lib.services import administration as admin
from lib.services import steering
from lib.services.administration import TerritoryDraft
from lib.store import tables
from lib.store.steering import Scope
from tests.factories import (
    make_actor,
    make_campaign,
    make_peer_group,
    make_response,
    make_template,
    make_territory,
)


def _logged(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                sa.select(tables.activity_log.c.action, tables.activity_log.c.territory_id).order_by(
                    tables.activity_log.c.id
                )
            )
        ]


def test_a_territory_is_created_then_corrected_and_each_change_is_logged(engine):
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    draft = TerritoryDraft(name="Communauté d’agglomération de Lens-Liévin", kind="epci", siren="200 040 715")

    territory_id = admin.save_territory(engine, coordinator, draft)
    admin.save_territory(
        engine,
        coordinator,
        TerritoryDraft(name="CALL", kind="epci", slug="call", region="Hauts-de-France", population=242_000),
        territory_id,
    )

    [row] = admin.territories(engine, coordinator)
    assert (row.id, row.slug, row.name, row.siren, row.region, row.population) == (
        territory_id,
        "call",
        "CALL",
        None,
        "Hauts-de-France",
        242_000,
    )
    assert _logged(engine)[-2:] == [("territory.created", territory_id), ("territory.updated", territory_id)]


def test_wrong_fields_are_refused_each_next_to_its_field(engine):
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    make_territory(engine, "Lens", slug="lens")
    draft = TerritoryDraft(
        name="", kind="village", slug="Pas Bon", insee_code="6252", siren="12", population=-3
    )

    with pytest.raises(ValidationFailed) as refused:
        admin.save_territory(engine, coordinator, draft)
    assert {name: e.code for name, e in refused.value.errors.items()} == {
        "name": "error.required",
        "kind": "error.invalid_value",
        "insee_code": "import.error.insee",
        "siren": "import.error.siren",
        "population": "import.error.population",
    }

    with pytest.raises(ValidationFailed) as taken:
        admin.save_territory(engine, coordinator, TerritoryDraft(name="Lens", kind="commune"))
    assert taken.value.errors["slug"].code == "import.error.territory_exists"


def test_an_archived_territory_leaves_every_steering_view_and_keeps_its_answers(engine):
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    kept, archived = make_territory(engine, "Arras"), make_territory(engine, "Béthune")
    group = make_peer_group(engine, "Artois", [kept, archived])
    template = make_template(engine)
    for territory_id in (kept, archived):
        make_response(
            engine, make_campaign(engine, territory_id, template_id=template)[0], "elected_official", {}
        )
    network_campaign, _ = make_campaign(engine, None, template_id=template)
    make_response(engine, network_campaign, "local_agent", {})  # territory not given: still counted
    before = steering.overview(engine, coordinator).figures

    admin.set_archived(engine, coordinator, archived, True)

    for scope in (Scope(), Scope(peer_group_ids=(group,))):
        view = steering.overview(engine, coordinator, scope=scope)
        assert list(view.territories["territory_id"]) == [kept]
    responses = {f.code: f.value for f in steering.overview(engine, coordinator).figures}["responses"]
    assert responses == {f.code: f.value for f in before}["responses"] - 1 == 2
    [row] = [r for r in admin.territories(engine, coordinator) if r.id == archived]
    assert row.archived_at is not None and row.responses == 1

    admin.set_archived(engine, coordinator, archived, False)
    assert set(steering.overview(engine, coordinator).territories["territory_id"]) == {kept, archived}
    assert [a for a, _ in _logged(engine)][-2:] == ["territory.archived", "territory.unarchived"]


def test_archiving_a_territory_that_does_not_exist_says_so(engine):
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    with pytest.raises(NotFound):
        admin.set_archived(engine, coordinator, 999_999, True)


def test_a_peer_group_is_created_then_its_members_changed(engine):
    coordinator = make_actor(engine, Role.COORDINATOR, None)
    lens, lievin, arras = (make_territory(engine, n) for n in ("Lens", "Liévin", "Arras"))

    group_id = admin.save_peer_group(engine, coordinator, name="Bassin minier", territory_ids=[lens, lievin])
    twin = admin.save_peer_group(engine, coordinator, name="Bassin minier")
    admin.save_peer_group(
        engine,
        coordinator,
        name="Bassin minier",
        description="Cohorte 2026",
        territory_ids=[lievin, arras],
        group_id=group_id,
    )

    groups = {g.id: g for g in admin.peer_groups(engine, coordinator)}
    assert groups[group_id].territory_ids == tuple(sorted((lievin, arras)))
    assert groups[group_id].description == "Cohorte 2026"
    assert (groups[group_id].slug, groups[twin].slug) == ("bassin-minier", "bassin-minier-2")
    with pytest.raises(ValidationFailed):
        admin.save_peer_group(engine, coordinator, name="Fantôme", territory_ids=[999_999])
