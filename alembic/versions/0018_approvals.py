"""approvals: a run may wait for an approver before any step runs

Revision ID: 0018
Revises: 0017

A template with ``approval: {required: true}`` starts its runs as ``awaiting_approval`` (no
worker claims them). ``approver_role`` is the lowest organization role that may decide ("" when
no approval was needed, as for every existing run); ``decided_by_id``, ``decided_at`` and
``decision_comment`` record the decision. The status column is wide enough for the new values.
"""
import warnings
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from projecthub.models.base import UTCDateTime

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # On SQLite the new foreign key makes the batch rebuild the table, reflecting the tables it
    # refers to; projects' expression index cannot be reflected and is not touched.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        _add_columns()


def _add_columns() -> None:
    with op.batch_alter_table('provisioning_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approver_role', sa.String(length=20), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('decided_by_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('decision_comment', sa.String(length=2000),
                                      nullable=False, server_default=''))
        batch_op.create_foreign_key(
            batch_op.f('fk_provisioning_runs_decided_by_id_users'), 'users',
            ['decided_by_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        _drop_columns()


def _drop_columns() -> None:
    with op.batch_alter_table('provisioning_runs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_provisioning_runs_decided_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('decision_comment')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('decided_by_id')
        batch_op.drop_column('approver_role')
