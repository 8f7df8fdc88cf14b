"""``/account``: profile, sign-in address, password, API tokens and notification choices."""

from __future__ import annotations

import reflex as rx

from projecthub.services import email_change
from projecthub.ui.auth_client import submit_auth_form
from projecthub.ui.components.dialogs import confirm, copy_box
from projecthub.ui.components.forms import (
    field,
    form_error,
    inline_form,
    section,
    select_field,
    submit,
)
from projecthub.ui.components.moments import local_time
from projecthub.ui.components.notifications import my_notifications_section
from projecthub.ui.components.shell import page_header, signed_in_page
from projecthub.ui.components.tokens import (
    DEFAULT_EXPIRY_DAYS,
    EXPIRY_DAYS,
    READ_AND_WRITE,
    READ_ONLY,
    access_badge,
    expiry,
)
from projecthub.ui.state.account import NEW_TOKEN_ID, AccountState, TokenRow
from projecthub.ui.state.session import SessionState
from projecthub.ui.typed import RowVar, cond


def _profile() -> rx.Component:
    return section(
        "Profile",
        rx.text("Signed in as ", rx.text.strong(SessionState.user_email), "."),
        rx.form(
            inline_form(field("Display name", "display_name", auto_complete="name",
                              default_value=SessionState.user_name),
                        submit("Save name", variant="soft")),
            on_submit=AccountState.save_profile,
            width="100%",
        ),
    )


def _email() -> rx.Component:
    pending = rx.callout(
        rx.vstack(
            rx.text("We sent a link to ", rx.text.strong(AccountState.pending_email),
                    ". Follow it by ",
                    local_time(AccountState.pending_until_at, AccountState.pending_until),
                    " to sign in with that "
                    "address from then on; until then nothing changes."),
            rx.button("Cancel the change", size="1", variant="soft", color_scheme="gray",
                      on_click=AccountState.cancel_email_change),
            spacing="2"),
        icon="mail", color_scheme="blue", width="100%")
    return section(
        "Email address",
        "You sign in with this address and we write to it. A new one counts once you follow "
        "the link we send there; the old one is told. Your other browsers are then signed out.",
        rx.text("Currently ", rx.text.strong(SessionState.user_email), "."),
        cond(~AccountState.mail_ready, rx.callout(
            email_change.NO_MAIL, icon="triangle_alert", color_scheme="amber", width="100%")),
        cond(AccountState.pending_email != "", pending),
        rx.form(
            rx.vstack(
                form_error("email_form"),
                field("New email address", "new_email", type="email", auto_complete="email"),
                field("Your password", "password", type="password",
                      auto_complete="current-password", hint="To confirm it is you."),
                submit("Send confirmation link", variant="soft"),
                spacing="4", width="100%", max_width="28rem",
            ),
            id="email-form",
            on_submit=submit_auth_form("email-form", "email-change", "/account",
                                       AccountState.show_email_error),
            no_validate=True,
            width="100%",
        ),
    )


def _password() -> rx.Component:
    return section(
        "Password",
        "Changing your password logs you out everywhere, including here, and revokes every "
        "API token you have: create new ones afterwards where you need them.",
        rx.form(
            rx.vstack(
                form_error("password_form"),
                field("Current password", "current_password", type="password",
                      auto_complete="current-password"),
                field("New password", "new_password", type="password",
                      auto_complete="new-password",
                      hint="At least 8 characters, and not a common password."),
                submit("Change password", variant="soft"),
                spacing="4", width="100%", max_width="28rem",
            ),
            id="password-form",
            on_submit=submit_auth_form("password-form", "password",
                                       "/login?reason=password_changed",
                                       AccountState.show_password_error),
            no_validate=True,
            width="100%",
        ),
    )


def _token_row(token: RowVar[TokenRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(token.name, weight="medium")),
        rx.table.cell(rx.badge(token.org_slug, variant="soft")),
        rx.table.cell(rx.code("…" + token.hint)),
        rx.table.cell(access_badge(token.read_only)),
        rx.table.cell(local_time(token.created_at, token.created)),
        rx.table.cell(expiry(token.expires_at, token.expires, token.expired)),
        rx.table.cell(local_time(token.last_used_at, token.last_used, empty="Never")),
        rx.table.cell(confirm(
            rx.button("Revoke", size="1", variant="soft", color_scheme="red"),
            "Revoke this token?",
            "Anything using it stops working at once. This cannot be undone.",
            "Revoke token",
            AccountState.revoke_token(token.id),
        )),
        align="center",
    )


def _token_table() -> rx.Component:
    return cond(
        AccountState.tokens.length() > 0,
        rx.table.root(
            rx.table.header(rx.table.row(
                *(rx.table.column_header_cell(h) for h in
                  ("Name", "Organization", "Token", "Access", "Created", "Expires",
                   "Last used", "")))),
            rx.table.body(rx.foreach(AccountState.tokens, _token_row)),
            variant="surface", width="100%",
        ),
        rx.text("You have no API tokens.", size="2", color_scheme="gray"),
    )


def _tokens() -> rx.Component:
    create = cond(
        SessionState.org_problem == "",
        rx.form(
            rx.flex(
                rx.box(field("Token name", "name", placeholder="e.g. CI pipeline",
                             hint=f"Acts as you in {SessionState.org_name}."),
                       flex="1", min_width="16rem"),
                select_field("Expires in (days)", "expires_in_days", EXPIRY_DAYS,
                             default=DEFAULT_EXPIRY_DAYS),
                select_field("Access", "access", (READ_AND_WRITE, READ_ONLY),
                             default=READ_AND_WRITE),
                rx.box(submit("Create token"), padding_top="1.45rem"),
                align="start", gap="3", wrap="wrap", width="100%",
            ),
            on_submit=AccountState.create_token,
            width="100%",
        ),
        rx.callout(SessionState.org_problem, icon="info", width="100%"),
    )
    return section(
        "API tokens",
        rx.text("Use a token with the REST API as ",
                rx.code("Authorization: Bearer <token>"), ". It acts as you, in one organization, "
                "until it expires; a read-only token may only make GET requests."),
        copy_box("Your new token", NEW_TOKEN_ID, AccountState.token_shown,
                 "Copy it now: it is shown only this once and cannot be retrieved later.",
                 AccountState.dismiss_token),
        create,
        form_error("tokens"),
        _token_table(),
    )


def account_page() -> rx.Component:
    return signed_in_page(
        page_header("Account", "Your profile, sign-in address, password and API tokens."),
        _profile(),
        _email(),
        _password(),
        _tokens(),
        my_notifications_section(),
        needs_org=False,
    )
