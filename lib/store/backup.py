"""Every table in and out of the network's archive (its format: ``lib.domain.archive``).

Tables are written and read in the order of their foreign keys (``metadata.sorted_tables``),
so a restore inserts a row only after the rows it points at, with the foreign keys checked
as usual. Rows stream in chunks: neither side holds a whole table in memory.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lib.domain import archive
from lib.domain.archive import ArchiveRefused, Manifest, TableEntry
from lib.store import tables
from lib.store.db import PG_SCHEMA

CHUNK = 2_000

# Called after each table with its name and how many rows went through.
Progress = Callable[[str, int], None]


def column_kind(column: sa.Column) -> str:
    kind = column.type
    if isinstance(kind, tables.UTCDateTime | sa.DateTime):
        return "datetime"
    if isinstance(kind, sa.Date):
        return "date"
    if isinstance(kind, sa.Boolean):
        return "bool"
    if isinstance(kind, sa.Integer):
        return "int"
    if isinstance(kind, sa.Float):
        return "float"
    if isinstance(kind, sa.JSON):
        return "json"
    if isinstance(kind, sa.String | sa.Text):
        return "text"
    raise TypeError(f"{column}: no archive format for {kind!r}")


def schema() -> dict[str, tuple[str, ...]]:
    """Each table's columns, tables in the order a restore fills them."""
    return {table.name: tuple(c.name for c in table.c) for table in tables.metadata.sorted_tables}


def _file(name: str) -> str:
    return f"{name}.csv"


def write_tables(conn: Connection, zf: zipfile.ZipFile, progress: Progress | None = None) -> list[TableEntry]:
    """Write one CSV per table into ``zf``; returns what each holds, for the manifest."""
    entries = []
    for table in tables.metadata.sorted_tables:
        kinds = [column_kind(c) for c in table.c]
        # JSON is read as its text: an SQL NULL and a JSON ``null`` stay different.
        selected = [
            sa.cast(c, sa.Text).label(c.name) if k == "json" else c
            for c, k in zip(table.c, kinds, strict=True)
        ]
        query = sa.select(*selected).order_by(*table.primary_key.columns)
        count = 0
        with zf.open(_file(table.name), "w", force_zip64=True) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            writer = csv.writer(text)
            writer.writerow([c.name for c in table.c])
            for row in conn.execution_options(yield_per=CHUNK).execute(query):
                writer.writerow([archive.encode(v, k) for v, k in zip(row, kinds, strict=True)])
                count += 1
            text.flush()
            text.detach()
        entries.append(TableEntry(table.name, tuple(c.name for c in table.c), count))
        if progress:
            progress(table.name, count)
    return entries


def tables_holding_data(conn: Connection) -> list[str]:
    """Tables with at least one row, reference data aside: none in an empty database."""
    return [
        table.name
        for table in tables.metadata.sorted_tables
        if table.name not in tables.REFERENCE_TABLES
        and conn.execute(sa.select(1).select_from(table).limit(1)).first()
    ]


def clear_reference_data(conn: Connection) -> None:
    """Start-up stores templates and the framework; the archive brings its own."""
    for table in reversed(tables.metadata.sorted_tables):
        if table.name in tables.REFERENCE_TABLES:
            conn.execute(table.delete())


def _insert(conn: Connection, table: sa.Table, kinds: list[str]) -> sa.Insert:
    # JSON arrives as text and is stored as that text (PostgreSQL casts it), keeping NULL apart
    # from a JSON ``null``; the parameter is renamed because a column's own name is reserved.
    json_values = {}
    for column, kind in zip(table.c, kinds, strict=True):
        if kind == "json":
            param = sa.bindparam(f"{column.name}__json", type_=sa.Text)
            postgres = conn.dialect.name == "postgresql"
            json_values[column.name] = sa.cast(param, column.type) if postgres else param
    return table.insert().values(json_values) if json_values else table.insert()


# PostgreSQL restores with COPY; ``bench/backup.py`` turns it off for its baseline.
PG_COPY = True


def _writer(conn: Connection, table: sa.Table, kinds: list[str]) -> Callable[[list[list]], None]:
    """How a chunk of rows (values in column order) goes into ``table``.

    PostgreSQL: ``COPY … FROM STDIN`` on the transaction's own connection, several times faster
    than INSERTs (``bench/backup.py``); JSON goes as its text, which the server parses. SQLite:
    ``executemany`` of one INSERT."""
    columns = [c.name for c in table.c]
    if conn.dialect.name == "postgresql" and PG_COPY:
        names = ", ".join(f'"{name}"' for name in columns)
        copy_sql = f'COPY {PG_SCHEMA}."{table.name}" ({names}) FROM STDIN'
        cursor = conn.connection.driver_connection.cursor()

        def copy(rows: list[list]) -> None:
            with cursor.copy(copy_sql) as out:
                for row in rows:
                    out.write_row(row)

        return copy
    statement = _insert(conn, table, kinds)
    keys = [f"{n}__json" if k == "json" else n for n, k in zip(columns, kinds, strict=True)]

    def insert(rows: list[list]) -> None:
        conn.execute(statement, [dict(zip(keys, row, strict=True)) for row in rows])

    return insert


def read_tables(
    conn: Connection, zf: zipfile.ZipFile, manifest: Manifest, progress: Progress | None = None
) -> None:
    """Insert every row of the archive; ``ArchiveRefused`` names the first cell that is wrong."""
    rows_of = {e.name: e.rows for e in manifest.tables}
    for table in tables.metadata.sorted_tables:
        columns = [c.name for c in table.c]
        kinds = [column_kind(c) for c in table.c]
        write = _writer(conn, table, kinds)
        count = 0
        try:
            raw = zf.open(_file(table.name))
        except KeyError as exc:
            raise ArchiveRefused("backup.error.missing_file", file=_file(table.name)) from exc
        with raw:
            reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))
            if next(reader, None) != columns:
                raise ArchiveRefused("backup.error.columns", table=table.name)
            batch = []
            for line, cells in enumerate(reader, start=2):
                if len(cells) != len(columns):
                    raise ArchiveRefused("backup.error.row_length", table=table.name, line=line)
                values = []
                for name, kind, cell in zip(columns, kinds, cells, strict=True):
                    try:
                        values.append(archive.decode(cell, kind))
                    except ValueError as exc:
                        raise ArchiveRefused(
                            "backup.error.cell", table=table.name, line=line, column=name, detail=str(exc)
                        ) from exc
                batch.append(values)
                count += 1
                if len(batch) >= CHUNK:
                    write(batch)
                    batch = []
            if batch:
                write(batch)
        if count != rows_of[table.name]:
            raise ArchiveRefused(
                "backup.error.count", table=table.name, expected=rows_of[table.name], found=count
            )
        if progress:
            progress(table.name, count)
    if conn.dialect.name == "postgresql":
        _restart_sequences(conn)


def _restart_sequences(conn: Connection) -> None:
    """Rows came with their ids: the next id each sequence hands out follows the largest."""
    for table in tables.metadata.sorted_tables:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        name = f"{PG_SCHEMA}.{table.name}"
        conn.execute(
            sa.text(
                "select setval(pg_get_serial_sequence(:name, 'id'), coalesce(max(id), 0) + 1, false)"
                f" from {name}"
            ),
            {"name": name},
        )
