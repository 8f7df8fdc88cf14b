"""The pages shown instead of one: an unknown URL (404) and a page that failed to render, both
in the app's own chrome and each with a way back.

The error screen replaces Reflex's default error boundary (a bare white page). React renders it
in place of the whole app after a crash, so it holds no state, and its links load the page
afresh (``reloadDocument``): client-side navigation would keep the failed tree's boundary."""

from __future__ import annotations

import reflex as rx
from reflex_components_core.base.error_boundary import ErrorBoundary

from projecthub.ui.components.shell import notice_screen
from projecthub.ui.layout import button_link, page_shell

NOT_FOUND_TITLE = "Page not found"
ERROR_TITLE = "Something went wrong"
# App wraps nest by priority, highest outermost; the Radix theme is 20, so 19 sits inside it and
# the error screen gets the theme's colours and components.
ERROR_BOUNDARY_WRAP = (19, "ErrorBoundary")
DEFAULT_ERROR_BOUNDARY_WRAP = (55, "ErrorBoundary")


def not_found_page() -> rx.Component:
    return page_shell(notice_screen(
        "map-pin-off", NOT_FOUND_TITLE,
        "There is no page at this address. It may have moved, or the link may be mistyped.",
        button_link("Go to the dashboard", "/dashboard", size="3"),
        button_link("Home page", "/", size="3", variant="soft"),
    ))


def _reloading_link(label: str, href: str, *, primary: bool) -> rx.Component:
    return rx.button(rx.el.a(label, href=href, custom_attrs={"reloadDocument": True}),
                     as_child=True, size="3", variant="solid" if primary else "soft")


def error_screen() -> rx.Component:
    return page_shell(notice_screen(
        "triangle-alert", ERROR_TITLE,
        "This page stopped working because of an error in ProjectHub, not in anything you did. "
        "Reloading usually helps; your saved work is safe.",
        _reloading_link("Reload the dashboard", "/dashboard", primary=True),
        _reloading_link("Home page", "/", primary=False),
        color="red",
    ))


def error_boundary(_stateful: bool) -> rx.Component:
    """For ``App.app_wraps``: catches a render error and shows :func:`error_screen`."""
    return ErrorBoundary.create(fallback_render=error_screen())
