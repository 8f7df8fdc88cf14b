"""What every instance-admin page shares: the links between them, and the screen everyone
else sees instead (it only hides UI: every handler's service re-checks the flag)."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.shell import notice_screen
from projecthub.ui.layout import button_link
from projecthub.ui.state.session import SessionState

ADMIN_PAGES = (("Tenants", "/admin/tenants"), ("Users", "/admin/users"),
               ("Settings", "/admin/settings"))


def admin_nav(current: str) -> rx.Component:
    return rx.hstack(
        *(rx.link(rx.button(title, size="2", variant="solid" if path == current else "soft"),
                  href=path) for title, path in ADMIN_PAGES),
        spacing="2",
        aria_label="Instance administration",
    )


def instance_admin_only(current: str, *content: rx.Component) -> rx.Component:
    return rx.cond(
        SessionState.is_instance_admin,
        rx.vstack(admin_nav(current), *content, spacing="5", width="100%"),
        notice_screen("lock", "Instance administrators only",
                      "This page is for the people who run this ProjectHub instance.",
                      button_link("Back to the dashboard", "/dashboard", variant="soft")),
    )
