"""``/signup``: an account and its first organization in one step, as the instance's sign-up
policy allows (invitation links have their own page and always work)."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.auth_forms import auth_layout, signup_form
from projecthub.ui.state.signup_page import SignupPolicyState


def _policy_note() -> rx.Component:
    return rx.cond(SignupPolicyState.policy == "domains",
                   rx.callout(SignupPolicyState.summary, icon="info", width="100%",
                              id="signup-policy"))


def _closed() -> rx.Component:
    return rx.callout(SignupPolicyState.summary, icon="lock", width="100%", id="signup-policy")


def signup_page() -> rx.Component:
    return auth_layout(
        "Create your account",
        "Set up your organization now; invite your team once you are in.",
        rx.cond(SignupPolicyState.policy == "invite-only", _closed(),
                rx.vstack(_policy_note(), signup_form(), spacing="4", width="100%")),
        rx.text("Already have an account? ", rx.link("Log in", href="/login"), size="2",
                color_scheme="gray"),
        switch_label="Log in",
        switch_href="/login",
    )
