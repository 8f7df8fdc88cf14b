"""webhooks: an endpoint per connection, accepted deliveries, and what refreshed a snapshot

Revision ID: 0015
Revises: 0014

``webhook_endpoints`` (token stored as a hash, secret encrypted) and ``webhook_deliveries``
(vendor delivery ids until their replay window ends) are tenant tables with the row-level
security of revision 0005. ``status_snapshots.refreshed_by`` says whether the last good fetch
came from the sync or a webhook.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from projecthub.models.base import UTCDateTime

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ORG = "NULLIF(current_setting('app.org_id', true), '')"
_TENANT = f"({_ORG} IS NULL OR organization_id = {_ORG}::uuid)"
_TABLES = ("webhook_endpoints", "webhook_deliveries")


def upgrade() -> None:
    op.create_table(
        'webhook_endpoints',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('organization_id', sa.Uuid(), nullable=False),
        sa.Column('connection_id', sa.Uuid(), nullable=False),
        sa.Column('tool', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('secret', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column('mode', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('expires_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_by', sa.Uuid(), nullable=True),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_delivery_at', UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['connection_id'], ['tool_connections.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('connection_id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_webhook_endpoints_organization_id', 'webhook_endpoints',
                    ['organization_id'])
    op.create_table(
        'webhook_deliveries',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('organization_id', sa.Uuid(), nullable=False),
        sa.Column('endpoint_id', sa.Uuid(), nullable=False),
        sa.Column('delivery_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('event', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('refs', sa.JSON(), nullable=False),
        sa.Column('received_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('handled_at', UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoints.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('endpoint_id', 'delivery_key'),
    )
    op.create_index('ix_webhook_deliveries_organization_id', 'webhook_deliveries',
                    ['organization_id'])
    op.create_index('ix_webhook_deliveries_expires', 'webhook_deliveries', ['expires_at'])
    with op.batch_alter_table('status_snapshots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refreshed_by',
                                      sqlmodel.sql.sqltypes.AutoString(length=20),
                                      nullable=False, server_default='sync'))
    if op.get_context().dialect.name == "postgresql":
        for table in _TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(f"CREATE POLICY tenant_isolation ON {table} "
                       f"USING ({_TENANT}) WITH CHECK ({_TENANT})")


def downgrade() -> None:
    with op.batch_alter_table('status_snapshots', schema=None) as batch_op:
        batch_op.drop_column('refreshed_by')
    op.drop_index('ix_webhook_deliveries_expires', table_name='webhook_deliveries')
    op.drop_index('ix_webhook_deliveries_organization_id', table_name='webhook_deliveries')
    op.drop_table('webhook_deliveries')
    op.drop_index('ix_webhook_endpoints_organization_id', table_name='webhook_endpoints')
    op.drop_table('webhook_endpoints')
