"""lifecycle runs: a run's kind and its target lifecycle state

Revision ID: 0012
Revises: 0009

A lifecycle change (on hold, completed, archived, reactivated) reaches the tools as a run of the
provisioning ledger with archive or restore steps; ``kind`` tells it from a provisioning run and
``target`` is the state the project takes when every step has succeeded. Existing runs are
provisioning runs.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0012'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('provisioning_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), nullable=False,
                                      server_default='provision'))
        batch_op.add_column(sa.Column('target', sa.String(length=20), nullable=False,
                                      server_default=''))


def downgrade() -> None:
    op.execute("DELETE FROM provisioning_runs WHERE kind <> 'provision'")
    with op.batch_alter_table('provisioning_runs', schema=None) as batch_op:
        batch_op.drop_column('target')
        batch_op.drop_column('kind')
