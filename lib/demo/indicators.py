"""Demo seed step: the indicators a few territories track, their yearly values and targets.

What they track and their figures are in ``data/demo/indicators.yaml``; this step dates them
from the seed's day, so the demo's latest values stay recent (and Bourg-les-Castors's stay old).
Each territory's figures are entered by its contributor (else its admin, else a coordinator),
each year's value in the March after that year (never after the seed's day).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from lib.access import Role
from lib.demo.texts import demo_file
from lib.domain.indicators import load_catalogue
from lib.store import demo as demo_store

if TYPE_CHECKING:
    from lib.demo.seed import SeedContext


def seed_indicators(ctx: SeedContext) -> int:
    catalogue = load_catalogue()
    followed = []  # (territory, person, entry), in the file's order
    indicators = []
    for slug, entries in demo_file("indicators")["territories"].items():
        territory = ctx.territory(f"demo-{slug}")
        who = (ctx.members(territory["id"], (Role.CONTRIBUTOR, Role.TERRITORY_ADMIN)) or ctx.coordinator_ids)[
            0
        ]
        for entry in entries:
            own = entry.get("own")
            definition = None if own else catalogue.get(entry["indicator"])
            first_year = ctx.today.year - entry["years_ago"] - len(entry["values"]) + 1
            added = ctx.at(min(date(first_year + 1, 3, 1), ctx.today), 9)
            indicators.append(
                {
                    "territory_id": territory["id"],
                    "catalogue_id": None if own else definition.id,
                    "name": own["name"] if own else None,
                    "definition": None,
                    "unit": own["unit"] if own else definition.unit,
                    "direction": own["direction"] if own else definition.direction.value,
                    "created_by": who,
                    "created_at": added,
                    "updated_at": added,
                }
            )
            followed.append((territory, who, entry, first_year))
    ids = demo_store.add_indicators(ctx.conn, indicators)

    values, targets = [], []
    for indicator_id, (territory, who, entry, first_year) in zip(ids, followed, strict=True):
        count = len(entry["values"])
        estimated_from = count - entry.get("estimated", 0)
        for i, value in enumerate(entry["values"]):
            year = first_year + i
            when = ctx.at(min(date(year + 1, 3, 15), ctx.today), 10)
            values.append(
                {
                    "indicator_id": indicator_id,
                    "year": year,
                    "measured_on": None,
                    "value": float(value),
                    "nature": "estimated" if i >= estimated_from else "measured",
                    "source": entry.get("source"),
                    "comment": entry.get("comment") if i == count - 1 else None,
                    "recorded_by": who,
                    "created_at": when,
                    "updated_at": when,
                }
            )
            ctx.log(
                when,
                "indicator.value_saved",
                person_id=who,
                territory_id=territory["id"],
                subject_type="indicator",
                subject_id=indicator_id,
                details={"year": year},
            )
        for years_ahead, value in (entry.get("targets") or {}).items():
            when = ctx.at(min(date(first_year + 1, 3, 15), ctx.today), 11)
            targets.append(
                {
                    "indicator_id": indicator_id,
                    "year": ctx.today.year + int(years_ahead),
                    "value": float(value),
                    "recorded_by": who,
                    "created_at": when,
                    "updated_at": when,
                }
            )
    demo_store.add_indicator_values(ctx.conn, values)
    demo_store.add_indicator_targets(ctx.conn, targets)
    return len(ids) + len(values) + len(targets)
