"""PostgreSQL hardening shared by every migration that creates tables.

Supabase exposes tables to its REST API through the ``anon`` and ``authenticated``
roles. Parcours's tables live outside ``public``, have row-level security enabled
with no policy for those roles, and those roles get no privilege at all: even a
misconfigured API exposure returns nothing.

The schema and everything in it belong to one role, ``parcours_app``
(``lib.store.db.APP_ROLE``), which the app connects as: the table owner, which row-level
security does not restrict, and nothing more (no superuser, no role or database creation).
Whoever runs a migration — ``postgres`` or the app role itself — leaves every object it
creates owned by that role (``lock_down_schema`` hands them over).
"""

from alembic import op
from sqlalchemy import text

from lib.store.db import APP_ROLE

API_ROLES = ("anon", "authenticated")

# Relations to hand over: tables, views, materialised views, partitioned tables, and
# sequences of their own (a sequence behind a serial or identity column follows its table).
_RELATIONS = """
    select c.relname, c.relkind, pg_get_userbyid(c.relowner) from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = :schema and c.relkind in ('r', 'p', 'v', 'm', 'S')
      and not exists (
          select 1 from pg_depend d
          where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('a', 'i')
      )
"""
_KIND = {"S": "sequence", "v": "view", "m": "materialized view"}  # otherwise a table


def lock_down_schema(schema: str = "parcours") -> None:
    """Enable row-level security on every table of the schema, revoke API roles, hand over to
    the app role when it exists. Idempotent."""
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
        if _role_exists(bind, role):
            op.execute(f"revoke all on all tables in schema {schema} from {role}")
            op.execute(f"revoke all on all sequences in schema {schema} from {role}")
            op.execute(f"revoke all on schema {schema} from {role}")
            op.execute(f"alter default privileges in schema {schema} revoke all on tables from {role}")
    if _role_exists(bind, APP_ROLE):
        hand_over_to_app_role(schema)


def ensure_app_role() -> None:
    """Create the owner role, without login, when the guide has not created it already.

    Without login nobody can connect as it until an administrator gives it a password
    (``alter role parcours_app login password '…'``, docs/deploy.md).
    """
    bind = op.get_bind()
    if not _role_exists(bind, APP_ROLE):
        # Roles belong to the whole server: another database may be creating it right now.
        op.execute(
            f"do $$ begin create role {APP_ROLE} nologin; "
            "exception when duplicate_object or unique_violation then null; end $$"
        )


def hand_over_to_app_role(schema: str = "parcours") -> None:
    """Make the app role own the schema and every table, view and sequence in it."""
    bind = op.get_bind()
    member = bind.execute(text("select pg_has_role(current_user, :r, 'MEMBER')"), {"r": APP_ROLE}).scalar()
    if not member:
        # To give an object away, its owner must belong to the new owning role.
        op.execute(f"grant {APP_ROLE} to current_user")
    owner = bind.execute(
        text("select pg_get_userbyid(nspowner) from pg_namespace where nspname = :s"), {"s": schema}
    ).scalar()
    if owner != APP_ROLE:
        op.execute(f"alter schema {schema} owner to {APP_ROLE}")
    for name, kind, owner in bind.execute(text(_RELATIONS), {"schema": schema}).all():
        if owner != APP_ROLE:
            op.execute(f'alter {_KIND.get(kind, "table")} {schema}."{name}" owner to {APP_ROLE}')


def give_back_from_app_role(schema: str = "parcours") -> None:
    """Undo ``hand_over_to_app_role``: the migrating user owns everything again (the role stays:
    it belongs to the whole server and may serve other databases)."""
    bind = op.get_bind()
    if bind.execute(text("select current_user")).scalar() == APP_ROLE:
        return
    for name, kind, owner in bind.execute(text(_RELATIONS), {"schema": schema}).all():
        if owner == APP_ROLE:
            op.execute(f'alter {_KIND.get(kind, "table")} {schema}."{name}" owner to current_user')
    op.execute(f"alter schema {schema} owner to current_user")


def _role_exists(bind, role: str) -> bool:
    return bind.execute(text("select 1 from pg_roles where rolname = :r"), {"r": role}).first() is not None
