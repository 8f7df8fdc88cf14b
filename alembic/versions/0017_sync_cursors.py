"""sync cursors: how far the status sync has read each connection's changes

Revision ID: 0017
Revises: 0016

``sync_cursors`` holds one row per connection whose tool answers "what changed since" (Jira and
Confluence); ``project_status.full_synced_at`` is the last sync that read every resource, so
tools with a change query are read in full only once per full-pass interval. The new tenant table
gets the row-level security of revision 0005.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from projecthub.models.base import UTCDateTime

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ORG = "NULLIF(current_setting('app.org_id', true), '')"
_TENANT = f"({_ORG} IS NULL OR organization_id = {_ORG}::uuid)"


def upgrade() -> None:
    op.create_table(
        'sync_cursors',
        sa.Column('connection_id', sa.Uuid(), nullable=False),
        sa.Column('organization_id', sa.Uuid(), nullable=False),
        sa.Column('tool', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('checked_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['connection_id'], ['tool_connections.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('connection_id'),
    )
    op.create_index('ix_sync_cursors_organization_id', 'sync_cursors', ['organization_id'])
    with op.batch_alter_table('project_status', schema=None) as batch_op:
        batch_op.add_column(sa.Column('full_synced_at', UTCDateTime(timezone=True),
                                      nullable=True))
    if op.get_context().dialect.name == "postgresql":
        op.execute("ALTER TABLE sync_cursors ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE sync_cursors FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY tenant_isolation ON sync_cursors "
                   f"USING ({_TENANT}) WITH CHECK ({_TENANT})")


def downgrade() -> None:
    with op.batch_alter_table('project_status', schema=None) as batch_op:
        batch_op.drop_column('full_synced_at')
    op.drop_index('ix_sync_cursors_organization_id', table_name='sync_cursors')
    op.drop_table('sync_cursors')
