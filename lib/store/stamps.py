"""The network's data version: one cheap read that says whether anything the network screens
count has changed since a value was cached.

Triggers (migration 0011) move a counter of ``network_version`` in the same transaction as
every write to the tables those screens read — territories, sharing levels, peer groups,
people, memberships, contact consents, submitted self-assessments and their scores,
milestones, campaigns, submitted responses, the journal — whichever process or tool writes.
The stamp is the sum of the counters; each only grows, so the sum moves with any of them.

Read it *before* what it covers, on the same connection: a write committed in between is then
in the data but not in the stamp, and the next rerun, seeing the new stamp, computes again.
Read after, a value computed before the write would be kept under the newer stamp — stale.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from lib.store import tables

# What the triggers watch (kept equal to migration 0011's list by tests/test_network_version.py,
# so a migration that rebuilds one of these tables on SQLite, and drops its triggers with it,
# is caught).
WATCHED_TABLES = (
    "territory",
    "territory_sharing",
    "peer_group",
    "peer_group_member",
    "person",
    "peer_contact_consent",
    "membership",
    "assessment",
    "assessment_score",
    "milestone",
    "campaign",
    "response",
    "activity_log",
)


def network_version(conn: Connection) -> int:
    return int(
        conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(tables.network_version.c.version), 0))
        ).scalar_one()
    )
