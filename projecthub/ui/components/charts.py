"""Status history charts (recharts): Jira issues by status category over time, and budget used
against time elapsed. Colours come from the Radix scales, so both follow light and dark mode."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import reflex as rx
from reflex_base.constants.colors import ColorType

CHART_HEIGHT = 240
_AXIS: dict[str, Any] = {"stroke": "var(--gray-a9)", "font_size": 12}
_TOOLTIP: dict[str, Any] = {"content_style": {"background": "var(--color-panel-solid)",
                              "border": "1px solid var(--gray-a6)",
                              "border_radius": "var(--radius-2)", "font_size": "13px"},
            "label_style": {"color": "var(--gray-12)"},
            "item_style": {"padding": "0"}}
ISSUE_SERIES: tuple[tuple[str, str, ColorType], ...] = (
    ("to_do", "To do", "gray"), ("in_progress", "In progress", "blue"), ("done", "Done", "green"))


def _frame(*series: rx.Component, chart: Any, data: rx.Var[Sequence[dict[str, Any]]],
           unit: str = "") -> rx.Component:
    return rx.recharts.responsive_container(
        chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3", stroke="var(--gray-a5)",
                                       vertical=False),
            rx.recharts.x_axis(data_key="day", **_AXIS),
            rx.recharts.y_axis(allow_decimals=False, unit=unit, width=48, **_AXIS),
            rx.recharts.graphing_tooltip(**_TOOLTIP),
            rx.recharts.legend(icon_size=10),
            *series,
            data=data, margin={"top": 8, "right": 16, "left": 0, "bottom": 0},
        ),
        width="100%", height=CHART_HEIGHT,
    )


def issues_chart(data: rx.Var[Sequence[dict[str, Any]]]) -> rx.Component:
    """Stacked areas: to do, in progress and done per day."""
    return _frame(
        *(rx.recharts.area(data_key=key, name=name, stack_id="issues", type_="monotone",
                           stroke=rx.color(color, 9), fill=rx.color(color, 6),
                           fill_opacity=0.6, is_animation_active=False)
          for key, name, color in ISSUE_SERIES),
        chart=rx.recharts.area_chart, data=data,
    )


def burn_chart(data: rx.Var[Sequence[dict[str, Any]]]) -> rx.Component:
    """Budget used vs time elapsed, both in percent: the health rule's two inputs."""
    return _frame(
        rx.recharts.line(data_key="burn", name="Budget used", type_="monotone",
                         stroke=rx.color("orange", 9), stroke_width=2, dot={"r": 2},
                         is_animation_active=False),
        rx.recharts.line(data_key="elapsed", name="Time elapsed", type_="monotone",
                         stroke=rx.color("indigo", 9), stroke_width=2, stroke_dasharray="5 4",
                         dot=False, is_animation_active=False),
        chart=rx.recharts.line_chart, data=data, unit="%",
    )
