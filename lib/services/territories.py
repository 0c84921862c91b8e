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


@dataclass(frozen=True)
class TerritoryName:
    """A territory as a picker shows it."""

    id: int
    name: str


@dataclass(frozen=True)
class TerritoryChoices:
    """What a territory picker offers: the matches (by name), how many territories the person
    may open in all, and the one asked for by id when it is among them."""

    matches: list[TerritoryName]
    total: int
    chosen: TerritoryName | None


# A network has a thousand territories: a picker lists this many at most, and a search narrows them.
PICKER_LIMIT = 50


def territory_choices(
    engine: Engine,
    actor: Actor | None,
    *,
    search: str = "",
    chosen: int | None = None,
    limit: int = PICKER_LIMIT,
) -> TerritoryChoices:
    """The territories whose journey this person may open, as a picker needs them: id and name
    of at most ``limit`` whose name contains ``search``, and the one ``chosen`` if allowed."""
    if actor is None:
        return TerritoryChoices([], 0, None)
    allowed = None if actor.is_coordinator else actor.territory_ids
    if allowed is not None and not allowed:
        return TerritoryChoices([], 0, None)
    text = search.strip() if isinstance(search, str) else ""
    with reading(engine) as conn:
        total = store.count_territories(conn, allowed)
        rows = store.territory_names(conn, allowed, search=text, limit=limit)
        matches = [TerritoryName(r.id, r.name) for r in rows]
        found = None
        if isinstance(chosen, int) and (allowed is None or chosen in allowed):
            found = next((m for m in matches if m.id == chosen), None)
            if found is None:
                rows = store.territory_names(conn, [chosen])
                found = TerritoryName(rows[0].id, rows[0].name) if rows else None
    return TerritoryChoices(matches, total, found)


def membership_territory_names(engine: Engine, actor: Actor | None) -> dict[int, str]:
    """The names of the territories this person holds a role on (a coordinator's network-wide
    role names none): for showing their memberships, without reading the whole network."""
    if actor is None or not actor.territory_ids:
        return {}
    with reading(engine) as conn:
        return {r.id: r.name for r in store.territory_names(conn, actor.territory_ids)}


def list_own_territories(engine: Engine, actor: Actor | None) -> list[Territory]:
    """Territories whose journey this person may open: all for a coordinator, else their own."""
    if actor is None:
        return []
    with reading(engine) as conn:
        rows = store.list_territories(conn, None if actor.is_coordinator else actor.territory_ids)
    return [_territory(r) for r in rows]
