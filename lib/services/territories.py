"""Territories as the acting person may see them."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib.access import Action, Actor, require
from lib.domain.errors import NotFound
from lib.store import tables as t


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
    query = sa.select(t.territory).order_by(t.territory.c.name)
    if not actor.is_coordinator:
        query = query.where(t.territory.c.id.in_(actor.territory_ids))
    with engine.connect() as conn:
        return [_territory(r) for r in conn.execute(query)]


def get_territory(engine: Engine, actor: Actor | None, territory_id: int) -> Territory:
    require(actor, Action.VIEW_TERRITORY, territory_id)
    with engine.connect() as conn:
        row = conn.execute(sa.select(t.territory).where(t.territory.c.id == territory_id)).first()
    if row is None:
        raise NotFound(territory_id=territory_id)
    return _territory(row)
