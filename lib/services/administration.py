"""Running the network without touching the database: territories and peer groups
(issue 10, item 2). Coordinators (MANAGE_NETWORK) create, change and archive any territory
and run the peer groups; a territory admin (MANAGE_TERRITORY) sees and corrects the details of
their own territory — its name, codes, region and population, not its kind nor its identifier,
which place it in the network's comparisons and links. Each change is logged in the same
transaction.

A territory is never deleted: its answers, assessments and stories are the network's memory.
It is archived instead: it leaves the steering views and keeps everything (decision 0012).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection, Engine

from lib.access import Action, Actor, can, require, require_anywhere
from lib.domain import territories as rules
from lib.domain.errors import FieldError, NotFound, ValidationFailed
from lib.domain.inputs import ID_MAX, Checks, is_record_id, is_whole
from lib.services.unit_of_work import reading, writing
from lib.store import administration as store
from lib.store import tables
from lib.store.activity import log_activity


@dataclass(frozen=True)
class TerritoryDraft:
    name: str
    kind: str
    slug: str = ""  # empty: made from the name
    insee_code: str = ""
    siren: str = ""
    region: str = ""
    population: int | None = None


@dataclass(frozen=True)
class AdminTerritory:
    id: int
    slug: str
    name: str
    kind: str
    insee_code: str | None
    siren: str | None
    region: str | None
    population: int | None
    archived_at: datetime | None
    members: int
    responses: int


@dataclass(frozen=True)
class PeerGroup:
    id: int
    slug: str
    name: str
    description: str | None
    territory_ids: tuple[int, ...]


def territories(engine: Engine, actor: Actor | None) -> list[AdminTerritory]:
    """Every territory, archived ones included, with how many members and responses it has —
    for a territory admin, only the territories they administer."""
    actor = require_anywhere(actor, Action.MANAGE_TERRITORY)
    scope = None
    if not actor.is_coordinator:
        scope = [tid for tid in actor.territory_ids if can(actor, Action.MANAGE_TERRITORY, tid)]
    with reading(engine) as conn:
        return [AdminTerritory(**dict(r._mapping)) for r in store.territories_with_counts(conn, scope)]


def _checked_territory(checks: Checks, draft: TerritoryDraft) -> dict[str, Any]:
    name = checks.text("name", draft.name, required=True, max_length=rules.NAME_MAX)
    slug = checks.text("slug", draft.slug) or rules.slugify(name)
    if name and not rules.is_slug(slug):
        checks.fail("slug", "import.error.slug")
    kind = checks.one_of("kind", draft.kind, tables.TERRITORY_KINDS)
    insee = checks.text("insee_code", draft.insee_code).upper()
    if insee and not rules.INSEE.match(insee):
        checks.fail("insee_code", "import.error.insee")
    siren = "".join(checks.text("siren", draft.siren).split())
    if siren and not rules.SIREN.match(siren):
        checks.fail("siren", "import.error.siren")
    region = checks.text("region", draft.region, max_length=rules.REGION_MAX)
    population = draft.population
    if population is not None and (not is_whole(population) or not 0 <= population <= ID_MAX):
        checks.fail("population", "import.error.population")
        population = None
    return {
        "name": name,
        "slug": slug,
        "kind": kind,
        "insee_code": insee or None,
        "siren": siren or None,
        "region": region or None,
        "population": population,
    }


def save_territory(
    engine: Engine, actor: Actor | None, draft: TerritoryDraft, territory_id: int | None = None
) -> int:
    """Create a territory (``territory_id`` None, coordinators) or change one (its admins
    too, for what is theirs to change); returns its id."""
    if territory_id is None:
        actor = require(actor, Action.MANAGE_NETWORK)
    else:
        actor = require(actor, Action.MANAGE_TERRITORY, territory_id)
    checks = Checks()
    territory_id = checks.record_id("territory_id", territory_id, optional=True)
    values = _checked_territory(checks, draft)
    network = can(actor, Action.MANAGE_NETWORK)
    if not network:  # kind and identifier stay what they are: only their errors would be noise
        checks.errors.pop("kind", None)
        checks.errors.pop("slug", None)
    checks.done()
    with writing(engine) as conn:
        current = store.get_territory(conn, territory_id) if territory_id is not None else None
        if territory_id is not None and current is None:
            raise NotFound(territory_id=territory_id)
        if not network:
            values["kind"], values["slug"] = current.kind, current.slug
        other = store.territory_id_by_slug(conn, values["slug"])
        if other is not None and other != territory_id:
            raise ValidationFailed(
                {"slug": FieldError("import.error.territory_exists", {"value": values["slug"]})}
            )
        if territory_id is None:
            territory_id = store.insert_territory(conn, values)
            action = "territory.created"
        else:
            store.update_territory(conn, territory_id, values)
            action = "territory.updated"
        log_activity(
            conn,
            person_id=actor.person_id,
            territory_id=territory_id,
            action=action,
            subject_type="territory",
            subject_id=territory_id,
            details={"name": values["name"], "slug": values["slug"]},
        )
    return territory_id


def set_archived(engine: Engine, actor: Actor | None, territory_id: int, archived: bool) -> None:
    """Archive a territory (out of the steering views, nothing deleted), or bring it back."""
    actor = require(actor, Action.MANAGE_NETWORK)
    checks = Checks()
    territory_id = checks.record_id("territory_id", territory_id)
    archived = checks.flag("archived", archived)
    checks.done()
    with writing(engine) as conn:
        if store.get_territory(conn, territory_id) is None:
            raise NotFound(territory_id=territory_id)
        store.set_archived_at(conn, territory_id, tables.utcnow() if archived else None)
        log_activity(
            conn,
            person_id=actor.person_id,
            territory_id=territory_id,
            action="territory.archived" if archived else "territory.unarchived",
            subject_type="territory",
            subject_id=territory_id,
        )


def peer_groups(engine: Engine, actor: Actor | None) -> list[PeerGroup]:
    require(actor, Action.MANAGE_NETWORK)
    with reading(engine) as conn:
        members = store.group_members(conn)
        return [
            PeerGroup(g.id, g.slug, g.name, g.description, tuple(members.get(g.id, ())))
            for g in store.peer_groups(conn)
        ]


def save_peer_group(
    engine: Engine,
    actor: Actor | None,
    *,
    name: str,
    description: str = "",
    territory_ids: list[int] | tuple[int, ...] = (),
    group_id: int | None = None,
) -> int:
    """Create a peer group or change one, with exactly these member territories."""
    actor = require(actor, Action.MANAGE_NETWORK)
    checks = Checks()
    group_id = checks.record_id("group_id", group_id, optional=True)
    name = checks.text("name", name, required=True, max_length=rules.NAME_MAX)
    description = checks.text("description", description, max_length=2000)
    if not isinstance(territory_ids, list | tuple) or not all(is_record_id(i) for i in territory_ids):
        checks.fail("territory_ids", "error.invalid_value")
        territory_ids = ()
    checks.done()
    wanted = set(territory_ids)
    with writing(engine) as conn:
        if group_id is not None and store.get_peer_group(conn, group_id) is None:
            raise NotFound(group_id=group_id)
        if wanted - store.existing_territory_ids(conn, wanted):
            raise ValidationFailed({"territory_ids": FieldError("error.not_found")})
        if group_id is None:
            slug = _free_group_slug(conn, rules.slugify(name) or "groupe")
            group_id = store.insert_peer_group(conn, slug=slug, name=name, description=description or None)
            action = "peer_group.created"
        else:
            store.update_peer_group(conn, group_id, name=name, description=description or None)
            action = "peer_group.updated"
        added, removed = store.set_group_members(conn, group_id, wanted)
        log_activity(
            conn,
            person_id=actor.person_id,
            territory_id=None,
            action=action,
            subject_type="peer_group",
            subject_id=group_id,
            details={"name": name, "added": sorted(added), "removed": sorted(removed)},
        )
    return group_id


def _free_group_slug(conn: Connection, base: str) -> str:
    base = base[: rules.SLUG_MAX - 6].strip("-")  # room for "-2" … "-99999" within the column
    taken = store.group_slugs_like(conn, base)
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
