"""Health, lifecycle and data-age markers shared by the dashboard and the project status page.
Colour is never the only signal: every badge also says its state in words. Badges use high
contrast text: Radix's soft green, amber and orange fall short of WCAG AA's 4.5:1 in light mode."""

from __future__ import annotations

from typing import Literal, cast

import reflex as rx
from reflex_components_radix.themes.base import LiteralAccentColor

from projecthub.ui.typed import lucide_icon

HEALTH_COLORS: tuple[tuple[str, LiteralAccentColor], ...] = (
    ("green", "green"), ("amber", "amber"), ("red", "red"))
HEALTH_ICONS = (("green", "circle-check"), ("amber", "circle-alert"), ("red", "circle-x"))
LIFECYCLE_COLORS: tuple[tuple[str, LiteralAccentColor], ...] = (
    ("active", "green"), ("on_hold", "amber"), ("completed", "blue"),
    ("provisioning", "indigo"), ("archived", "gray"), ("draft", "gray"),
    ("not_approved", "red"))


def _color(value: rx.Var[str], colors: tuple[tuple[str, LiteralAccentColor], ...]
           ) -> rx.Var[LiteralAccentColor]:
    # Matching plain values gives a Var; rx.match's stub can only say "Component | Var".
    return cast("rx.Var[LiteralAccentColor]", rx.match(value, *colors, "gray"))


def health_badge(health: rx.Var[str], label: rx.Var[str] | str, *,
                 size: Literal["1", "2", "3"] = "2") -> rx.Component:
    return rx.badge(
        lucide_icon(rx.match(health, *HEALTH_ICONS, "circle-help"), size=14),
        label,
        color_scheme=_color(health, HEALTH_COLORS),
        variant="soft", size=size, radius="full", high_contrast=True, data_testid="health",
        data_health=health,
    )


def lifecycle_badge(state: rx.Var[str], label: rx.Var[str] | str) -> rx.Component:
    return rx.badge(label, color_scheme=_color(state, LIFECYCLE_COLORS), variant="outline",
                    high_contrast=True, data_testid="lifecycle", white_space="nowrap")


def health_dot(health: rx.Var[str] | str) -> rx.Component:
    color = (_color(health, HEALTH_COLORS) if isinstance(health, rx.Var)
             else dict(HEALTH_COLORS).get(health, "gray"))
    return rx.box(width="0.6rem", height="0.6rem", border_radius="50%", flex_shrink="0",
                  background_color=rx.color(color, 9))


def stale_marker(note: rx.Var[str] | str) -> rx.Component:
    """"stale", with why on hover (and for screen readers)."""
    return rx.tooltip(
        rx.badge(lucide_icon("clock-alert", size=12), "stale", color_scheme="orange",
                 variant="soft", size="1", high_contrast=True, aria_label=note,
                 data_testid="stale"),
        content=note,
    )


def reason_line(level: rx.Var[str], text: rx.Var[str]) -> rx.Component:
    """One reason behind a health colour, with its own level's icon."""
    return rx.hstack(
        lucide_icon(rx.match(level, *HEALTH_ICONS, "circle-help"), size=16, flex_shrink="0",
                color=rx.color(_color(level, HEALTH_COLORS), 10),
                margin_top="0.15rem"),
        rx.text(text, size="2"),
        align="start", spacing="2", data_testid="reason",
    )
