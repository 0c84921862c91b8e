"""How every service touches the database: one transaction, failures said plainly.

A database error inside ``writing`` rolls the whole transaction back (nothing half-written)
and becomes ``WriteFailed``, which pages show as "nothing was saved, try again" while
keeping the form. ``reading`` does the same for reads with ``ReadFailed``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from lib.domain.errors import ReadFailed, WriteFailed
from lib.store.db import transaction


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    try:
        with transaction(engine) as conn:
            yield conn
    except SQLAlchemyError as exc:
        raise WriteFailed() from exc


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    try:
        with engine.connect() as conn:
            yield conn
    except SQLAlchemyError as exc:
        raise ReadFailed() from exc
