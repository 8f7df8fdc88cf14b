"""The public login and sign-up forms. They post straight to the REST API from the browser
(``ui.auth_client``), so passwords never pass through Reflex state."""

from __future__ import annotations

from typing import Any

import reflex as rx

from projecthub.ui.auth_client import sign_in_with_microsoft, submit_auth_form
from projecthub.ui.components.forms import field, form_error, submit
from projecthub.ui.layout import button_link, page_shell
from projecthub.ui.state.auth import AuthState
from projecthub.ui.state.slug import SlugSuggestion
from projecthub.ui.typed import cond

PASSWORD_HINT = "At least 8 characters. Long phrases are easy to remember and hard to guess."


def auth_layout(title: str, subtitle: str | rx.Var[str], *children: rx.Component,
                switch_label: str, switch_href: str) -> rx.Component:
    """A narrow centred card, with the other way in (log in / sign up) in the top bar."""
    return page_shell(
        rx.center(
            rx.card(
                rx.vstack(
                    rx.vstack(
                        rx.heading(title, as_="h1", size="6"),
                        rx.text(subtitle, size="2", color_scheme="gray"),
                        spacing="1",
                    ),
                    *children,
                    spacing="5",
                    width="100%",
                ),
                size="4",
                width="100%",
                max_width="28rem",
            ),
            padding_y=["1rem", "2rem", "3rem"],
            width="100%",
        ),
        user_menu=button_link(switch_label, switch_href, variant="soft", size="2"),
    )


def link_problem(problem: rx.Var[str], explanation: str, action: str,
                 href: str) -> rx.Component:
    """A mailed link that cannot be used: why, how such links work, and where to get another."""
    return rx.vstack(
        rx.callout(problem, icon="triangle_alert", color_scheme="red", width="100%"),
        rx.text(explanation, size="2"),
        button_link(action, href, width="100%"),
        spacing="3", width="100%",
    )


def auth_form(form_id: str, endpoint: str, *children: rx.Component,
              fallback: str = "/dashboard") -> rx.Component:
    return rx.form(
        rx.vstack(
            cond(AuthState.notice != "",
                    rx.callout(AuthState.notice, icon="info", color_scheme="blue", width="100%")),
            form_error(), *children, spacing="4", width="100%"),
        id=form_id,
        on_submit=submit_auth_form(form_id, endpoint, fallback, AuthState.show_error),
        no_validate=True,
        width="100%",
    )


def account_fields(email: rx.Var[str] | None = None) -> list[rx.Component]:
    """Email, name and password; an invitation fixes the email."""
    email_props: dict[str, Any] = (
        {"default_value": email, "read_only": True, "variant": "soft"} if email is not None
        else {"auto_focus": True})
    return [
        field("Email", "email", type="email", auto_complete="email",
              placeholder="you@company.com", **email_props),
        field("Your name", "display_name", auto_complete="name", placeholder="Ada Lovelace"),
        field("Password", "password", type="password", auto_complete="new-password",
              hint=PASSWORD_HINT),
    ]


def organization_fields(state: type[SlugSuggestion]) -> list[rx.Component]:
    """Name and slug; the slug follows the name until the person edits it."""
    return [
        field("Organization name", "org_name", placeholder="Acme Agency",
              on_change=state.suggest_slug),
        field("Short name (slug)", "org_slug", value=state.org_slug,
              on_change=state.edit_slug, placeholder="acme-agency",
              hint="Lowercase letters, digits and hyphens; used in API paths."),
    ]


def _organization_intro() -> list[rx.Component]:
    return [
        rx.separator(size="4"),
        rx.vstack(
            rx.text("Your organization", size="3", weight="bold"),
            rx.text("Projects, people and tool connections belong to an organization. "
                    "Joining a team instead? Open the invitation link you received.",
                    size="2", color_scheme="gray"),
            spacing="1",
        ),
    ]


def login_form() -> rx.Component:
    return auth_form(
        "login-form", "login",
        field("Email", "email", type="email", auto_complete="email", auto_focus=True,
              placeholder="you@company.com"),
        field("Password", "password", type="password", auto_complete="current-password"),
        submit("Log in", width="100%"),
    )


def _microsoft_logo() -> rx.Component:
    """Microsoft's four squares, drawn here (no image from another site)."""
    return rx.grid(*(rx.box(background=colour, width="9px", height="9px")
                     for colour in ("#f25022", "#7fba00", "#00a4ef", "#ffb900")),
                   columns="2", spacing="1", aria_hidden="true")


def microsoft_sign_in() -> rx.Component:
    """The other way in, below the password form. A button whose click loads the API's start
    route as a full page (``ui.auth_client``): a link would be caught by the SPA's router."""
    return cond(AuthState.microsoft_available, rx.vstack(
        rx.flex(rx.separator(size="4"), rx.text("or", size="2", color_scheme="gray"),
                rx.separator(size="4"), align="center", gap="3", width="100%"),
        rx.button(_microsoft_logo(), "Sign in with Microsoft", type="button", size="3",
                  variant="outline", color_scheme="gray", width="100%",
                  id="microsoft-sign-in", on_click=sign_in_with_microsoft()),
        spacing="4", width="100%"))


def signup_form(invitation_token: rx.Var[str] | None = None,
                email: rx.Var[str] | None = None) -> rx.Component:
    """With an invitation the person joins that organization instead of creating one."""
    extra = ([rx.el.input(type="hidden", name="invitation_token", value=invitation_token)]
             if invitation_token is not None
             else [*_organization_intro(), *organization_fields(AuthState)])
    label = "Create account and join" if invitation_token is not None else "Create account"
    return auth_form("signup-form", "signup", *account_fields(email), *extra,
                     submit(label, width="100%"))
