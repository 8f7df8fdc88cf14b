"""``/login/microsoft``: confirm the password of an existing account once, to link the
Microsoft account that signed in with its address (posted by the browser to the REST API)."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.auth_forms import auth_form, auth_layout
from projecthub.ui.components.forms import field, submit
from projecthub.ui.layout import button_link
from projecthub.ui.state.microsoft_link import MicrosoftLinkState
from projecthub.ui.typed import cond


def _form() -> rx.Component:
    return rx.vstack(
        rx.text("Your Microsoft account ", rx.text.strong(MicrosoftLinkState.link_username),
                " uses the address of your account here, ",
                rx.text.strong(MicrosoftLinkState.link_email),
                ". Enter that account's password once to link them; after that, "
                "Sign in with Microsoft is enough.", size="2"),
        auth_form(
            "microsoft-link-form", "microsoft/link",
            field("Password", "password", type="password", auto_complete="current-password",
                  auto_focus=True),
            submit("Link and sign in", width="100%"),
        ),
        rx.link("Forgot password?", href="/forgot-password", size="2"),
        spacing="4", width="100%")


def _problem() -> rx.Component:
    return rx.vstack(
        rx.callout(MicrosoftLinkState.link_problem, icon="triangle-alert", color_scheme="red",
                   role="alert", width="100%"),
        button_link("Back to log in", "/login", variant="soft"),
        spacing="4", width="100%")


def microsoft_link_page() -> rx.Component:
    return auth_layout(
        "Link your Microsoft account",
        "One-time confirmation that this account is yours.",
        cond(MicrosoftLinkState.link_problem != "", _problem(), _form()),
        switch_label="Log in",
        switch_href="/login",
    )
