"""One page per module. ``ROUTES`` is the route table ``projecthub.app`` registers, each page
with its on_load guard (which only hides UI: every handler re-checks the session)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import reflex as rx

from projecthub.ui import styles
from projecthub.ui.pages.account import account_page
from projecthub.ui.pages.admin_settings import admin_settings_page
from projecthub.ui.pages.admin_tenants import admin_tenants_page
from projecthub.ui.pages.admin_users import admin_users_page
from projecthub.ui.pages.audit import audit_page
from projecthub.ui.pages.connections import connections_page
from projecthub.ui.pages.dashboard import dashboard_page
from projecthub.ui.pages.email_change import confirm_email_page
from projecthub.ui.pages.invite import invite_page
from projecthub.ui.pages.login import login_page
from projecthub.ui.pages.members import members_page
from projecthub.ui.pages.microsoft_link import microsoft_link_page
from projecthub.ui.pages.new_org import new_org_page
from projecthub.ui.pages.org_settings import org_settings_page
from projecthub.ui.pages.outbox import outbox_page
from projecthub.ui.pages.project_edit import project_edit_page
from projecthub.ui.pages.project_import import import_page
from projecthub.ui.pages.project_status import project_page
from projecthub.ui.pages.recovery import forgot_password_page, reset_password_page
from projecthub.ui.pages.run_progress import run_progress_page
from projecthub.ui.pages.signup import signup_page
from projecthub.ui.pages.templates import templates_page
from projecthub.ui.pages.verify import verify_email_page
from projecthub.ui.pages.wizard import wizard_page
from projecthub.ui.state.account import AccountState
from projecthub.ui.state.admin import TenantsState
from projecthub.ui.state.admin_users import InstanceSettingsState, UsersState
from projecthub.ui.state.audit import AuditState
from projecthub.ui.state.auth import AuthState
from projecthub.ui.state.connections import ConnectionsState
from projecthub.ui.state.dashboard import DashboardState
from projecthub.ui.state.email_change import EmailChangeState
from projecthub.ui.state.invite import InviteState
from projecthub.ui.state.members import MembersState
from projecthub.ui.state.microsoft_link import MicrosoftLinkState
from projecthub.ui.state.microsoft_settings import MicrosoftSettingsState
from projecthub.ui.state.notifications import NotificationPrefsState, OrgNotificationsState
from projecthub.ui.state.orgs import NewOrgState, OrgSettingsState
from projecthub.ui.state.outbox import OutboxState
from projecthub.ui.state.project_add_tool import AddToolState
from projecthub.ui.state.project_edit import ProjectEditState
from projecthub.ui.state.project_import import ImportState
from projecthub.ui.state.project_status import ProjectState
from projecthub.ui.state.recovery import RecoveryState
from projecthub.ui.state.run_progress import RunProgressState
from projecthub.ui.state.signup_page import SignupPolicyState
from projecthub.ui.state.status_settings import StatusSettingsState
from projecthub.ui.state.templates import TemplatesState
from projecthub.ui.state.verify import VerifyState
from projecthub.ui.state.wizard import WizardState


@dataclass(frozen=True)
class Route:
    path: str
    component: Callable[[], rx.Component]
    title: str
    on_load: Any


ROUTES = (
    Route("/login", login_page, "Log in", AuthState.open_form),
    Route("/login/microsoft", microsoft_link_page, "Link your Microsoft account",
          MicrosoftLinkState.open_link),
    Route("/signup", signup_page, "Sign up", [AuthState.open_form, SignupPolicyState.load]),
    Route("/forgot-password", forgot_password_page, "Forgot password", RecoveryState.open_forgot),
    Route("/reset-password/[token]", reset_password_page, "Choose a new password",
          RecoveryState.open_reset),
    Route("/verify-email/[token]", verify_email_page, "Confirm your email address",
          VerifyState.open_verify),
    Route("/confirm-email/[token]", confirm_email_page, "Confirm your new email address",
          EmailChangeState.open_confirm),
    Route("/invite/[token]", invite_page, "Invitation", InviteState.load),
    Route("/dashboard", dashboard_page, "Dashboard", DashboardState.load),
    Route("/projects/new", wizard_page, "New project", WizardState.load),
    Route("/projects/new/[draft_id]", wizard_page, "New project", WizardState.load),
    Route("/projects/import", import_page, "Import projects", ImportState.load),
    Route("/projects/[project_id]", project_page, "Project", ProjectState.load),
    Route("/projects/[project_id]/edit", project_edit_page, "Edit project",
          [ProjectEditState.load, AddToolState.load_tools]),
    Route("/runs/[run_id]", run_progress_page, "Provisioning", RunProgressState.load),
    Route("/account", account_page, "Account", [AccountState.load, NotificationPrefsState.load]),
    Route("/orgs/new", new_org_page, "New organization", NewOrgState.load),
    Route("/org/settings", org_settings_page, "Organization settings",
          [OrgSettingsState.load, StatusSettingsState.load, MicrosoftSettingsState.load,
           OrgNotificationsState.load]),
    Route("/org/members", members_page, "Members", MembersState.load),
    Route("/org/connections", connections_page, "Tool connections", ConnectionsState.load),
    Route("/org/templates", templates_page, "Templates", TemplatesState.load),
    Route("/org/audit", audit_page, "Audit log", AuditState.load),
    Route("/admin/tenants", admin_tenants_page, "Tenants", TenantsState.load),
    Route("/admin/users", admin_users_page, "Users", UsersState.load),
    Route("/admin/settings", admin_settings_page, "Instance settings",
          InstanceSettingsState.load),
    Route("/outbox", outbox_page, "Outbox", OutboxState.load),
)


def page_title(route: Route) -> str:
    return f"{route.title} · {styles.PRODUCT_NAME}"
