"""``/confirm-email/[token]``: confirm a new sign-in address from the link mailed to it."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.auth_forms import auth_layout, link_problem
from projecthub.ui.layout import button_link
from projecthub.ui.state.email_change import EmailChangeState as S
from projecthub.ui.typed import cond


def _ask() -> rx.Component:
    return rx.vstack(
        rx.text("Sign in with ", rx.text.strong(S.new_email), " from now on?", size="3"),
        rx.text("Your other browsers will be signed out; you stay signed in here if you are.",
                size="2", color_scheme="gray"),
        rx.button("Confirm new address", size="3", width="100%", on_click=S.confirm),
        spacing="3", width="100%",
    )


def _changed() -> rx.Component:
    return rx.vstack(
        rx.callout(rx.text("Your sign-in address is now ", rx.text.strong(S.new_email), "."),
                   icon="circle_check", color_scheme="green", width="100%"),
        cond(S.logged_in, button_link("Continue to your account", "/account", width="100%"),
             button_link("Log in with it", "/login", width="100%")),
        spacing="3", width="100%",
    )


def confirm_email_page() -> rx.Component:
    return auth_layout(
        "Confirm your new email address",
        "",
        cond(S.link_problem != "",
             link_problem(S.link_problem, "Confirmation links work once, for 24 hours, and "
                          "only the newest one. Ask for a new one on your account page.",
                          "Go to your account", "/account"),
             cond(S.changed, _changed(),
                  cond(S.new_email != "", _ask(), rx.center(rx.spinner(), width="100%")))),
        switch_label="Log in",
        switch_href="/login",
    )
