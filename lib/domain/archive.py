"""The network's archive: one CSV per table and a manifest, in one ZIP file.

Pure rules, no SQL: how a stored value is written as CSV text and read back exactly, what
the manifest says, and when an archive is refused. ``lib.store.backup`` reads and writes the
tables; ``lib.services.backup`` decides who may and when (decision 0012).

A value is written so that reading it back gives the very same value on SQLite and
PostgreSQL: timestamps in ISO 8601 with their microseconds and UTC offset, dates in ISO,
booleans as ``true``/``false``, floats with every digit (``repr``), JSON as its text. An
empty cell is the empty string; SQL NULL is ``\\N`` (as PostgreSQL's COPY writes it), and a
text that starts with a backslash gets one more, so no text can be mistaken for NULL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from lib.domain.errors import ServiceError

FORMAT = "parcours-archive/1"
MANIFEST = "manifest.json"
NULL = "\\N"
KINDS = ("int", "float", "bool", "date", "datetime", "json", "text")


class ArchiveRefused(ServiceError):
    """The archive cannot be restored here; ``code`` says why, in the reader's language."""

    code = "backup.error.invalid"


def encode(value: Any, kind: str) -> str:
    """The CSV text of one stored value (for ``json``, the value is already JSON text)."""
    if value is None:
        return NULL
    if kind == "bool":
        return "true" if value else "false"
    if kind == "float":
        return repr(float(value))
    if kind in ("date", "datetime"):
        return value.isoformat()
    if kind == "int":
        return str(int(value))
    text = str(value)
    return "\\" + text if text.startswith("\\") else text


def decode(text: str, kind: str) -> Any:
    """The stored value from its CSV text; ``ValueError`` when the text cannot be that kind."""
    if text == NULL:
        return None
    if kind == "bool":
        if text not in ("true", "false"):
            raise ValueError(f"not a boolean: {text!r}")
        return text == "true"
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text)
    if kind == "date":
        return date.fromisoformat(text)
    if kind == "datetime":
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            raise ValueError(f"timestamp without its UTC offset: {text!r}")
        return moment
    if kind == "json":
        json.loads(text)  # refused here rather than by the database, with the cell named
    return text[1:] if text.startswith("\\") else text


@dataclass(frozen=True)
class TableEntry:
    name: str
    columns: tuple[str, ...]
    rows: int


@dataclass(frozen=True)
class Manifest:
    revision: str
    created_at: str  # ISO 8601, UTC
    source_dialect: str
    tables: tuple[TableEntry, ...]

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "revision": self.revision,
                "created_at": self.created_at,
                "source_dialect": self.source_dialect,
                "null": NULL,
                "tables": [
                    {"name": e.name, "file": f"{e.name}.csv", "columns": list(e.columns), "rows": e.rows}
                    for e in self.tables
                ],
            },
            indent=2,
            ensure_ascii=False,
        )

    @property
    def total_rows(self) -> int:
        return sum(e.rows for e in self.tables)


def parse_manifest(text: str) -> Manifest:
    try:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ArchiveRefused("backup.error.format", found=str(data.get("format")))
        return Manifest(
            revision=str(data["revision"]),
            created_at=str(data["created_at"]),
            source_dialect=str(data.get("source_dialect", "")),
            tables=tuple(
                TableEntry(str(e["name"]), tuple(str(c) for c in e["columns"]), int(e["rows"]))
                for e in data["tables"]
            ),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ArchiveRefused("backup.error.manifest", detail=str(exc)) from exc


def check_tables(manifest: Manifest, expected: dict[str, tuple[str, ...]]) -> None:
    """Refuse an archive whose tables or columns are not exactly this schema's."""
    found = {e.name: e.columns for e in manifest.tables}
    if set(found) != set(expected):
        missing = sorted(set(expected) - set(found))
        extra = sorted(set(found) - set(expected))
        raise ArchiveRefused(
            "backup.error.tables", missing=", ".join(missing) or "—", extra=", ".join(extra) or "—"
        )
    for name, columns in expected.items():
        if tuple(found[name]) != tuple(columns):
            raise ArchiveRefused("backup.error.columns", table=name)
