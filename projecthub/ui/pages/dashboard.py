"""``/dashboard``: the current organization, your role, and (for now, honestly) no projects."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.shell import page_header, signed_in_page
from projecthub.ui.format import ROLE_DESCRIPTIONS
from projecthub.ui.layout import button_link
from projecthub.ui.state.session import SessionState


def _projects() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.icon("folder-kanban", size=20), rx.heading("Projects", as_="h2", size="4"),
                      align="center", spacing="2"),
            rx.center(
                rx.vstack(
                    rx.icon("folder-open", size=36, color=rx.color("gray", 8)),
                    rx.text("No projects yet", size="4", weight="medium"),
                    rx.text("Setting up projects from templates comes in a later release.",
                            size="2", color_scheme="gray", text_align="center"),
                    align="center",
                    spacing="2",
                ),
                padding_y="3rem",
                width="100%",
                border="1px dashed var(--gray-a6)",
                border_radius="var(--radius-3)",
            ),
            spacing="4",
            width="100%",
        ),
        size="3",
        width="100%",
    )


def _role() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text("Your role", size="2", color_scheme="gray"),
            rx.badge(SessionState.role, size="3", variant="soft"),
            rx.text(rx.match(SessionState.role, *ROLE_DESCRIPTIONS.items(), ""), size="2",
                    color_scheme="gray"),
            spacing="2",
        ),
        size="3",
        width="100%",
    )


def _next_steps() -> rx.Component:
    admin_steps = rx.cond(SessionState.is_org_admin, rx.fragment(
        button_link("Invite your team", "/org/members", variant="soft"),
        button_link("Organization settings", "/org/settings", variant="soft"),
    ))
    return rx.card(
        rx.vstack(
            rx.text("Next steps", size="2", color_scheme="gray"),
            rx.flex(admin_steps, button_link("Create an API token", "/account", variant="soft"),
                    button_link("See members", "/org/members", variant="soft"),
                    spacing="2", wrap="wrap"),
            spacing="3",
        ),
        size="3",
        width="100%",
    )


def dashboard_page() -> rx.Component:
    return signed_in_page(
        page_header(SessionState.org_name, "Signed in as " + SessionState.user_name + "."),
        rx.grid(_role(), _next_steps(), columns=rx.breakpoints(initial="1", md="2"),
                spacing="4", width="100%"),
        _projects(),
    )
