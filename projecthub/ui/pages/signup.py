"""``/signup``: an account and its first organization in one step."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.auth_forms import auth_layout, signup_form


def signup_page() -> rx.Component:
    return auth_layout(
        "Create your account",
        "Set up your organization now; invite your team once you are in.",
        signup_form(),
        rx.text("Already have an account? ", rx.link("Log in", href="/login"), size="2",
                color_scheme="gray"),
        switch_label="Log in",
        switch_href="/login",
    )
