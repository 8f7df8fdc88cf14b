"""The chrome of signed-in pages: organization switcher, nav links, user menu, and the screens
shown instead of a page (loading, organization suspended, no organization, admins only).

Hiding things here is cosmetic; the states re-check the session and role in every handler."""

from __future__ import annotations

from typing import cast

import reflex as rx
from reflex_base.constants.colors import ColorType

from projecthub.core.config import settings
from projecthub.ui.auth_client import logout
from projecthub.ui.components.notifications import bell
from projecthub.ui.components.verify_banner import verify_banner
from projecthub.ui.layout import button_link, nav_link, page_shell
from projecthub.ui.state.session import OrgChoice, SessionState
from projecthub.ui.typed import RowVar, cond, lucide_icon, text_var


def _menu_label(text: str | rx.Var[str]) -> rx.Component:
    return rx.text(text, size="1", color_scheme="gray", padding_x="0.75rem",
                   padding_y="0.35rem")


def _org_item(org: RowVar[OrgChoice]) -> rx.Component:
    return rx.menu.item(
        rx.hstack(
            cond(org.current, lucide_icon("check", size=14), rx.box(width="14px")),
            rx.text(org.name),
            rx.spacer(),
            cond(org.suspended, rx.badge("suspended", color_scheme="red", size="1"),
                    rx.badge(org.role, variant="soft", size="1")),
            align="center",
            width="100%",
            spacing="2",
        ),
        on_click=SessionState.switch_org(org.id),
        min_width="16rem",
    )


def _org_label() -> rx.Var[str]:
    return cond(SessionState.org_name != "", SessionState.org_name, "No organization")


# Widest the organization's name in the header may be, per breakpoint (initial, xs, sm, md,
# lg 1280 px, xl 1640 px). Measured with an admin's six nav links in the 72rem header: 1100 px
# leaves about 8rem for it, 1280 px about 11rem; the person's name shows from 1640 px only.
ORG_NAME_WIDTH = ["6.5rem", "6.5rem", "6.5rem", "6.5rem", "9rem", "14rem"]


def _clipped(text: str | rx.Var[str], widths: list[str]) -> rx.Component:
    """A name cut with an ellipsis past its width, whole on hover and in the button's name: a
    long organization or person name must not push the nav links out of the header."""
    return rx.text(text, title=text, max_width=widths, overflow="hidden",
                   text_overflow="ellipsis", white_space="nowrap")


def org_switcher() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                lucide_icon("building-2", size=16),
                _clipped(_org_label(), ORG_NAME_WIDTH),
                lucide_icon("chevron-down", size=14),
                variant="soft", color_scheme="gray", size="2",
                # The accessible name starts with the visible text (WCAG 2.5.3).
                aria_label=text_var(_org_label()) + ", switch organization",
            ),
        ),
        rx.menu.content(
            _menu_label("Your organizations"),
            rx.foreach(SessionState.orgs, _org_item),
            rx.menu.separator(),
            rx.menu.item(lucide_icon("plus", size=14), "New organization",
                         on_click=rx.redirect("/orgs/new")),
        ),
    )


def user_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                # An icon, not initials: visible text in the button must be in its name.
                lucide_icon("circle-user-round", size=20),
                # The name from 1640 px on: below that the nav links need the room (it is in
                # the button's accessible name at every width).
                rx.box(_clipped(SessionState.user_name, ["12rem"]),
                       display=["none", "none", "none", "none", "none", "block"]),
                lucide_icon("chevron-down", size=14),
                variant="ghost", color_scheme="gray", size="2",
                aria_label=SessionState.user_name + ", user menu",
            ),
        ),
        rx.menu.content(
            _menu_label(SessionState.user_email),
            rx.menu.separator(),
            rx.menu.item(lucide_icon("user", size=14), "Account",
                         on_click=rx.redirect("/account")),
            cond(SessionState.is_instance_admin,
                    rx.menu.item(lucide_icon("shield", size=14), "Instance admin",
                                 on_click=rx.redirect("/admin/tenants"))),
            _outbox_item(),
            rx.menu.separator(),
            rx.menu.item(lucide_icon("log-out", size=14), "Log out", on_click=logout(),
                         color_scheme="red"),
        ),
    )


def _outbox_item() -> rx.Component:
    """The mail outbox: everyone's mailbox in development, a status view for admins otherwise."""
    item = rx.menu.item(lucide_icon("mail", size=14), "Outbox", on_click=rx.redirect("/outbox"))
    return item if not settings.is_production else cond(SessionState.is_instance_admin, item)


def _nav_links() -> list[rx.Component]:
    has_org = SessionState.org_problem == ""
    admin = has_org & SessionState.is_org_admin
    return [
        cond(SessionState.logged_in, org_switcher()),
        cond(SessionState.logged_in, nav_link("Dashboard", "/dashboard")),
        cond(SessionState.logged_in & has_org, nav_link("Members", "/org/members")),
        cond(SessionState.logged_in & has_org, nav_link("Connections", "/org/connections")),
        cond(SessionState.logged_in & has_org, nav_link("Templates", "/org/templates")),
        cond(SessionState.logged_in & admin, nav_link("Audit log", "/org/audit")),
        cond(SessionState.logged_in & admin, nav_link("Settings", "/org/settings")),
    ]


def loading() -> rx.Component:
    return rx.center(rx.spinner(size="3"), padding_y="6rem", width="100%")


def notice_screen(icon: str, title: str, message: rx.Var[str] | str,
                  *actions: rx.Component, color: ColorType = "gray") -> rx.Component:
    """A centred explanation instead of a page's data."""
    return rx.center(
        rx.card(
            rx.vstack(
                lucide_icon(icon, size=32, color=rx.color(color, 10)),
                rx.heading(title, as_="h1", size="6"),
                rx.text(message, size="3", color_scheme="gray", text_align="center"),
                rx.hstack(*actions, spacing="3", wrap="wrap", justify="center"),
                align="center",
                spacing="4",
            ),
            size="4",
            max_width="34rem",
            width="100%",
        ),
        padding_y="4rem",
        width="100%",
    )


def _org_problem() -> rx.Component:
    return cond(
        SessionState.org_suspended,
        notice_screen("ban", "Organization suspended", SessionState.org_problem,
                      rx.text("Switch to another organization from the menu above, if you "
                              "belong to one.", size="2", color_scheme="gray"),
                      color="red"),
        cond(SessionState.org_needs_microsoft,
             notice_screen("log-in", "Sign in with Microsoft required", SessionState.org_problem,
                           rx.button("Log out", size="3", on_click=logout())),
             notice_screen("building-2", "No organization selected", SessionState.org_problem,
                           button_link("Create an organization", "/orgs/new", size="3"))),
    )


def admins_only(content: rx.Component, what: str) -> rx.Component:
    return cond(
        SessionState.is_org_admin,
        content,
        notice_screen("lock", "Owners and admins only",
                      f"Only owners and admins of this organization can see {what}.",
                      button_link("Back to the dashboard", "/dashboard", variant="soft")),
    )


def page_header(title: str | rx.Var[str], subtitle: str | rx.Var[str] = "",
                *actions: rx.Component) -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.heading(title, as_="h1", size="7"),
            rx.text(subtitle, size="3", color_scheme="gray"),
            spacing="1",
        ),
        rx.spacer(),
        *actions,
        align="end",
        wrap="wrap",
        gap="3",
        width="100%",
    )


def _page_loaded() -> rx.Var[bool]:
    """The page's on_load chain is done, or its one load answered for this URL on this
    connection (``SessionState._mark_checked``): one event sooner, and never a stale page."""
    this_view = text_var(rx.State.router.session.session_id) + " " + rx.State.router.url
    return cast("rx.Var[bool]", rx.State.is_hydrated | (SessionState.checked_view == this_view))


def signed_in_page(*content: rx.Component, needs_org: bool = True) -> rx.Component:
    """A page for signed-in people; content shows once the session is checked (on_load)."""
    body: rx.Component = rx.vstack(*content, spacing="5", width="100%")
    if needs_org:
        body = cond(SessionState.org_problem != "", _org_problem(), body)
    body = rx.vstack(verify_banner(), body, spacing="4", width="100%")
    return page_shell(
        cond(_page_loaded() & SessionState.logged_in, body, loading()),
        nav_links=_nav_links(),
        user_menu=cond(SessionState.logged_in, rx.hstack(bell(), user_menu(), spacing="3",
                                                         align="center")),
    )
