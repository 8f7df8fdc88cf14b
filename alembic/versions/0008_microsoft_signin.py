"""Sign in with Microsoft: linked Entra ID accounts, sign-ins in progress, organizations' rules

Revision ID: 0008
Revises: 0006

``microsoft_policies`` carries an ``organization_id``, so on PostgreSQL it gets row-level
security like every tenant table (0005): RLS, FORCE and the ``tenant_isolation`` policy on
``app.org_id``. Sign-in itself runs in a transaction bound to no organization, where it finds
the organizations that let people of a directory join. The other two tables belong to people,
not organizations. ``auth_sessions.microsoft_tenant_id`` says which directory a session
signed in from (an organization may require its own).
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
import projecthub.models.base


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_ORG = "NULLIF(current_setting('app.org_id', true), '')"
_TENANT = f"({_ORG} IS NULL OR organization_id = {_ORG}::uuid)"  # as in 0005_rls.py


def upgrade() -> None:
    op.create_table('microsoft_identities',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('object_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('linked_at', projecthub.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_sign_in_at', projecthub.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_microsoft_identities_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_microsoft_identities')),
    sa.UniqueConstraint('tenant_id', 'object_id', name=op.f('uq_microsoft_identities_tenant_id_object_id')),
    sa.UniqueConstraint('user_id', name=op.f('uq_microsoft_identities_user_id'))
    )
    with op.batch_alter_table('microsoft_identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_microsoft_identities_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('microsoft_policies',
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('require_microsoft', sa.Boolean(), nullable=False),
    sa.Column('allow_join', sa.Boolean(), nullable=False),
    sa.Column('join_role', sa.String(length=20), nullable=False),
    sa.Column('updated_by', sa.Uuid(), nullable=True),
    sa.Column('updated_at', projecthub.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_microsoft_policies_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_microsoft_policies_updated_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('organization_id', name=op.f('pk_microsoft_policies'))
    )
    with op.batch_alter_table('microsoft_policies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_microsoft_policies_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('microsoft_sign_ins',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('handle_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('flow', sa.JSON(), nullable=False),
    sa.Column('return_to', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('identity', sa.JSON(), nullable=False),
    sa.Column('created_at', projecthub.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', projecthub.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_microsoft_sign_ins_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_microsoft_sign_ins')),
    sa.UniqueConstraint('handle_hash', name=op.f('uq_microsoft_sign_ins_handle_hash'))
    )
    with op.batch_alter_table('microsoft_sign_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_microsoft_sign_ins_expires_at'), ['expires_at'], unique=False)

    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('microsoft_tenant_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True))
    if op.get_context().dialect.name == "postgresql":
        op.execute("ALTER TABLE microsoft_policies ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE microsoft_policies FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY tenant_isolation ON microsoft_policies "
                   f"USING ({_TENANT}) WITH CHECK ({_TENANT})")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP POLICY IF EXISTS tenant_isolation ON microsoft_policies")
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.drop_column('microsoft_tenant_id')

    with op.batch_alter_table('microsoft_sign_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_microsoft_sign_ins_expires_at'))

    op.drop_table('microsoft_sign_ins')
    with op.batch_alter_table('microsoft_policies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_microsoft_policies_tenant_id'))

    op.drop_table('microsoft_policies')
    with op.batch_alter_table('microsoft_identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_microsoft_identities_tenant_id'))

    op.drop_table('microsoft_identities')
