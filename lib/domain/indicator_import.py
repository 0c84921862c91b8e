"""A territory's indicator values and targets imported from a CSV, checked row by row.

The file is read like every import (``lib.domain.csv_import.read_file``: UTF-8 or Windows-1252,
semicolon or comma, column names whatever their case and accents). Each row names an indicator
the territory follows — a catalogue id (``ghg_emissions``) or an own indicator's name — says
whether it is a value or a target, and gives a year and a figure in French notation. Problems
are gathered per line and column, as the spreadsheet numbers them; nothing is written unless
every row is right (the service's rule).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lib.domain import indicators as domain
from lib.domain.csv_import import Problem, Record, RowChecks
from lib.domain.csv_import import flat_name as _flat

COLUMNS = ("indicateur", "type", "annee", "valeur", "nature", "source", "commentaire")
REQUIRED = ("indicateur", "annee", "valeur")
SOURCE_MAX = 300
COMMENT_MAX = 2000

# What a spreadsheet may say in the "type" and "nature" columns (flattened: no case, accent, space).
ROW_KINDS = {
    "": "value",
    "valeur": "value",
    "value": "value",
    "cible": "target",
    "target": "target",
    "objectif": "target",
}
NATURES = {
    "": "measured",
    "mesuree": "measured",
    "measured": "measured",
    "estimee": "estimated",
    "estimated": "estimated",
}


@dataclass(frozen=True)
class Followed:
    id: int
    unit: str


def followed_names(rows: list[tuple[int, str | None, str | None, str]]) -> dict[str, Followed]:
    """How a file may name each followed indicator: (id, catalogue id, own name, unit) rows to
    a lookup by catalogue id and by own name, both flattened."""
    names: dict[str, Followed] = {}
    for ident, catalogue_id, name, unit in rows:
        for key in (catalogue_id, name):
            if key:
                names.setdefault(_flat(key), Followed(ident, unit))
    return names


def check_row(
    record: Record, followed: Mapping[str, Followed], seen: dict[tuple, int], current_year: int | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """One row as it will be stored, and its problems (none: the row is right)."""
    checks = RowChecks(record)
    if "__extra__" in record.cells:
        checks.fail("", "import.error.extra_cells")
    name = checks.cell("indicateur")
    indicator = followed.get(_flat(name)) if name else None
    if not name:
        checks.fail("indicateur", "error.required")
    elif indicator is None:
        checks.fail("indicateur", "indicators.import.unknown_indicator", value=name)
    kind = ROW_KINDS.get(_flat(checks.cell("type")))
    if kind is None:
        checks.fail("type", "indicators.import.type", value=checks.cell("type"))
    year = domain.parse_year(checks.cell("annee"))
    if not checks.cell("annee"):
        checks.fail("annee", "error.required")
    elif year is None:
        checks.fail("annee", domain.BAD_YEAR, first=domain.FIRST_YEAR, last=domain.LAST_YEAR)
    value = domain.parse_number(checks.cell("valeur"))
    if not checks.cell("valeur"):
        checks.fail("valeur", "error.required")
    elif indicator is not None:
        problem = domain.value_problem(value, indicator.unit)
        if problem is not None:
            checks.fail("valeur", problem[0], **problem[1])
    elif value is None:
        checks.fail("valeur", domain.NOT_A_NUMBER)
    nature = NATURES.get(_flat(checks.cell("nature")))
    if nature is None:
        checks.fail("nature", "indicators.import.nature", value=checks.cell("nature"))
    for column, limit in (("source", SOURCE_MAX), ("commentaire", COMMENT_MAX)):
        if len(checks.cell(column)) > limit:
            checks.fail(column, "error.too_long", length=len(checks.cell(column)), max=limit)
    if kind == "value" and year is not None and current_year is not None and year > current_year:
        checks.fail("annee", "indicators.error.future_year")
    if indicator is not None and kind is not None and year is not None:
        identity = (indicator.id, kind, year)
        if identity in seen:
            checks.fail("annee", "import.error.duplicate", line=seen[identity])
        else:
            seen[identity] = record.line
    values = {
        "kind": kind,
        "indicator_id": indicator.id if indicator else None,
        "year": year,
        "value": value,
        "nature": nature,
        "source": checks.cell("source") or None,
        "comment": checks.cell("commentaire") or None,
    }
    return values, checks.problems


def model_file() -> bytes:
    """The model a contributor fills in: semicolon CSV, UTF-8 with its byte-order mark, French
    figures (a French spreadsheet opens it with its accents and decimal commas right)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(
        [
            ("ghg_emissions", "valeur", "2023", "52 100", "mesurée", "Observatoire régional", ""),
            ("ghg_emissions", "valeur", "2024", "49 800,5", "estimée", "Observatoire régional", "provisoire"),
            ("ghg_emissions", "cible", "2030", "36 000", "", "", "objectif du PCAET"),
        ]
    )
    return out.getvalue().encode("utf-8-sig")
