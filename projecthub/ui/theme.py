"""The Radix theme, handed to ``RadixThemesPlugin`` in rxconfig (``App(theme=)`` is deprecated)."""

from __future__ import annotations

import reflex as rx

from projecthub.ui import styles


def app_theme() -> rx.Component:
    """Light or dark follows ``rx.color_mode``; only the palette and shape are fixed here."""
    return rx.theme(
        accent_color=styles.ACCENT_COLOR,
        gray_color=styles.GRAY_COLOR,
        radius=styles.RADIUS,
        has_background=True,
    )
