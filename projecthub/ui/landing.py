"""Public landing page at ``/``: what ProjectHub does, and the way in (sign up or log in)."""

from __future__ import annotations

import reflex as rx

from projecthub.ui import styles
from projecthub.ui.layout import button_link, page_shell
from projecthub.ui.typed import lucide_icon

TOOLS = ("Productive", "Jira", "Confluence", "Microsoft 365")

FEATURES = (
    ("wand-sparkles", "Set up from templates",
     "Answer a short questionnaire and review the plan before anything is created. "
     "Re-running a plan adopts what already exists instead of duplicating it."),
    ("activity", "Track status in one place",
     "Budget burn, open issues, pages and tasks from every tool on one dashboard, "
     "each figure with the time it was fetched."),
    ("building-2", "Built for teams",
     "Organizations, roles and tool connections are kept apart per tenant, "
     "and tool credentials are stored encrypted."),
)

STEPS = (
    "Connect your organization's Productive, Jira, Confluence and Microsoft 365 accounts.",
    "Pick a template and answer its questions.",
    "Review the plan, then let ProjectHub create everything in one run.",
    "Follow budget, issues and tasks from one dashboard.",
)


def _auth_buttons() -> rx.Component:
    return rx.hstack(
        button_link("Log in", "/login", variant="ghost", size="2"),
        button_link("Sign up", "/signup", size="2"),
        spacing="3",
        align="center",
    )


def _how_it_works() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("How it works", as_="h2", size="4"),
            *(rx.hstack(
                rx.badge(str(number), radius="full", size="2", variant="solid"),
                rx.text(step, size="2"),
                spacing="3",
                align="start",
            ) for number, step in enumerate(STEPS, start=1)),
            spacing="4",
        ),
        size="3",
        width="100%",
        max_width="26rem",
    )


def _intro() -> rx.Component:
    return rx.vstack(
        rx.hstack(*(rx.badge(tool, variant="soft", size="2") for tool in TOOLS),
                  spacing="2", wrap="wrap"),
        rx.heading("Every project set up once, and tracked in one place.",
                   as_="h1", size="8", weight="bold", max_width="40rem"),
        rx.text(styles.TAGLINE, size="4", color_scheme="gray", max_width="40rem"),
        rx.hstack(
            button_link("Create an account", "/signup", size="3"),
            button_link("Log in", "/login", size="3", variant="outline"),
            spacing="3",
            wrap="wrap",
        ),
        spacing="5",
    )


def _hero() -> rx.Component:
    return rx.flex(
        _intro(),
        _how_it_works(),
        direction=rx.breakpoints(initial="column", md="row"),
        align=rx.breakpoints(initial="start", md="center"),
        justify="between",
        gap="2.5rem",
        padding_y=["2rem", "3rem", "4rem"],
    )


def _feature(icon: str, title: str, body: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            lucide_icon(icon, size=22, color=rx.color("accent", 11)),
            rx.heading(title, as_="h2", size="4"),
            rx.text(body, size="2", color_scheme="gray"),
            spacing="3",
        ),
        size="3",
    )


def landing_page() -> rx.Component:
    return page_shell(
        _hero(),
        rx.grid(*(_feature(*feature) for feature in FEATURES),
                columns=rx.breakpoints(initial="1", sm="3"), spacing="4"),
        user_menu=_auth_buttons(),
    )
