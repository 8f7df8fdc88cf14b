"""The one way tenant rows are loaded.

Every table with an ``organization_id`` is read through these helpers, which filter by the
principal's organization. A row of another organization is reported exactly like a missing
row (``NotFound``), so ids cannot be probed. There is no unscoped variant here on purpose;
instance-level code (``services.admin``) works on organizations, never on their data.
On PostgreSQL, the edge that resolves a request's principal (UI event, API route) also calls
``act_as``: row-level security then hides other tenants even from a query that forgets the filter.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel, select
from sqlmodel.sql.expression import SelectOfScalar

from projecthub.core import log_context
from projecthub.core.errors import NotFound
from projecthub.core.tenancy import act_as_tenant
from projecthub.services.principal import Principal

T = TypeVar("T", bound=SQLModel)


def act_as(session: Session, principal: Principal) -> None:
    """From here to the end of the session's transaction, the database shows and accepts only
    the principal's organization (PostgreSQL row-level security; nothing on SQLite). The log
    lines of the unit of work name the organization and user from here on too."""
    act_as_tenant(session, principal.org_id, principal.user_id)
    log_context.bind(org_id=principal.org_id, user_id=principal.user_id)


def tenant_filter(principal: Principal, model: type[SQLModel]) -> Any:
    """The ``organization_id = principal's org`` criterion, for queries joining several tables."""
    if principal.org_id is None:  # defensive: a Principal always has one; fail closed
        raise NotFound("Not found.")
    # Tenant models have the column; the generic bound (SQLModel) cannot say so.
    column: Any = model.organization_id  # type: ignore[attr-defined]
    return column == principal.org_id


def scoped_select(principal: Principal, model: type[T]) -> SelectOfScalar[T]:
    """``SELECT model WHERE organization_id = principal's org``."""
    return select(model).where(tenant_filter(principal, model))


def get_scoped(session: Session, principal: Principal, model: type[T], row_id: Any,
               *, label: str | None = None) -> T:
    """Load one tenant row by id, or raise ``NotFound`` naming the kind of thing."""
    name = label or model.__name__
    try:
        key = row_id if isinstance(row_id, uuid.UUID) else uuid.UUID(str(row_id))
    except ValueError as exc:
        raise NotFound(f"{name} not found.") from exc
    # Every table has an ``id``; the generic bound (SQLModel) cannot say so.
    id_column: Any = model.id  # type: ignore[attr-defined]
    row = session.exec(scoped_select(principal, model).where(id_column == key)).first()
    if row is None:
        raise NotFound(f"{name} not found.")
    return row
