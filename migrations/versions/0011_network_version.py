"""network version: a stamp every write to what the network screens show moves, by trigger

Pilotage du réseau, the coordinators' Accueil and « Qui peut m'aider ? » count over the whole
network (journal entries, responses, self-assessments, memberships, sharing levels...): a
few hundred milliseconds at 1,000 territories. Their results are cached under this stamp
(``lib.services.cache``, decision 0015), so it must move in the same transaction as *every*
write that changes them, from any process, the app's services, an import, a restore or a
hand-typed statement alike. Triggers do that without any code path to forget.

``network_version`` holds counters (one on SQLite, whose writers take turns anyway; 16 on
PostgreSQL, picked by the writing backend, so that concurrent writers rarely wait on the
same row). The stamp is their sum: each only grows, so the sum moves whenever one does. A
bump takes the larger of the counter plus one and the time in milliseconds, so that a
database created again (a reseed, a restore into a new database) never meets a stamp a
process cached from the one before.

What moves it (``WATCHED``): any write to the tables below, except responses and
self-assessments that are neither submitted nor were (drafts: nobody else sees them), and
scores of a draft self-assessment. PostgreSQL fires once per statement (a bulk load or a
restore bumps once per statement, not once per row; transition tables tell whether a
submitted row was among them); SQLite once per row.

Revision ID: 0011_network_version
Revises: 0010_live_workshop
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

from migrations.security import lock_down_schema

revision = "0011_network_version"
down_revision = "0010_live_workshop"
branch_labels = None
depends_on = None

SCHEMA = "parcours"
PG_SLOTS = 16

# Table -> the condition, on one row ``{r}``, for its write to matter (None: always).
WATCHED = {
    "territory": None,
    "territory_sharing": None,
    "peer_group": None,
    "peer_group_member": None,
    "person": None,
    "peer_contact_consent": None,
    "membership": None,
    "assessment": "{r}.status = 'submitted'",
    "assessment_score": "(SELECT a.status FROM {s}assessment a WHERE a.id = {r}.assessment_id) = 'submitted'",
    "milestone": None,
    "campaign": None,
    "response": "{r}.status = 'submitted'",
    "activity_log": None,
}

_SQLITE_NOW_MS = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
_PG_NOW_MS = "(extract(epoch from clock_timestamp()) * 1000)::bigint"


def _sqlite_upgrade() -> None:
    op.execute(f"INSERT INTO network_version (slot, version) VALUES (0, {_SQLITE_NOW_MS})")
    bump = f"UPDATE network_version SET version = MAX(version + 1, {_SQLITE_NOW_MS});"
    for table, condition in WATCHED.items():
        for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("NEW", "OLD")), ("DELETE", ("OLD",))):
            when = ""
            if condition:
                tests = [condition.format(s="", r=row) for row in rows]
                when = " WHEN " + " OR ".join(f"({t})" for t in tests)
            op.execute(
                f"CREATE TRIGGER network_version_{table}_{event.lower()} AFTER {event} ON {table}"
                f"{when} BEGIN {bump} END"
            )


def _pg_upgrade() -> None:
    s = f"{SCHEMA}."
    op.execute(
        f"INSERT INTO {s}network_version (slot, version) "
        f"SELECT slot, {_PG_NOW_MS} FROM generate_series(0, {PG_SLOTS - 1}) AS slot"
    )
    op.execute(
        f"""CREATE FUNCTION {s}bump_network_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE {s}network_version SET version = GREATEST(version + 1, {_PG_NOW_MS})
            WHERE slot = pg_backend_pid() % {PG_SLOTS};
            RETURN NULL;
        END $$"""
    )
    for table, condition in WATCHED.items():
        if condition is None:
            op.execute(
                f"CREATE TRIGGER network_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {s}{table} FOR EACH STATEMENT EXECUTE FUNCTION {s}bump_network_version()"
            )
            continue
        test = condition.format(s=s, r="r")
        # One trigger per event: a trigger with transition tables fires for one event only.
        checks = {
            "insert": (
                "REFERENCING NEW TABLE AS new_rows",
                f"EXISTS (SELECT 1 FROM new_rows r WHERE {test})",
            ),
            "update": (
                "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
                f"EXISTS (SELECT 1 FROM new_rows r WHERE {test}) "
                f"OR EXISTS (SELECT 1 FROM old_rows r WHERE {test})",
            ),
            "delete": (
                "REFERENCING OLD TABLE AS old_rows",
                f"EXISTS (SELECT 1 FROM old_rows r WHERE {test})",
            ),
        }
        for event, (referencing, check) in checks.items():
            function = f"{s}network_version_{table}_{event}"
            op.execute(
                f"""CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF {check} THEN
                        UPDATE {s}network_version SET version = GREATEST(version + 1, {_PG_NOW_MS})
                        WHERE slot = pg_backend_pid() % {PG_SLOTS};
                    END IF;
                    RETURN NULL;
                END $$"""
            )
            op.execute(
                f"CREATE TRIGGER network_version_{event} AFTER {event.upper()} ON {s}{table} "
                f"{referencing} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
        op.execute(
            f"CREATE TRIGGER network_version_truncate AFTER TRUNCATE ON {s}{table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {s}bump_network_version()"
        )


def upgrade() -> None:
    op.create_table(
        "network_version",
        sa.Column("slot", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("slot", name=op.f("pk_network_version")),
    )
    if op.get_bind().dialect.name == "postgresql":
        _pg_upgrade()
    else:
        _sqlite_upgrade()
    lock_down_schema()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        s = f"{SCHEMA}."
        for table, condition in WATCHED.items():
            if condition is None:
                op.execute(f"DROP TRIGGER network_version ON {s}{table}")
                continue
            for event in ("insert", "update", "delete", "truncate"):
                op.execute(f"DROP TRIGGER network_version_{event} ON {s}{table}")
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP FUNCTION {s}network_version_{table}_{event}()")
        op.execute(f"DROP FUNCTION {s}bump_network_version()")
    else:
        for table in WATCHED:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER network_version_{table}_{event}")
    op.drop_table("network_version")
