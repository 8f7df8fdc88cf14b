"""sync cursors keep a change token: Graph's delta link per connection

Revision ID: 0021
Revises: 0019

The change cycle asks Graph which groups (teams) changed since the delta link of the
connection's last good cycle (``services/status/changes.py``); the link is kept beside the
cursor's time. It is a state token, no credential, and it is only ever sent back to the
connection's own Graph. Nullable: Jira and Confluence ask by time window and keep none.

Numbered after 0020 but applied after 0019, the head (0019 applies after 0020).
"""
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = '0021'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('sync_cursors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('change_token', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sync_cursors', schema=None) as batch_op:
        batch_op.drop_column('change_token')
