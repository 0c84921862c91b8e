import sqlalchemy as sa

from lib.store import tables
from tests.conftest import count_rows


def test_a_territory_round_trips(engine):
    with engine.begin() as conn:
        conn.execute(sa.insert(tables.territory).values(slug="loos", name="Loos-en-Gohelle", kind="commune"))
    assert count_rows(engine, tables.territory) == 1
    with engine.connect() as conn:
        row = conn.execute(sa.select(tables.territory)).one()
    assert row.sharing == "private" and row.created_at.tzinfo is not None
