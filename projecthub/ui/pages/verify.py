"""``/verify-email/[token]``: the link from the confirmation mail."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.auth_forms import auth_layout, link_problem
from projecthub.ui.layout import button_link
from projecthub.ui.state.verify import VerifyState
from projecthub.ui.typed import cond


def _confirmed() -> rx.Component:
    return rx.vstack(
        rx.callout("Your email address is confirmed.", icon="circle_check",
                   color_scheme="green", width="100%"),
        cond(VerifyState.joined_org != "",
                rx.text("You joined ", rx.text.strong(VerifyState.joined_org),
                        " through your invitation.", size="2")),
        button_link("Continue", "/dashboard", width="100%"),
        spacing="3", width="100%",
    )


def _problem() -> rx.Component:
    return link_problem(VerifyState.link_problem, "Confirmation links work once, for 24 hours. "
                        "Log in and use \"Send the link again\" on the banner for a new one.",
                        "Log in", "/login")


def verify_email_page() -> rx.Component:
    return auth_layout(
        "Confirm your email address",
        "",
        cond(VerifyState.verified, _confirmed(),
                cond(VerifyState.link_problem != "", _problem(),
                        rx.center(rx.spinner(), width="100%"))),
        switch_label="Log in",
        switch_href="/login",
    )
