"""email change links: the new address on an account link

Revision ID: 0009
Revises: 0006

An email change reuses ``account_links`` (single use, hashed, expiring); the link carries the
address it was sent to, which becomes the account's when the link is followed.
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('account_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('new_email', sqlmodel.sql.sqltypes.AutoString(length=320),
                                      nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM account_links WHERE purpose = 'email_change'")
    with op.batch_alter_table('account_links', schema=None) as batch_op:
        batch_op.drop_column('new_email')
