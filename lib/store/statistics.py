"""The statistics each database's query planner chooses its plans from.

SQLite keeps none until ``ANALYZE`` runs, and without them it may pick an index that fits a
query badly (measured in ``bench/screens.py``: the results page twice as slow on a network
never analysed). Start-up (``lib.bootstrap``) refreshes them after the migrations, so every
process starts from statistics of the data as it is, the demo seed and a restore included
(both are followed by a start-up). ``analysis_limit`` makes ANALYZE sample each index rather
than read it whole: a few tens of milliseconds even on a large network.

PostgreSQL's autovacuum keeps its own statistics up to date; nothing is done there.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from lib.store.db import is_postgres

# Rows sampled per index (SQLite's recommended range is 100 to 1000).
ANALYSIS_LIMIT = 1000


def refresh(engine: Engine) -> None:
    if is_postgres(engine):
        return
    with engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        conn.exec_driver_sql("ANALYZE")
