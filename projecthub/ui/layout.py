"""App chrome shared by every page: top navigation, content column and footer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import reflex as rx
from reflex.components.react_router import ReactRouterLink
from reflex_components_radix.themes.color_mode import ColorModeIconButton

from projecthub.ui import styles
from projecthub.ui.typed import lucide_icon

API_DOCS_URL = "/api/v1/docs"

FAVICON_PATH = "/favicon.svg"  # assets/favicon.svg: Reflex serves assets/ at the site root
CONTRAST_STYLESHEET = "/contrast.css"  # assets/contrast.css: WCAG AA text colours, light mode


def favicon() -> rx.Component:
    """For ``App(head_components=...)``."""
    return rx.el.link(rel="icon", type="image/svg+xml", href=FAVICON_PATH)


def nav_link(label: str, href: str) -> rx.Component:
    """A text link in the top navigation (client-side navigation for internal routes)."""
    return rx.link(label, href=href, size="2", weight="medium", color_scheme="gray",
                   high_contrast=True, underline="none", white_space="nowrap")


def button_link(label: str, href: str | rx.Var[str], **button_props: Any) -> rx.Component:
    """A link styled as a button: one ``<a>``, not an ``<a>`` wrapped around a ``<button>``."""
    return rx.button(ReactRouterLink.create(label, to=href), as_child=True, **button_props)


def brand() -> rx.Component:
    """The product name, linking home."""
    return rx.link(
        rx.hstack(
            lucide_icon("layout-grid", size=20),
            rx.text(styles.PRODUCT_NAME, size="4", weight="bold"),
            align="center",
            spacing="2",
        ),
        href="/",
        color_scheme="gray",
        high_contrast=True,
        underline="none",
        aria_label=f"{styles.PRODUCT_NAME} home",
    )


def navbar(
    nav_links: Sequence[rx.Component] = (), user_menu: rx.Component | None = None
) -> rx.Component:
    """Sticky top bar: brand, the page's nav links, then the user menu and the colour toggle.

    The right-hand group never shrinks and keeps a clear gap from the last link; when the
    window is too narrow for every link, the links scroll sideways instead of pushing the
    bell and the menus out of the window or onto each other."""
    return rx.box(
        rx.hstack(
            brand(),
            rx.hstack(*nav_links, spacing="3", align="center", margin_left="1.5rem",
                      min_width="0", overflow_x="auto", scrollbar_width="thin",
                      padding_y="2px"),  # keyboard focus rings stay visible in the scroller
            rx.spacer(),
            rx.hstack(
                user_menu if user_menu is not None else rx.fragment(),
                # rx.color_mode.button itself (the stub types rx.color_mode as a plain Var).
                ColorModeIconButton.create(variant="ghost", size="2",
                                           aria_label="Toggle dark mode"),
                spacing="3",
                align="center",
                flex_shrink="0",
                margin_left="1.5rem",
            ),
            align="center",
            height=styles.NAV_HEIGHT,
            max_width=styles.CONTENT_MAX_WIDTH,
            margin_x="auto",
            padding_x=styles.PAGE_PADDING_X,
        ),
        as_="header",
        position="sticky",
        top="0",
        z_index="10",
        width="100%",
        background_color="var(--color-panel-solid)",
        border_bottom="1px solid var(--gray-a5)",
    )


def footer() -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(f"{styles.PRODUCT_NAME} · open source, Apache-2.0", size="1",
                    color_scheme="gray"),
            rx.spacer(),
            rx.link("REST API", href=API_DOCS_URL, size="1", color_scheme="gray", is_external=True),
            align="center",
            max_width=styles.CONTENT_MAX_WIDTH,
            margin_x="auto",
            padding_x=styles.PAGE_PADDING_X,
            padding_y="1.25rem",
        ),
        as_="footer",
        width="100%",
        border_top="1px solid var(--gray-a5)",
    )


def page_shell(
    *children: rx.Component,
    nav_links: Sequence[rx.Component] = (),
    user_menu: rx.Component | None = None,
) -> rx.Component:
    """Wrap a page's content in the app chrome; pages pass their own links and user menu."""
    return rx.flex(
        navbar(nav_links, user_menu),
        rx.box(
            *children,
            as_="main",
            flex="1",
            width="100%",
            max_width=styles.CONTENT_MAX_WIDTH,
            margin_x="auto",
            padding_x=styles.PAGE_PADDING_X,
            padding_y="2rem",
        ),
        footer(),
        direction="column",
        min_height="100vh",
    )
