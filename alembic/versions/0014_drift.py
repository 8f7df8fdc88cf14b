"""drift: what a tool says that differs from ProjectHub, and a per-project count

Revision ID: 0014
Revises: 0009

``project_drift`` holds one row per resource, field and subject while a difference lasts;
``projects.drift_count`` (kept by the status sync) serves the dashboard's "Drifted" filter from
the projects index alone. The new tenant table gets the row-level security of revision 0005.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from projecthub.models.base import UTCDateTime

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ORG = "NULLIF(current_setting('app.org_id', true), '')"
_TENANT = f"({_ORG} IS NULL OR organization_id = {_ORG}::uuid)"


def upgrade() -> None:
    op.create_table(
        'project_drift',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('organization_id', sa.Uuid(), nullable=False),
        sa.Column('project_id', sa.Uuid(), nullable=False),
        sa.Column('resource_id', sa.Uuid(), nullable=False),
        sa.Column('tool', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('field', sa.String(length=20), nullable=False),
        sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column('desired', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('actual', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('run_id', sa.Uuid(), nullable=True),
        sa.Column('since', UTCDateTime(timezone=True), nullable=False),
        sa.Column('seen_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['run_id'], ['provisioning_runs.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['resource_id'], ['project_resources.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('resource_id', 'field', 'subject'),
    )
    op.create_index('ix_project_drift_organization_id', 'project_drift', ['organization_id'])
    op.create_index('ix_project_drift_project', 'project_drift', ['project_id', 'since'])
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('drift_count', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.create_index('ix_projects_org_drift', ['organization_id', 'drift_count'])
    if op.get_context().dialect.name == "postgresql":
        op.execute("ALTER TABLE project_drift ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE project_drift FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY tenant_isolation ON project_drift "
                   f"USING ({_TENANT}) WITH CHECK ({_TENANT})")


def downgrade() -> None:
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index('ix_projects_org_drift')
        batch_op.drop_column('drift_count')
    op.drop_index('ix_project_drift_project', table_name='project_drift')
    op.drop_index('ix_project_drift_organization_id', table_name='project_drift')
    op.drop_table('project_drift')
