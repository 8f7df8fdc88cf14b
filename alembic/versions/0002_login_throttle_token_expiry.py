"""login throttle counters; API token expiry and read-only scope

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-10 10:00:00

Throttle counters move from ``users`` to ``login_throttles`` (keyed by hashed email, client address
or ``global``), so unknown emails are throttled like known ones. Existing API tokens, which had no
expiry, get the default 90 days from this upgrade.
"""
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import sqlmodel
from alembic import op

import projecthub.models.base

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DEFAULT_TOKEN_DAYS = 90


def upgrade() -> None:
    op.create_table('login_throttles',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', projecthub.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('blocked_until', projecthub.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttles'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('locked_until')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('read_only', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column(
            'expires_at', projecthub.models.base.UTCDateTime(timezone=True), nullable=True))
    expires = datetime.now(UTC) + timedelta(days=_DEFAULT_TOKEN_DAYS)
    tokens = sa.table('api_tokens', sa.column('expires_at',
                                              projecthub.models.base.UTCDateTime(timezone=True)))
    op.execute(tokens.update().values(expires_at=expires))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('expires_at', nullable=False)
        batch_op.alter_column('read_only', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
        batch_op.drop_column('read_only')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_until',
                                      projecthub.models.base.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False,
                                      server_default='0'))
    op.drop_table('login_throttles')
