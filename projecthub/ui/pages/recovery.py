"""``/forgot-password`` (ask for a link) and ``/reset-password/[token]`` (choose a password)."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.auth_forms import (
    PASSWORD_HINT,
    auth_form,
    auth_layout,
    link_problem,
)
from projecthub.ui.components.forms import field, submit
from projecthub.ui.state.recovery import RecoveryState
from projecthub.ui.typed import cond

SIGN_OUT_NOTE = ("Setting a new password signs you out on every device and revokes your API "
                 "tokens; scripts that use them need new ones.")


def _back_to_login() -> rx.Component:
    return rx.text("Remembered it? ", rx.link("Log in", href="/login"), size="2",
                   color_scheme="gray")


def forgot_password_page() -> rx.Component:
    return auth_layout(
        "Forgot your password?",
        "Enter your account's email address and we will send you a link to choose a new one.",
        cond(~RecoveryState.mail_ready, rx.callout(
            "This instance cannot send email yet. Ask your administrator to reset your "
            "password (projecthub set-password) or to configure mail.",
            icon="triangle_alert", color_scheme="amber", width="100%")),
        cond(RecoveryState.outbox_only, rx.callout(
            rx.text("Development: no mail server is configured, so the message appears on the ",
                    rx.link("Outbox", href="/outbox"), " page."),
            icon="info", color_scheme="blue", width="100%")),
        auth_form(
            "forgot-form", "password-reset",
            field("Email", "email", type="email", auto_complete="email", auto_focus=True,
                  placeholder="you@company.com"),
            submit("Send reset link", width="100%"),
            fallback="/login?reason=reset_sent",
        ),
        _back_to_login(),
        switch_label="Log in",
        switch_href="/login",
    )


def _reset_form() -> rx.Component:
    return rx.fragment(
        rx.callout(SIGN_OUT_NOTE, icon="info", color_scheme="blue", width="100%"),
        auth_form(
            "reset-form", "password-reset/confirm",
            rx.el.input(type="hidden", name="token", value=RecoveryState.reset_token),
            field("New password", "password", type="password", auto_complete="new-password",
                  auto_focus=True, hint=PASSWORD_HINT),
            submit("Set new password", width="100%"),
            fallback="/login?reason=password_reset",
        ),
    )


def _link_problem() -> rx.Component:
    return link_problem(RecoveryState.link_problem,
                        "Reset links work once, for one hour. You can ask for a new one.",
                        "Ask for a new link", "/forgot-password")


def reset_password_page() -> rx.Component:
    return auth_layout(
        "Choose a new password",
        "For the account this link was sent to.",
        cond(RecoveryState.link_problem != "", _link_problem(), _reset_form()),
        _back_to_login(),
        switch_label="Log in",
        switch_href="/login",
    )
