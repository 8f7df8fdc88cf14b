"""project edits: a run's changes to the project's desired state

Revision ID: 0016
Revises: 0015

An edit of a project that touches its tools (name, owner, members) runs as a provisioning run of
kind ``edit``; ``changes`` holds what the project becomes when every step has succeeded (the
runner applies it), so a failed run leaves ProjectHub's desired state as it was. Existing runs
carry none.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('provisioning_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changes', sa.JSON(), nullable=False,
                                      server_default='{}'))


def downgrade() -> None:
    op.execute("DELETE FROM provisioning_runs WHERE kind = 'edit'")
    with op.batch_alter_table('provisioning_runs', schema=None) as batch_op:
        batch_op.drop_column('changes')
