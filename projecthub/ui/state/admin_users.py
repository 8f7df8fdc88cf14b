"""``/admin/users`` and ``/admin/settings``: instance admins manage accounts and the settings
that are safe to change at run time. Every handler goes through ``_admin_action``, which
re-resolves the actor; the services refuse anyone without the instance-admin flag."""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from projecthub.core.errors import Invalid
from projecthub.services import instance_settings, signup_policy, user_admin
from projecthub.services.principal import Actor
from projecthub.ui.format import iso, when
from projecthub.ui.state.admin import InstanceAdminState
from projecthub.ui.state.session import Events, parse_id
from projecthub.ui.typed import event

NO_MAIL = ("This instance cannot send mail: set PROJECTHUB_SMTP_URL and PROJECTHUB_MAIL_FROM. "
           "Nothing was sent.")


def _require_queued(queued: bool) -> None:
    """Say so when mail cannot go out, instead of a success toast for nothing."""
    if not queued:
        raise Invalid(NO_MAIL)


@dataclasses.dataclass(frozen=True)
class UserRow:
    id: str
    email: str
    name: str
    organizations: str
    last_login: str  # UTC text, or "Never"
    last_login_at: str  # ISO, shown in the viewer's zone
    verified: bool
    active: bool
    admin: bool
    is_me: bool
    microsoft: bool


class UsersState(InstanceAdminState):
    users: rx.Field[list[UserRow]] = rx.field(default_factory=list)
    total: rx.Field[int] = rx.field(0)
    search: rx.Field[str] = rx.field("")

    def _fill_admin(self, db: Session, actor: Actor) -> None:
        page = user_admin.list_users(db, actor, search=self.search, limit=100)
        self.total = page.total
        self.users = [UserRow(str(u.id), u.email, u.display_name, ", ".join(u.organizations),
                              when(u.last_login_at), iso(u.last_login_at), u.verified, u.is_active,
                              u.is_instance_admin, u.id == actor.user_id, u.microsoft_linked)
                      for u in page.users]

    @event
    def load(self) -> EventSpec | None:
        self.users, self.search = [], ""
        return self._load_admin(field="users")

    @event
    def find(self, form: dict[str, Any]) -> EventSpec | None:
        self.search = str(form.get("search", ""))[:200]
        self.errors = {}
        return self._load_admin(field="users")

    @event
    def set_active(self, user_id: str, active: bool) -> Events:
        return self._admin_action(
            lambda db, actor: user_admin.set_user_active(
                db, actor, parse_id(user_id, "User"), active),
            success="Account reactivated." if active else
            "Account deactivated: its sessions ended and its API tokens were revoked.",
            field="users")

    @event
    def send_reset(self, user_id: str) -> Events:
        return self._admin_action(
            lambda db, actor: _require_queued(
                user_admin.send_reset(db, actor, parse_id(user_id, "User"))),
            success="Password reset link sent.", field="users")

    @event
    def set_admin(self, user_id: str, admin: bool) -> Events:
        return self._admin_action(
            lambda db, actor: user_admin.set_instance_admin(
                db, actor, parse_id(user_id, "User"), admin),
            success="Instance administrator added." if admin else
            "Instance administrator removed.", field="users")


@dataclasses.dataclass(frozen=True)
class WorkerRow:
    name: str
    state: str


class InstanceSettingsState(InstanceAdminState):
    signup_policy: rx.Field[str] = rx.field("open")
    signup_domains: rx.Field[str] = rx.field("")
    signup_summary: rx.Field[str] = rx.field("")
    signup_from_environment: rx.Field[bool] = rx.field(True)
    mail_summary: rx.Field[str] = rx.field("")
    mail_from: rx.Field[str] = rx.field("")
    smtp_host: rx.Field[str] = rx.field("")
    sandbox: rx.Field[bool] = rx.field(False)
    environment: rx.Field[str] = rx.field("")
    audit_retention: rx.Field[str] = rx.field("")
    log_format: rx.Field[str] = rx.field("")
    microsoft_signin: rx.Field[str] = rx.field("")
    workers: rx.Field[list[WorkerRow]] = rx.field(default_factory=list)
    mail_unavailable: rx.Field[list[str]] = rx.field(default_factory=list)

    def _fill_admin(self, db: Session, actor: Actor) -> None:
        view = instance_settings.overview(db, actor)
        self.signup_policy = view.signup.policy.value
        self.signup_domains = ", ".join(view.signup.domains)
        self.signup_summary = view.signup.summary
        self.signup_from_environment = view.signup.from_environment
        self.mail_summary, self.mail_from = view.mail_summary, view.mail_from
        self.smtp_host, self.sandbox = view.smtp_host, view.sandbox
        self.environment, self.microsoft_signin = view.environment, view.microsoft_signin
        self.audit_retention = (f"{view.audit_retention_days} days "
                                "(PROJECTHUB_AUDIT_RETENTION_DAYS; projecthub audit-purge)")
        self.log_format = view.log_format
        self.workers = [WorkerRow(name, state) for name, state in view.workers]
        self.mail_unavailable = view.mail_unavailable

    @event
    def load(self) -> EventSpec | None:
        return self._load_admin(field="signup")

    @event
    def set_signup_policy(self, value: str) -> None:
        """The choice before it is saved, so the domains field shows only when it applies."""
        self.signup_policy = value

    @event
    def save_signup(self, form: dict[str, Any]) -> Events:
        return self._admin_action(
            lambda db, actor: signup_policy.set_policy(
                db, actor, policy=str(form.get("policy") or self.signup_policy),
                domains=str(form.get("domains", ""))),
            success="Sign-up policy saved.", field="signup")

    @event
    def send_test_mail(self) -> Events:
        return self._admin_action(
            lambda db, actor: _require_queued(instance_settings.send_test_mail(db, actor)),
            success="Test message queued to your address.", field="mail")
