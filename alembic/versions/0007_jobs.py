"""background jobs: procrastinate's schema (PostgreSQL only)

The schema is procrastinate's own (``SchemaManager.get_schema()`` of the installed version),
not a copy; a later procrastinate upgrade ships its migrations, applied by a revision of ours.
Its tables carry no organization_id, so they need no row-level security; the app role reads
them (readiness, metrics) through the default privileges of 0005. SQLite runs jobs in process
and has nothing to install.

Revision ID: 0007
Revises: 0006
"""
from collections.abc import Sequence

from procrastinate.schema import SchemaManager

from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    # Straight to the driver, without parameters: the SQL is procrastinate's, with its own
    # colons and percent signs in PL/pgSQL bodies.
    bind.connection.driver_connection.execute(SchemaManager.get_schema())


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("""
        DO $$
        DECLARE item record;
        BEGIN
            FOR item IN SELECT p.oid::regprocedure AS name FROM pg_proc p
                        WHERE p.pronamespace = 'public'::regnamespace
                          AND p.proname LIKE 'procrastinate%' LOOP
                EXECUTE 'DROP FUNCTION IF EXISTS ' || item.name || ' CASCADE';
            END LOOP;
            FOR item IN SELECT c.relname AS name FROM pg_class c
                        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
                          AND c.relname LIKE 'procrastinate%' LOOP
                EXECUTE 'DROP TABLE IF EXISTS ' || quote_ident(item.name) || ' CASCADE';
            END LOOP;
            FOR item IN SELECT t.typname AS name FROM pg_type t
                        WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'c')
                          AND t.typname LIKE 'procrastinate%' LOOP
                EXECUTE 'DROP TYPE IF EXISTS ' || quote_ident(item.name) || ' CASCADE';
            END LOOP;
        END $$;
    """)
