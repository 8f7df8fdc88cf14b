"""not approved: a project whose creation run was rejected says so

Revision ID: 0020
Revises: 0018

Rejecting a creation run now moves its project from ``provisioning`` to ``not_approved``
(``services/provisioning/decisions.reject_run``): nothing exists in any tool, and the project
must not look like one being set up. Projects rejected before this revision get the same state.
The column is a plain string (no check constraint), so only data changes; the tallies follow
through their triggers.
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0020'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REJECTED_CREATION = ("EXISTS (SELECT 1 FROM provisioning_runs r WHERE r.project_id = projects.id "
                      "AND r.kind = 'provision' AND r.status = 'rejected')")


def upgrade() -> None:
    op.execute("UPDATE projects SET lifecycle = 'not_approved' "
               f"WHERE lifecycle = 'provisioning' AND {_REJECTED_CREATION}")


def downgrade() -> None:
    op.execute("UPDATE projects SET lifecycle = 'provisioning' WHERE lifecycle = 'not_approved'")
