""""Add a tool" on the project edit page: one row per connected tool the project lacks, each with
"Check and add"; a dialog asks the tool's own questions of the template (the wizard's fields,
filled with the project's answers), shows the creation wizard's verdict for that tool and the
steps it will run, and "Add it" starts the run (its progress page follows)."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.dialogs import review_dialog
from projecthub.ui.components.forms import form_error
from projecthub.ui.pages.projects import simple_table, titled_card
from projecthub.ui.pages.wizard_fields import FieldEvents, question
from projecthub.ui.pages.wizard_review import check_card
from projecthub.ui.state.project_add_tool import ADD_FIELD, AddOption, AddToolState
from projecthub.ui.state.wizard_fields import FieldRow
from projecthub.ui.state.wizard_review import ToolCard
from projecthub.ui.typed import RowVar, cond


def _option(option: RowVar[AddOption]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(option.label, weight="medium")),
        rx.table.cell(rx.text(option.connection_name, size="2", color_scheme="gray")),
        rx.table.cell(rx.button("Check and add", size="2", variant="soft",
                                on_click=AddToolState.check_tool(option.connection_id),
                                aria_label="Check and add " + option.label)),
        data_testid="add-tool-option", data_tool=option.tool,
    )


ADD_EVENTS = FieldEvents(AddToolState.set_answer, AddToolState.touch,
                         AddToolState.toggle_option, AddToolState.set_flag)


def _question(row: RowVar[FieldRow]) -> rx.Component:
    return question(row, ADD_EVENTS)


def _questions() -> rx.Component:
    """The template's questions for the tool; a change needs the check again before Add."""
    s = AddToolState
    return cond(s.add_fields.length() > 0, rx.vstack(
        rx.heading("Answers for " + s.add_label, size="3"),
        rx.foreach(s.add_fields, _question),
        rx.button("Check again", size="2", variant="soft", on_click=AddToolState.recheck,
                  loading=s.add_checking, data_testid="add-tool-recheck"),
        spacing="3", width="100%", margin_bottom="1rem", data_testid="add-tool-questions"))


def _card(card: RowVar[ToolCard]) -> rx.Component:
    return check_card(card, testid="add-tool-check")


def _step(title: RowVar[str]) -> rx.Component:
    return rx.table.row(rx.table.cell(title), data_testid="add-tool-step")


def _dialog() -> rx.Component:
    s = AddToolState
    return review_dialog(
        title="Add " + s.add_label,
        description=("ProjectHub asked the tool, without changing anything, whether the "
                     "template's part for it can run, with the answers below (the project's "
                     "own, until you change them). Adding it runs these steps; the project "
                     "has the tool once every step has succeeded."),
        body=(_questions(),
              cond(s.add_checking, rx.hstack(rx.spinner(size="2"),
                                             rx.text("Checking…", size="2"))),
              rx.vstack(rx.foreach(s.add_card, _card), width="100%"),
              cond(s.add_steps.length() > 0,
                   simple_table(("Steps of the run",), rx.foreach(s.add_steps, _step))),
              form_error(ADD_FIELD)),
        open_=s.add_open, on_close=AddToolState.close_add, back_label="Back",
        confirm_label="Add it", on_confirm=AddToolState.confirm_add,
        confirm_disabled=~s.add_ok | s.add_checking, confirm_testid="add-tool-confirm",
        testid="add-tool-preview")


def add_tool_section() -> rx.Component:
    """Shown only when some connected tool is missing from the project."""
    s = AddToolState
    return rx.fragment(
        cond(s.add_options.length() > 0, titled_card(
            "circle-plus", "Add a tool",
            rx.text("Connected tools this project does not use yet. The template's steps for "
                    "the tool run on their own, as when the project was created.",
                    size="2", color_scheme="gray"),
            simple_table(("Tool", "Connection", ""), rx.foreach(s.add_options, _option)),
            cond(~s.add_open, form_error(ADD_FIELD)),
        )),
        _dialog(),
    )
