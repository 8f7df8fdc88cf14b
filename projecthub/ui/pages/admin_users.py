"""``/admin/users``: every account, searchable; deactivate, reactivate, send a password reset,
grant or remove instance admin."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.admin_nav import instance_admin_only
from projecthub.ui.components.dialogs import confirm
from projecthub.ui.components.forms import field, form_error, inline_form, section
from projecthub.ui.components.moments import local_time
from projecthub.ui.components.shell import page_header, signed_in_page
from projecthub.ui.state.admin_users import UserRow, UsersState
from projecthub.ui.typed import RowVar, cond


def _badges(user: RowVar[UserRow]) -> rx.Component:
    return rx.hstack(
        cond(user.active, rx.badge("active", color_scheme="green"),
                rx.badge("deactivated", color_scheme="red")),
        cond(user.verified, rx.badge("verified", color_scheme="blue"),
                rx.badge("unverified", color_scheme="orange")),
        cond(user.admin, rx.badge("instance admin", color_scheme="purple")),
        spacing="1", wrap="wrap",
    )


def _actions(user: RowVar[UserRow]) -> rx.Component:
    return rx.hstack(
        cond(
            user.active,
            confirm(rx.button("Deactivate", size="1", variant="soft", color_scheme="red",
                              disabled=user.is_me),
                    "Deactivate " + user.email + "?",
                    "They are signed out everywhere at once and their API tokens are revoked. "
                    "You can reactivate the account later; revoked tokens stay revoked.",
                    "Deactivate", UsersState.set_active(user.id, False)),
            rx.button("Reactivate", size="1", variant="soft",
                      on_click=UsersState.set_active(user.id, True)),
        ),
        confirm(rx.button("Send password reset", size="1", variant="soft"),
                "Send " + user.email + " a password reset link?",
                "They get a single-use link, valid for one hour. Their password stays as it is "
                "until they use it.", "Send", UsersState.send_reset(user.id), color="blue"),
        cond(
            user.admin,
            confirm(rx.button("Remove admin", size="1", variant="soft", color_scheme="red"),
                    "Remove instance admin from " + user.email + "?",
                    "They keep their account and organizations. The last active instance "
                    "admin cannot be removed.", "Remove", UsersState.set_admin(user.id, False)),
            confirm(rx.button("Make admin", size="1", variant="soft"),
                    "Make " + user.email + " an instance admin?",
                    "They can manage every account, organization and instance setting.",
                    "Make admin", UsersState.set_admin(user.id, True), color="blue"),
        ),
        spacing="2", wrap="wrap",
    )


def _user_row(user: RowVar[UserRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.vstack(rx.text(user.name, weight="medium"),
                                rx.text(user.email, size="1", color_scheme="gray"),
                                spacing="0")),
        rx.table.cell(user.organizations),
        rx.table.cell(local_time(user.last_login_at, user.last_login, empty="Never"),
                      white_space="nowrap"),
        rx.table.cell(cond(user.microsoft, rx.badge("linked", color_scheme="blue"),
                           rx.text("—", color_scheme="gray", aria_label="not linked"))),
        rx.table.cell(_badges(user)),
        rx.table.cell(_actions(user)),
        align="center",
    )


def _users() -> rx.Component:
    return section(
        "Accounts",
        "Search by email or name. Deactivating ends sessions and API tokens at once.",
        rx.form(
            inline_form(field("Search", "search", placeholder="name or email"),
                        rx.button("Search", type="submit", size="3")),
            on_submit=UsersState.find, width="100%",
        ),
        form_error("users"),
        rx.text(UsersState.total.to_string() + " matching accounts (newest first, up to 100 shown)",
                size="2", color_scheme="gray"),
        rx.table.root(
            rx.table.header(rx.table.row(
                rx.table.column_header_cell("Person"),
                rx.table.column_header_cell("Organizations"),
                rx.table.column_header_cell("Last sign-in"),
                rx.table.column_header_cell("Microsoft-linked"),
                rx.table.column_header_cell("Status"),
                rx.table.column_header_cell(""),
            )),
            rx.table.body(rx.foreach(UsersState.users, _user_row)),
            variant="surface", width="100%",
        ),
    )


def admin_users_page() -> rx.Component:
    return signed_in_page(
        page_header("Users", "Instance administration: every account on this instance."),
        instance_admin_only("/admin/users", _users()),
        needs_org=False,
    )
