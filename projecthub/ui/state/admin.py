"""``/admin/tenants``: instance administrators manage organizations as a whole (never their
data). The service refuses anyone without the instance-admin flag."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from projecthub.core.db import session_scope
from projecthub.core.errors import AppError, Conflict
from projecthub.models import OrgStatus
from projecthub.services import admin
from projecthub.services.principal import Actor
from projecthub.ui.format import iso, when
from projecthub.ui.state.session import Events, SessionState, parse_id
from projecthub.ui.typed import event

CREATE_FIELDS = ("name", "slug", "owner_email")


@dataclasses.dataclass(frozen=True)
class TenantRow:
    id: str
    name: str
    slug: str
    suspended: bool
    members: int
    projects: int
    created: str  # UTC text
    created_at: str  # ISO, shown in the viewer's zone


class InstanceAdminState(SessionState):
    """Base of the instance-admin pages: each action re-resolves the actor (the service refuses
    anyone without the flag), then the page's rows are reloaded."""

    def _fill_admin(self, db: Session, actor: Actor) -> None:
        """Pages override this to reload their rows after a change."""

    def _load_admin(self, field: str = "form") -> EventSpec | None:
        """A page load: the session again, then the page's rows, for instance admins only."""
        try:
            with session_scope() as db:
                self._refresh(db)
                if self.is_instance_admin:
                    self._fill_admin(db, self._actor(db))
        except AppError as exc:
            return self._fail(exc, field=field)
        return None

    def _admin_action(self, action: Callable[[Session, Actor], object], *, success: str,
                      field: str, clear: tuple[str, ...] = (),
                      conflict_field: str | None = None) -> Events:
        def work(db: Session) -> None:
            actor = self._actor(db)
            action(db, actor)
            self._fill_admin(db, actor)
        return self._attempt(work, success=success, field=field,
                             field_for={Conflict: conflict_field or field}, clear=clear)


class TenantsState(InstanceAdminState):
    tenants: rx.Field[list[TenantRow]] = rx.field(default_factory=list)

    def _fill_admin(self, db: Session, actor: Actor) -> None:
        self.tenants = [TenantRow(t.id, t.name, t.slug, t.status == OrgStatus.SUSPENDED,
                                  t.member_count, t.project_count, when(t.created_at),
                                  iso(t.created_at))
                        for t in admin.list_tenants(db, actor)]

    @event
    def load(self) -> EventSpec | None:
        self.tenants = []
        return self._load_admin()

    @event
    def create_tenant(self, form: dict[str, Any]) -> Events:
        return self._admin_action(
            lambda db, actor: admin.create_tenant(
                db, actor, name=str(form.get("name", "")), slug=str(form.get("slug", "")),
                owner_email=str(form.get("owner_email", ""))),
            success="Organization created.", field="create", clear=CREATE_FIELDS,
            conflict_field="slug")

    @event
    def set_suspended(self, org_id: str, suspended: bool) -> Events:
        status = OrgStatus.SUSPENDED if suspended else OrgStatus.ACTIVE
        return self._admin_action(
            lambda db, actor: admin.set_tenant_status(
                db, actor, parse_id(org_id, "Organization"), status),
            success="Organization suspended." if suspended else "Organization reactivated.",
            field="tenants")
