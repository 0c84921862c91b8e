"""PostgreSQL hardening shared by every migration that creates tables.

Supabase exposes tables to its REST API through the ``anon`` and ``authenticated``
roles. Parcours's tables live outside ``public``, have row-level security enabled
with no policy for those roles, and those roles get no privilege at all: even a
misconfigured API exposure returns nothing. The app connects as the table owner,
which row-level security does not restrict.
"""

from alembic import op
from sqlalchemy import text

API_ROLES = ("anon", "authenticated")


def lock_down_schema(schema: str = "parcours") -> None:
    """Enable row-level security on every table of the schema and revoke API roles. Idempotent."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    tables = bind.execute(
        text("select tablename from pg_tables where schemaname = :schema"),
        {"schema": schema},
    ).scalars()
    for table in tables:
        op.execute(f'alter table {schema}."{table}" enable row level security')
        op.execute(f'revoke all on {schema}."{table}" from public')
    op.execute(f"revoke all on schema {schema} from public")
    for role in API_ROLES:
        exists = bind.execute(text("select 1 from pg_roles where rolname = :r"), {"r": role}).first()
        if exists:
            op.execute(f"revoke all on all tables in schema {schema} from {role}")
            op.execute(f"revoke all on all sequences in schema {schema} from {role}")
            op.execute(f"revoke all on schema {schema} from {role}")
            op.execute(f"alter default privileges in schema {schema} revoke all on tables from {role}")
