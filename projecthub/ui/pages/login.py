"""``/login``: email and password, posted by the browser to the REST API."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.auth_forms import auth_layout, login_form, microsoft_sign_in


def login_page() -> rx.Component:
    return auth_layout(
        "Log in",
        "Welcome back to ProjectHub.",
        login_form(),
        microsoft_sign_in(),
        rx.link("Forgot password?", href="/forgot-password", size="2"),
        rx.text("New here? ", rx.link("Create an account", href="/signup"), size="2",
                color_scheme="gray"),
        switch_label="Sign up",
        switch_href="/signup",
    )
