"""PostgreSQL row-level security on every tenant table, and the role the app queries as

Revision ID: 0005
Revises: 0004

Every table with an ``organization_id`` gets RLS, FORCEd (so the owner obeys it too) and one
policy: a transaction that has set ``app.org_id`` (``projecthub.core.tenancy``) sees and writes
only that organization's rows; a transaction that has not (sign-in, instance administration,
background workers acting by id) is not restricted, and the service layer's scoping stays the
filter there. Memberships and API tokens also show the acting user (``app.user_id``) their own
rows in every organization (choosing where to act, the organization switcher, "my tokens"); instance-level audit events
(no organization) may be written from any transaction but are read only outside a tenant.

Superusers bypass RLS whatever the policy, and the database user that runs migrations is often
one, so the app runs its queries as ``projecthub_app`` (NOLOGIN, NOSUPERUSER, NOBYPASSRLS): the
engine issues ``SET ROLE projecthub_app`` on every new connection. The role is created here if
missing (roles are per cluster, so several databases share it) and granted to the migrating user.
SQLite has no RLS: this revision does nothing there.
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP_ROLE = "projecthub_app"
TENANT_TABLES = (
    "api_tokens", "audit_events", "invitations", "memberships", "project_members",
    "project_resources", "project_status", "project_tallies", "projects", "provisioning_runs",
    "provisioning_steps", "status_history", "status_snapshots", "template_versions", "templates", "tool_connections",
    "wizard_drafts",
)
_ORG = "NULLIF(current_setting('app.org_id', true), '')"
_USER = "NULLIF(current_setting('app.user_id', true), '')"
# Unset (NULL, or '' once a transaction-local value has been reset) = not restricted.
_TENANT = f"({_ORG} IS NULL OR organization_id = {_ORG}::uuid)"
_OWN_ROW = f"({_USER} IS NOT NULL AND user_id = {_USER}::uuid)"
_PERSONAL = ("memberships", "api_tokens")  # a person's own, listed across organizations


def _using(table: str) -> str:
    """Which rows the transaction sees (and may update or delete)."""
    return f"{_TENANT} OR {_OWN_ROW}" if table in _PERSONAL else _TENANT


def _check(table: str) -> str:
    """Which rows it may write. Instance-level audit events (no organization, e.g. an account
    created) may be recorded from any transaction: the log is append-only, and they stay
    hidden from a tenant's reads."""
    return f"{_TENANT} OR organization_id IS NULL" if table == "audit_events" else _using(table)


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(f"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
                CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS;
            END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- another database of the cluster created it meanwhile
        END
        $$""")
    op.execute(f"GRANT {APP_ROLE} TO CURRENT_USER")
    op.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")
    op.execute(f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {APP_ROLE}")
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")
    # Tables of later revisions are created by the same (migrating) user: grant them too.
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
               f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
               f"GRANT USAGE, SELECT ON SEQUENCES TO {APP_ROLE}")
    for table in TENANT_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY tenant_isolation ON {table} "
                   f"USING ({_using(table)}) WITH CHECK ({_check(table)})")


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for table in TENANT_TABLES:
        op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
               f"REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM {APP_ROLE}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
               f"REVOKE USAGE, SELECT ON SEQUENCES FROM {APP_ROLE}")
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {APP_ROLE}")
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {APP_ROLE}")
    op.execute(f"REVOKE USAGE ON SCHEMA public FROM {APP_ROLE}")
    # The role is shared by every database of the cluster: it stays (it can log in nowhere).
