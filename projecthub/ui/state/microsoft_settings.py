"""The "Microsoft sign-in" section of ``/org/settings``: require it for members, and let people
of the organization's own Entra directory join by themselves. Admins and owners only (the
service checks); the directory is always the acting admin's own."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from projecthub.core.db import session_scope
from projecthub.core.errors import AppError
from projecthub.models import Role
from projecthub.services import microsoft_orgs
from projecthub.services.microsoft_orgs import MicrosoftPolicyView
from projecthub.services.principal import Principal
from projecthub.ui.state.session import Events, SessionState
from projecthub.ui.typed import event

FORM = "microsoft_policy"  # errors about the section as a whole


class MicrosoftSettingsState(SessionState):
    ms_tenant: rx.Field[str] = rx.field("")
    ms_your_tenant: rx.Field[str] = rx.field("")
    ms_require: rx.Field[bool] = rx.field(False)
    ms_allow_join: rx.Field[bool] = rx.field(False)
    ms_join_role: rx.Field[str] = rx.field("member")
    # Bumped after each load or save, so the uncontrolled inputs show the stored values.
    ms_version: rx.Field[int] = rx.field(0)

    @event
    def load(self) -> EventSpec | None:
        return self._load_page(self._fill_policy, field=FORM)

    def _fill_policy(self, db: Session, principal: Principal) -> None:
        if principal.has_role(Role.ADMIN):  # members see the "admins only" notice instead
            self._show(microsoft_orgs.get_policy(db, principal))

    @event
    def save(self, form: dict[str, Any]) -> Events:
        self.errors = {}
        try:
            with session_scope() as db:
                view = microsoft_orgs.set_policy(
                    db, self._principal(db), require_microsoft=bool(form.get("require_microsoft")),
                    allow_join=bool(form.get("allow_join")),
                    join_role=str(form.get("join_role", "member")))
        except AppError as exc:
            return self._fail(exc, field=FORM)
        self._show(view)
        return rx.toast.success("Microsoft sign-in settings saved.")

    def _show(self, view: MicrosoftPolicyView) -> None:
        self.ms_tenant, self.ms_your_tenant = view.tenant_id or "", view.your_tenant_id or ""
        self.ms_require, self.ms_allow_join = view.require_microsoft, view.allow_join
        self.ms_join_role = view.join_role.value
        self.ms_version += 1
