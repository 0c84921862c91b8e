"""Territories as the acting person may see them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from lib.access import Actor
from lib.services.unit_of_work import reading
from lib.store import territories as store


@dataclass(frozen=True)
class Territory:
    id: int
    slug: str
    name: str
    kind: str
    region: str | None
    population: int | None
    sharing: str
    is_demo: bool


def _territory(row) -> Territory:
    return Territory(
        id=row.id,
        slug=row.slug,
        name=row.name,
        kind=row.kind,
        region=row.region,
        population=row.population,
        sharing=row.sharing,
        is_demo=row.is_demo,
    )


def list_own_territories(engine: Engine, actor: Actor | None) -> list[Territory]:
    """Territories whose journey this person may open: all for a coordinator, else their own."""
    if actor is None:
        return []
    with reading(engine) as conn:
        rows = store.list_territories(conn, None if actor.is_coordinator else actor.territory_ids)
    return [_territory(r) for r in rows]
