"""Pieces the project pages share: status badges, and the wizard drafts card (on the dashboard
and the wizard's first step)."""

from __future__ import annotations

from typing import cast

import reflex as rx
from reflex_components_radix.themes.base import LiteralAccentColor

from projecthub.ui.components.dialogs import confirm
from projecthub.ui.components.forms import form_error
from projecthub.ui.components.moments import local_time
from projecthub.ui.layout import button_link
from projecthub.ui.state.projects import DraftRow, DraftsState
from projecthub.ui.typed import RowVar, lucide_icon

RUN_COLORS: tuple[tuple[str, LiteralAccentColor], ...] = (
    ("succeeded", "green"), ("failed", "red"), ("running", "blue"), ("cancelled", "gray"),
    ("pending", "gray"), ("awaiting_approval", "amber"), ("rejected", "red"))


def run_badge(status: rx.Var[str], label: rx.Var[str]) -> rx.Component:
    """A run's status in words (``status_format.run_label``), coloured by its raw value."""
    # Matching plain values gives a Var; rx.match's stub can only say "Component | Var".
    color = cast("rx.Var[LiteralAccentColor]", rx.match(status, *RUN_COLORS, "gray"))
    return rx.badge(label, color_scheme=color, variant="soft", white_space="nowrap",
                    data_testid="run-status", data_status=status)


def titled_card(icon: str, title: str, *children: rx.Component,
                action: rx.Component | None = None) -> rx.Component:
    """A card with an icon and a heading (and an action on the right)."""
    return rx.card(
        rx.vstack(
            rx.hstack(lucide_icon(icon, size=20), rx.heading(title, as_="h2", size="4"),
                      rx.spacer(), action or rx.fragment(), align="center", spacing="2",
                      width="100%"),
            *children,
            spacing="4", width="100%",
        ),
        size="3", width="100%",
    )


def simple_table(headers: tuple[str, ...], body: rx.Component) -> rx.Component:
    """A table with a plain header row (``body`` is usually an ``rx.foreach`` of rows)."""
    return rx.table.root(
        rx.table.header(rx.table.row(*(rx.table.column_header_cell(h) for h in headers))),
        rx.table.body(body),
        variant="surface", width="100%",
    )


def _draft_row(draft: RowVar[DraftRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.vstack(rx.text(draft.title, weight="medium", size="2"),
                                rx.text(draft.template, size="1", color_scheme="gray"),
                                spacing="0")),
        rx.table.cell(draft.step),
        rx.table.cell(local_time(draft.updated_at, draft.updated), white_space="nowrap"),
        rx.table.cell(rx.hstack(
            button_link("Resume", draft.href, size="1"),
            confirm(rx.button("Delete", size="1", variant="soft", color_scheme="red"),
                    "Delete the draft " + draft.title + "?",
                    "Its answers are thrown away. Nothing was created in any tool.",
                    "Delete draft", DraftsState.delete_draft(draft.id)),
            spacing="2", justify="end")),
        align="center",
    )


def drafts_card() -> rx.Component:
    return titled_card(
        "file-pen-line", "Drafts",
        rx.text("Unfinished projects, saved as you answered. Only you see them.", size="2",
                color_scheme="gray"),
        form_error("drafts"),
        simple_table(("Project", "At step", "Saved", ""),
                     rx.foreach(DraftsState.drafts, _draft_row)),
    )
