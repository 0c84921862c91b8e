"""The one start-up: what must hold before anyone uses a database.

Called by ``python -m lib.cli migrate`` (and ``seed``) and, once per process and database,
by the app (``components.ui.engine``). Each step is idempotent, so running it again on a
database that is already up to date changes nothing. An area that needs reference data in
the database (templates, catalogues) adds its step to ``STEPS``.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from lib.domain.errors import ServiceError
from lib.services import feedback
from lib.store import limits, migrate, statistics
from lib.store.db import one_start_up_at_a_time


class StartupFailed(ServiceError):
    """The database could not be prepared (unreachable, or a write at start-up refused)."""

    code = "error.startup_failed"


STEPS: list[tuple[str, Callable[[Engine], None]]] = [
    ("migrations", migrate.upgrade),
    ("database limits", limits.ensure_role_limits),
    ("form templates", feedback.ensure_templates),
    ("planner statistics", statistics.refresh),
]


def bootstrap(engine: Engine) -> None:
    """Migrate, then synchronise the reference data shipped in ``data/``; one process at a time."""
    current = STEPS[0][0]  # a database that does not answer fails before the first step
    try:
        with one_start_up_at_a_time(engine):
            for name, step in STEPS:
                current = name
                step(engine)
    except (SQLAlchemyError, ServiceError) as exc:
        raise StartupFailed(step=current) from exc
