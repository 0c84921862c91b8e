"""CSV imports of territories, peer-group memberships and invitations (issue 10, item 3).

Coordinators only (MANAGE_NETWORK). Every row is checked first, against the database as it
stands and against the rows above it in the file; then either every row is written in one
transaction or none is, and the report lists each problem by line and column. The rows are
checked inside the very transaction that writes them, so nobody can slip a territory with the
same identifier in between.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Connection, Engine

from lib.access import Action, Actor, require
from lib.domain import csv_import as domain
from lib.domain.csv_import import ImportRefused, Problem
from lib.domain.errors import FieldError, ValidationFailed
from lib.services.membership import DEFAULT_INVITATION_DAYS
from lib.services.unit_of_work import writing
from lib.store import imports as store
from lib.store import tables
from lib.store.activity import log_activity

__all__ = ["KINDS", "ImportRefused", "ImportReport", "Problem", "import_csv", "model_file"]

KINDS = tuple(domain.KINDS)
# Told how far the import is (0 to 1) and in which stage ("check", then "write").
Progress = Callable[[float, str], None]
_EVERY = 250  # rows between two progress reports


@dataclass
class ImportReport:
    kind: str
    rows: int
    encoding: str
    separator: str
    problems: list[Problem] = field(default_factory=list)
    applied: bool = False


def model_file(kind: str) -> bytes:
    if kind not in domain.KINDS:
        raise ValidationFailed({"kind": FieldError("error.invalid_value")})
    return domain.model_file(kind)


def _write_territories(conn: Connection, actor: Actor, rows: list[dict[str, Any]], progress) -> None:
    for start in range(0, len(rows), store.CHUNK):
        store.insert_many(conn, tables.territory, rows[start : start + store.CHUNK])
        progress(start + store.CHUNK)


def _write_group_members(conn: Connection, actor: Actor, rows: list[dict[str, Any]], progress) -> None:
    for start in range(0, len(rows), store.CHUNK):
        store.insert_many(conn, tables.peer_group_member, rows[start : start + store.CHUNK])
        progress(start + store.CHUNK)


def _write_invitations(conn: Connection, actor: Actor, rows: list[dict[str, Any]], progress) -> None:
    expires_at = tables.utcnow() + timedelta(days=DEFAULT_INVITATION_DAYS)
    for start in range(0, len(rows), store.CHUNK):
        chunk = [
            {**r, "invited_by": actor.person_id, "expires_at": expires_at}
            for r in rows[start : start + store.CHUNK]
        ]
        ids = store.insert_invitations(conn, chunk)
        # Each invitation in its territory's journal, as when it is sent from the members' page.
        for row, invitation_id in zip(chunk, ids, strict=True):
            log_activity(
                conn,
                person_id=actor.person_id,
                territory_id=row["territory_id"],
                action="invitation.created",
                subject_type="invitation",
                subject_id=invitation_id,
                details={"email": row["email"], "role": row["role"], "valid_days": DEFAULT_INVITATION_DAYS},
            )
        progress(start + store.CHUNK)


_WRITERS = {
    "territories": _write_territories,
    "peer_group_members": _write_group_members,
    "invitations": _write_invitations,
}


def import_csv(
    engine: Engine, actor: Actor | None, kind: str, data: bytes, *, progress: Progress | None = None
) -> ImportReport:
    """Check every row of ``data``, then write them all, or none when any row is wrong.

    Raises ``ImportRefused`` when the file itself cannot be read (encoding, separator,
    columns, no row); returns the report otherwise, ``applied`` saying whether it was written.
    """
    actor = require(actor, Action.MANAGE_NETWORK)
    if kind not in domain.KINDS:
        raise ValidationFailed({"kind": FieldError("error.invalid_value")})
    spec = domain.KINDS[kind]
    if not isinstance(data, bytes):
        raise ValidationFailed({"file": FieldError("error.invalid_value")})
    parsed = domain.read_file(data, spec.columns, spec.required)
    total = len(parsed.records)
    if not total:
        raise ImportRefused("import.error.no_rows")
    report = ImportReport(kind, total, parsed.encoding, parsed.separator)
    tell = progress or (lambda done, stage: None)
    with writing(engine) as conn:
        known = store.known(conn, tables.utcnow())
        rows = []
        for index, record in enumerate(parsed.records):
            values, problems = domain.check_record(kind, record, known)
            rows.append(values)
            report.problems.extend(problems)
            if index % _EVERY == 0:
                tell(index / total / 2, "check")
        if report.problems:
            tell(1.0, "check")
            return report
        _WRITERS[kind](conn, actor, rows, lambda done: tell(0.5 + min(done, total) / total / 2, "write"))
        log_activity(
            conn,
            person_id=actor.person_id,
            territory_id=None,
            action=f"import.{kind}",
            details={"rows": total},
        )
    report.applied = True
    tell(1.0, "write")
    return report
