"""The project page's lifecycle menu and delete dialog: choosing a state previews what happens
in each tool (archive, restore, nothing) before anything changes; deleting lists what is kept in
the tools and needs the project's key typed."""

from __future__ import annotations

from typing import cast

import reflex as rx

from projecthub.ui.components.dialogs import review_dialog
from projecthub.ui.components.forms import error_for, form_error
from projecthub.ui.pages.projects import simple_table
from projecthub.ui.state.project_status import (
    LIFECYCLE_CHOICES,
    ProjectState,
    ToolChangeRow,
    ToolKeepRow,
)
from projecthub.ui.typed import RowVar, cond, lucide_icon

ACTION_COLORS = {"archive": "amber", "restore": "green", "none": "gray"}


def lifecycle_menu() -> rx.Component:
    """The state select: a choice opens the preview; nothing changes until it is confirmed."""
    return rx.select.root(
        rx.select.trigger(aria_label="Lifecycle state", data_testid="lifecycle-select"),
        rx.select.content(*(rx.select.item(label, value=value)
                            for value, label in LIFECYCLE_CHOICES)),
        value=ProjectState.lifecycle, on_change=ProjectState.preview_lifecycle, size="2",
    )


def _action_badge(action: rx.Var[str]) -> rx.Component:
    return cast("rx.Component", rx.match(
        action,
        *((name, rx.badge(name.capitalize() if name != "none" else "No change",
                          color_scheme=color, variant="soft"))  # type: ignore[arg-type]
          for name, color in ACTION_COLORS.items()),
        rx.badge(action),
    ))


def _change_row(row: RowVar[ToolChangeRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.tool_label, weight="medium")),
        rx.table.cell(row.name),
        rx.table.cell(_action_badge(row.action)),
        rx.table.cell(rx.text(row.description, size="2")),
        data_testid="lifecycle-change", data_tool=row.tool, data_action=row.action,
    )


def lifecycle_dialog() -> rx.Component:
    return review_dialog(
        title="Move the project to " + ProjectState.lifecycle_target_text,
        description=("What this does in each tool. Nothing changes until you confirm; the "
                     "changes run as steps you can follow, and the project takes the new state "
                     "when all have succeeded."),
        body=(cond(ProjectState.lifecycle_changes.length() > 0,
                   simple_table(("Tool", "Resource", "Action", "What happens"),
                                rx.foreach(ProjectState.lifecycle_changes, _change_row)),
                   rx.text("The project has no resources in the tools: only ProjectHub "
                           "changes.", size="2")),),
        open_=ProjectState.lifecycle_dialog, on_close=ProjectState.close_lifecycle,
        back_label="Cancel", confirm_label="Confirm",
        on_confirm=ProjectState.confirm_lifecycle, confirm_testid="lifecycle-confirm",
        testid="lifecycle-dialog", max_width="44rem")


def delete_button() -> rx.Component:
    return rx.button(lucide_icon("trash-2", size=16), "Delete", color_scheme="red",
                     variant="soft", size="2", on_click=ProjectState.open_delete,
                     data_testid="delete-project")


def _keep_row(row: RowVar[ToolKeepRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(cond(row.can_delete,
                           rx.checkbox(name="delete_" + row.tool, aria_label="Delete in tool"),
                           lucide_icon("shield-check", size=16))),
        rx.table.cell(rx.text(row.tool_label, weight="medium")),
        rx.table.cell(row.name),
        rx.table.cell(rx.text(row.note, size="2")),
        data_testid="delete-option", data_tool=row.tool,
    )


def delete_dialog() -> rx.Component:
    message = error_for("confirmation")
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Delete " + ProjectState.name + " from ProjectHub"),
            rx.dialog.description(
                "Its runs, status and history go. Nothing in any tool is deleted unless you "
                "tick it below.", size="2", color_scheme="gray", margin_bottom="1rem"),
            rx.form(
                rx.vstack(
                    cond(ProjectState.delete_rows.length() > 0,
                         simple_table(("", "Tool", "Resource", "In the tool"),
                                      rx.foreach(ProjectState.delete_rows, _keep_row))),
                    rx.text("Type the project's key, " + ProjectState.key + ", to confirm.",
                            size="2", as_="label", html_for="field-confirmation"),
                    rx.input(name="confirmation", id="field-confirmation", auto_complete="off",
                             width="100%", data_testid="delete-confirmation"),
                    cond(message != "", rx.text(message, size="1", color_scheme="red",
                                                 role="alert")),
                    form_error("delete_in"),
                    rx.flex(
                        rx.button("Cancel", type="button", variant="soft", color_scheme="gray",
                                  on_click=ProjectState.close_delete(False)),
                        rx.button("Delete project", type="submit", color_scheme="red",
                                  data_testid="delete-confirm"),
                        spacing="3", justify="end", width="100%",
                    ),
                    spacing="3", width="100%",
                ),
                on_submit=ProjectState.delete_project, reset_on_submit=False,
            ),
            max_width="44rem",
        ),
        open=ProjectState.delete_dialog,
        on_open_change=ProjectState.close_delete,
    )
