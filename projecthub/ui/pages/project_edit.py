"""The project edit page: a form with the project's fields, its owner and every organization
member's place in it; "Preview changes" shows, per tool, what will happen (nothing changes),
and "Run it" starts the edit."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.dialogs import review_dialog
from projecthub.ui.components.forms import field, form_error, label
from projecthub.ui.components.shell import notice_screen, signed_in_page
from projecthub.ui.layout import button_link
from projecthub.ui.pages.project_add_tool import add_tool_section
from projecthub.ui.pages.projects import simple_table, titled_card
from projecthub.ui.state.project_edit import (
    FORM_FIELD,
    ROLE_CHOICES,
    ROLE_PREFIX,
    EditLine,
    EditPerson,
    ProjectEditState,
)
from projecthub.ui.typed import RowVar, cond

ROLE_LABELS = {"none": "Not in the project", "member": "Member", "lead": "Lead (team owner)"}


def _details() -> rx.Component:
    s = ProjectEditState
    return titled_card(
        "pencil", "Details",
        field("Name", "name", default_value=s.name, data_testid="edit-name"),
        rx.vstack(label("Description", "field-description"),
                  rx.text_area(name="description", id="field-description",
                               default_value=s.description, width="100%", rows="3"),
                  spacing="1", width="100%"),
        field("Client", "client_company", default_value=s.client),
        rx.flex(
            rx.box(field("Start date", "start_date", type="date", default_value=s.start_date),
                   flex="1", min_width="12rem"),
            rx.box(field("End date", "end_date", type="date", default_value=s.end_date,
                         data_testid="edit-end-date"), flex="1", min_width="12rem"),
            gap="4", wrap="wrap", width="100%",
        ),
    )


def _owner_item(person: RowVar[EditPerson]) -> rx.Component:
    return rx.select.item(person.name, value=person.user_id)


def _person_row(person: RowVar[EditPerson]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.hstack(
            rx.text(person.name, weight="medium"),
            cond(person.role == "manager",
                 rx.badge("Project manager", variant="soft", color_scheme="blue")),
            spacing="2", align="center")),
        rx.table.cell(rx.text(person.email, size="2", color_scheme="gray")),
        rx.table.cell(rx.select.root(
            rx.select.trigger(aria_label="Role of " + person.name),
            rx.select.content(*(rx.select.item(ROLE_LABELS[r], value=r) for r in ROLE_CHOICES)),
            name=ROLE_PREFIX + person.user_id,
            default_value=cond(person.role == "manager", "member", person.role),
            size="2")),
        data_testid="edit-person", data_email=person.email,
    )


def _people() -> rx.Component:
    s = ProjectEditState
    return titled_card(
        "users", "Owner and members",
        rx.vstack(label("Owner (project manager)", "field-owner"),
                  rx.select.root(rx.select.trigger(id="field-owner", aria_label="Owner"),
                                 rx.select.content(rx.foreach(s.people, _owner_item)),
                                 name="owner_id", default_value=s.owner_id, size="3"),
                  spacing="1"),
        rx.text("Members get access in every tool of the project: Jira project role, "
                "Confluence space permissions, Teams membership (leads own the team) and "
                "Productive project membership.", size="2", color_scheme="gray"),
        simple_table(("Person", "Email", "In the project"),
                     rx.foreach(s.people, _person_row)),
    )


def _line(line: RowVar[EditLine]) -> rx.Component:
    return rx.table.row(rx.table.cell(line.description),
                        data_testid="edit-change", data_tool=line.tool)


def _preview_dialog() -> rx.Component:
    s = ProjectEditState
    return review_dialog(
        title="Review the changes",
        description=cond(
            s.waits_for != "",
            "These wait for approval by " + s.waits_for + ": nothing changes, here or in "
            "the tools, until then. Once approved they run as steps you can follow; the "
            "project takes the new values when every tool has them.",
            cond(s.runs_in_tools,
                 "These run as steps you can follow; the project takes the new values "
                 "when every tool has them.",
                 "Nothing in the tools changes; ProjectHub applies this at once.")),
        body=(cond(s.lines.length() > 0,
                   simple_table(("What happens, tool by tool",), rx.foreach(s.lines, _line)),
                   rx.text("Nothing changes.", size="2")),),
        open_=s.preview_open, on_close=ProjectEditState.close_preview, back_label="Back",
        confirm_label="Run it", on_confirm=ProjectEditState.confirm,
        confirm_disabled=s.lines.length() == 0, confirm_testid="edit-confirm",
        testid="edit-preview")


def _form() -> rx.Component:
    s = ProjectEditState
    return rx.vstack(
        rx.hstack(rx.heading("Edit " + s.title, as_="h1", size="7"), rx.spacer(),
                  button_link("Back to the project", "/projects/" + s.edit_id,
                              variant="soft"),
                  width="100%", align="center"),
        rx.form(
            rx.vstack(
                _details(), _people(), form_error(FORM_FIELD),
                rx.flex(rx.button("Preview changes", type="submit", size="3",
                                  data_testid="edit-preview-button"),
                        justify="end", width="100%"),
                spacing="4", width="100%",
            ),
            on_submit=ProjectEditState.preview, reset_on_submit=False, width="100%",
        ),
        _preview_dialog(),
        add_tool_section(),
        spacing="4", width="100%",
    )


def project_edit_page() -> rx.Component:
    return signed_in_page(cond(
        ProjectEditState.problem != "",
        notice_screen("folder-x", "Project not found", ProjectEditState.problem,
                      button_link("Back to the dashboard", "/dashboard", variant="soft")),
        cond(ProjectEditState.edit_id != "", _form(), rx.spinner()),
    ))
