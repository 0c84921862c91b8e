"""A database that stops answering: every read of the access services says so plainly.

The pages show ``ReadFailed`` as a French sentence; a raw SQLAlchemy error would reach the
person as a traceback. Checked on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from lib.access import Role
from lib.domain.errors import ReadFailed
from lib.i18n import translate
from lib.services import identity, membership, territories
from tests.factories import make_actor, make_territory


@contextmanager
def database_not_answering(engine: Engine) -> Iterator[None]:
    """Every statement fails the way a dropped connection does, until the block ends."""

    def refuse(conn, cursor, statement, parameters, context, executemany):
        raise engine.dialect.loaded_dbapi.OperationalError("server closed the connection unexpectedly")

    sa.event.listen(engine, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        sa.event.remove(engine, "before_cursor_execute", refuse)


READS: dict[str, Callable] = {
    "load_actor": lambda e, w: identity.load_actor(e, w["admin"].person_id),
    "list_demo_personas": lambda e, w: identity.list_demo_personas(e),
    "actor_for_login": lambda e, w: identity.actor_for_login(
        e, {"email": w["admin"].email, "email_verified": True}
    ),
    "list_own_territories": lambda e, w: territories.list_own_territories(e, w["admin"]),
    "manageable_scopes": lambda e, w: membership.manageable_scopes(e, w["coordinator"]),
    "request_targets": lambda e, w: membership.request_targets(e, w["admin"]),
    "list_members": lambda e, w: membership.list_members(e, w["admin"], w["territory"]),
    "list_invitations": lambda e, w: membership.list_invitations(e, w["admin"], w["territory"]),
    "my_requests": lambda e, w: membership.my_requests(e, w["admin"]),
    "pending_requests": lambda e, w: membership.pending_requests(e, w["coordinator"]),
}


@pytest.mark.parametrize("read", list(READS))
def test_a_read_while_the_database_is_down_fails_with_a_plain_message(engine, read):
    territory = make_territory(engine, "Aubrac")
    world = {
        "territory": territory,
        "admin": make_actor(engine, Role.TERRITORY_ADMIN, territory, "Anne Admin"),
        "coordinator": make_actor(engine, Role.COORDINATOR, None, "Coralie Coordination"),
    }
    READS[read](engine, world)  # answers while the database does

    with database_not_answering(engine), pytest.raises(ReadFailed) as caught:
        READS[read](engine, world)

    assert translate(caught.value.code, "fr").startswith("Impossible de lire les données")
    READS[read](engine, world)  # and answers again once the database is back
