"""The network's full export and its restore (issue 10, item 4; decision 0012).

Export: a coordinator (MANAGE_NETWORK) downloads every table as one ZIP archive; the operator
does the same with ``python -m lib.cli export``. Restore: ``python -m lib.cli restore`` only.
A restore needs an empty database, and the one database a coordinator can reach from the app
holds at least that coordinator, so the app offers no restore: whoever restores holds the
database's credentials already, which is the right that matters.

Either way the archive is the same, whatever the dialect it came from or goes to.
"""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from typing import BinaryIO

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from lib.access import Action, Actor, require
from lib.domain import archive
from lib.domain.archive import ArchiveRefused, Manifest
from lib.domain.errors import ReadFailed
from lib.services.unit_of_work import writing
from lib.store import backup as store
from lib.store import migrate
from lib.store.activity import log_activity

__all__ = ["ArchiveRefused", "Manifest", "export_archive", "restore_archive", "table_count", "write_archive"]


def table_count() -> int:
    """How many tables an archive holds (one CSV each): for a progress bar."""
    return len(store.schema())


def write_archive(engine: Engine, out: BinaryIO, *, progress: store.Progress | None = None) -> Manifest:
    """Every table into ``out`` as of one instant (the operator's export; no rights asked)."""
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                # One snapshot for every table: rows written meanwhile are in no file, or in all.
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                revision = migrate.current_revision(conn)
                with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                    entries = store.write_tables(conn, zf, progress)
                    manifest = Manifest(
                        revision=revision or "",
                        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                        source_dialect=conn.dialect.name,
                        tables=tuple(entries),
                    )
                    zf.writestr(archive.MANIFEST, manifest.to_json())
    except SQLAlchemyError as exc:
        raise ReadFailed() from exc
    return manifest


def export_archive(
    engine: Engine, actor: Actor | None, out: BinaryIO, *, progress: store.Progress | None = None
) -> Manifest:
    """A coordinator's download of the whole network; the journal keeps who took it."""
    actor = require(actor, Action.MANAGE_NETWORK)
    manifest = write_archive(engine, out, progress=progress)
    with writing(engine) as conn:
        log_activity(
            conn,
            person_id=actor.person_id,
            territory_id=None,
            action="network.exported",
            details={"rows": manifest.total_rows, "revision": manifest.revision},
        )
    return manifest


def read_manifest(source: BinaryIO) -> tuple[zipfile.ZipFile, Manifest]:
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveRefused("backup.error.not_zip") from exc
    try:
        text = zf.read(archive.MANIFEST).decode("utf-8")
    except (KeyError, UnicodeDecodeError) as exc:
        raise ArchiveRefused("backup.error.missing_file", file=archive.MANIFEST) from exc
    return zf, archive.parse_manifest(text)


def restore_archive(engine: Engine, source: BinaryIO, *, progress: store.Progress | None = None) -> Manifest:
    """Fill an empty database from an archive of this very schema revision, all or nothing.

    A database never migrated is migrated first. Refused (``ArchiveRefused``), nothing
    written: an archive of another revision, a database at another revision or holding data,
    a file that is not the archive it claims to be.
    """
    zf, manifest = read_manifest(source)
    head = migrate.head_revision()
    if manifest.revision != head:
        raise ArchiveRefused("backup.error.archive_revision", archive=manifest.revision, expected=head)
    archive.check_tables(manifest, store.schema())
    current = migrate.current_revision(engine)
    if current is None:
        migrate.upgrade(engine)
    elif current != head:
        raise ArchiveRefused("backup.error.database_revision", database=current, expected=head)
    with zf, writing(engine) as conn:
        holding = store.tables_holding_data(conn)
        if holding:
            raise ArchiveRefused("backup.error.not_empty", tables=", ".join(holding))
        store.clear_reference_data(conn)
        store.read_tables(conn, zf, manifest, progress)
    return manifest
