"""organizations.data_version: moves with every change to what the project list can answer

Revision ID: 0019
Revises: 0020

The API caches the project list's serialized answer per (organization, data version, who is
asking, query) and reads the version in the statement that resolves the bearer token
(``api/list_cache.py``, docs/architecture.md). Triggers bump it in the transaction of every write
the list can show: projects (their health, tools, drift and tallies come through this table
too), project_status, project_members (what a member sees) and a person's display name (the
owner column, in every organization: RLS would hide some of that person's projects from the
trigger, and names change rarely).

On PostgreSQL the triggers are deferred constraint triggers: the organization's row is locked
at commit, after every other lock the transaction takes, so syncs writing different projects of
one organization cannot deadlock on it; a transaction-local setting bumps each organization once
per transaction. SQLite has one writer at a time: plain triggers.

Numbered 0019 but applied after 0020, which reached the main branch first.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0019'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('projects', 'project_status', 'project_members')
_BUMP = "UPDATE organizations SET data_version = data_version + 1"

POSTGRESQL = (
    f"""CREATE FUNCTION projecthub_bump_data_version(org uuid) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        IF org IS NULL OR current_setting('projecthub.bumped', true)
                LIKE '%' || org::text || '%' THEN
            RETURN;
        END IF;
        {_BUMP} WHERE id = org;
        PERFORM set_config('projecthub.bumped',
                           coalesce(current_setting('projecthub.bumped', true), '') || org::text,
                           true);
    END $$""",
    """CREATE FUNCTION projecthub_list_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'DELETE' THEN
            PERFORM projecthub_bump_data_version(NEW.organization_id);
        END IF;
        IF TG_OP <> 'INSERT' THEN
            PERFORM projecthub_bump_data_version(OLD.organization_id);
        END IF;
        RETURN NULL;
    END $$""",
    *(f"""CREATE CONSTRAINT TRIGGER trg_{table}_data_version
    AFTER INSERT OR UPDATE OR DELETE ON {table} DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION projecthub_list_changed()""" for table in TABLES),
    f"""CREATE FUNCTION projecthub_owner_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF current_setting('projecthub.bumped', true) IS DISTINCT FROM 'all' THEN
            {_BUMP};
            PERFORM set_config('projecthub.bumped', 'all', true);
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE CONSTRAINT TRIGGER trg_users_data_version
    AFTER UPDATE OF display_name ON users DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name)
    EXECUTE FUNCTION projecthub_owner_renamed()""",
)


def _sqlite_triggers() -> list[str]:
    statements = []
    for table in TABLES:
        new, old = (f"{_BUMP} WHERE id = {row}.organization_id;" for row in ("NEW", "OLD"))
        statements += [
            f"CREATE TRIGGER trg_{table}_data_version_insert AFTER INSERT ON {table} "
            f"BEGIN {new} END",
            f"CREATE TRIGGER trg_{table}_data_version_delete AFTER DELETE ON {table} "
            f"BEGIN {old} END",
            f"CREATE TRIGGER trg_{table}_data_version_update AFTER UPDATE ON {table} "
            f"BEGIN {new} {old} END",
        ]
    return [*statements,
            "CREATE TRIGGER trg_users_data_version AFTER UPDATE OF display_name ON users "
            f"WHEN OLD.display_name IS NOT NEW.display_name BEGIN {_BUMP}; END"]


def upgrade() -> None:
    op.add_column('organizations', sa.Column('data_version', sa.BigInteger(), nullable=False,
                                             server_default='0'))
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for statement in _sqlite_triggers() if sqlite else POSTGRESQL:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for table in TABLES:
            for event in ('insert', 'delete', 'update'):
                op.execute(f"DROP TRIGGER trg_{table}_data_version_{event}")
        op.execute("DROP TRIGGER trg_users_data_version")
    else:
        for table in (*TABLES, 'users'):
            op.execute(f"DROP TRIGGER trg_{table}_data_version ON {table}")
        op.execute("DROP FUNCTION projecthub_owner_renamed()")
        op.execute("DROP FUNCTION projecthub_list_changed()")
        op.execute("DROP FUNCTION projecthub_bump_data_version(uuid)")
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_column('data_version')
