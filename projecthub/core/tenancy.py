"""Row-level security plumbing for PostgreSQL (the policies are in ``alembic/versions/0004_rls``).

The app queries as ``projecthub_app``, a role that cannot bypass RLS (superusers and table
owners would). Acting as an organization sets ``app.org_id`` (and ``app.user_id``) with
``set_config(..., true)``: local to the current transaction, so nothing leaks to the next user
of a pooled connection. A transaction that never acts as an organization is not restricted by
the database (sign-in, instance administration, workers acting by id); its queries rely on the
service layer's scoping alone, as every query does on SQLite.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import String, cast, event, func, text
from sqlalchemy.orm import Session, SessionTransaction

APP_ROLE = "projecthub_app"
_BOUND = "projecthub.tenant"  # session.info key: (org_id, user_id) set in the open transaction
_SET_TENANT = text("SELECT set_config('app.org_id', :org, true), "
                   "set_config('app.user_id', :user, true)")
_SET_USER = text("SELECT set_config('app.user_id', :user, true)")


def use_app_role(dbapi_connection: Any, _record: Any) -> None:
    """Engine ``connect`` hook for PostgreSQL: drop to the role RLS applies to. Committed at
    once, so the pool's rollback on check-in cannot undo it."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"SET ROLE {APP_ROLE}")  # a constant, never user input
    cursor.close()
    dbapi_connection.commit()


def act_as_tenant(session: Session, org_id: uuid.UUID, user_id: uuid.UUID) -> None:
    """Restrict the session's current transaction to one organization's rows (PostgreSQL)."""
    bound = (org_id, user_id)
    if session.info.get(_BOUND) == bound:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_SET_TENANT, {"org": str(org_id), "user": str(user_id)})
    session.info[_BOUND] = bound


def act_as_tenant_columns(org_id: Any, user_id: Any) -> list[Any]:
    """``act_as_tenant`` as columns of the statement that finds the organization (PostgreSQL
    only), saving a round trip; ``acted_as_tenant`` records it once that row is read. A policy
    evaluated after these run still shows the row that set them."""
    return [func.set_config("app.org_id", cast(org_id, String), True),
            func.set_config("app.user_id", cast(user_id, String), True)]


def acted_as_tenant(session: Session, org_id: uuid.UUID, user_id: uuid.UUID) -> None:
    session.info[_BOUND] = (org_id, user_id)


def act_for_user(session: Session, user_id: uuid.UUID) -> None:
    """Let the transaction see this person's own memberships in every organization (resolving
    which organization they may act in), without lifting the organization it acts as."""
    org_id, bound_user = session.info.get(_BOUND, (None, None))
    if bound_user == user_id:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_SET_USER, {"user": str(user_id)})
    session.info[_BOUND] = (org_id, user_id)


@event.listens_for(Session, "after_transaction_end")
def _forget_tenant(session: Session, _transaction: SessionTransaction) -> None:
    """The setting dies with the transaction (a rolled-back savepoint undoes it too): forget it,
    so the next transaction sets it again when it acts as an organization."""
    session.info.pop(_BOUND, None)
