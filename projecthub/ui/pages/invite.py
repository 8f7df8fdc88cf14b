"""``/invite/[token]``: accept an invitation, or sign up with it."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.auth_client import logout
from projecthub.ui.components.auth_forms import auth_layout, signup_form
from projecthub.ui.components.forms import form_error
from projecthub.ui.components.moments import local_time
from projecthub.ui.components.shell import loading
from projecthub.ui.layout import button_link
from projecthub.ui.state.invite import InviteState
from projecthub.ui.state.session import SessionState
from projecthub.ui.typed import cond


def _summary() -> rx.Component:
    return rx.card(
        rx.data_list.root(
            rx.data_list.item(rx.data_list.label("Organization"),
                              rx.data_list.value(rx.text(InviteState.invited_org, weight="bold"))),
            rx.data_list.item(rx.data_list.label("Role"), rx.data_list.value(rx.vstack(
                rx.badge(InviteState.invited_role, variant="soft"),
                rx.text(InviteState.role_description, size="1", color_scheme="gray"),
                spacing="1"))),
            rx.data_list.item(rx.data_list.label("For"),
                              rx.data_list.value(InviteState.invited_email)),
            rx.data_list.item(rx.data_list.label("Valid until"),
                              rx.data_list.value(local_time(InviteState.expires_at,
                                                            InviteState.expires))),
            orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
        ),
        variant="surface",
        width="100%",
    )


def _signed_in() -> rx.Component:
    return cond(
        SessionState.user_email == InviteState.invited_email,
        rx.vstack(
            form_error(),
            rx.button("Join " + InviteState.invited_org, size="3", width="100%",
                      on_click=InviteState.accept),
            width="100%",
        ),
        rx.vstack(
            rx.callout("This invitation is for " + InviteState.invited_email
                       + ", but you are logged in as " + SessionState.user_email
                       + ". Log out, then open the link again.",
                       icon="triangle-alert", color_scheme="orange", width="100%"),
            rx.button("Log out", variant="soft", on_click=logout(), width="100%"),
            width="100%",
        ),
    )


def _new_person() -> rx.Component:
    return rx.vstack(
        signup_form(invitation_token=InviteState.invitation_token,
                    email=InviteState.invited_email),
        rx.text("Already have an account with this email? ",
                rx.link("Log in to accept", href="/login?next=" + rx.State.router.url.path),
                size="2", color_scheme="gray"),
        spacing="4",
        width="100%",
    )


def _invitation() -> rx.Component:
    return rx.vstack(
        _summary(),
        cond(SessionState.logged_in, _signed_in(), _new_person()),
        spacing="5",
        width="100%",
    )


def _unusable() -> rx.Component:
    return rx.vstack(
        rx.callout(InviteState.problem, icon="circle-alert", color_scheme="red", width="100%"),
        rx.text("Ask the person who invited you for a new link.", size="2", color_scheme="gray"),
        button_link("Go to the home page", "/", variant="soft"),
        spacing="4",
        width="100%",
    )


def invite_page() -> rx.Component:
    return auth_layout(
        "You're invited",
        "Join your team on ProjectHub.",
        cond(rx.State.is_hydrated,
                cond(InviteState.problem != "", _unusable(), _invitation()),
                loading()),
        switch_label="Log in",
        switch_href="/login",
    )
