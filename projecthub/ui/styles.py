"""Design tokens shared by every page; components read these instead of repeating literals."""

from __future__ import annotations

from typing import Any, Final

PRODUCT_NAME: Final = "ProjectHub"
TAGLINE: Final = "Set up and track projects across Productive, Jira, Confluence and Microsoft 365."

ACCENT_COLOR: Final = "indigo"
GRAY_COLOR: Final = "slate"
RADIUS: Final = "medium"

CONTENT_MAX_WIDTH: Final = "72rem"
NAV_HEIGHT: Final = "3.5rem"
PAGE_PADDING_X: Final = ["1rem", "1.5rem", "2rem"]
SECTION_GAP: Final = "3rem"

FONT_FAMILY: Final = (
    "Inter, ui-sans-serif, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
)

GLOBAL_STYLE: Final[dict[Any, Any]] = {  # App(style=) keys may also be component types
    "font_family": FONT_FAMILY,
    "::selection": {"background_color": "var(--accent-a5)"},
}
