"""``/projects/import``: suggested projects from the connected tools, searchable, with the
resources each would link; select some or all, import, watch the progress, read the failures."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.forms import form_error
from projecthub.ui.components.shell import admins_only, page_header, signed_in_page
from projecthub.ui.state.project_import import (
    IMPORT_FIELD,
    FailureRow,
    ImportState,
    ProposalRow,
    ResourceLine,
)
from projecthub.ui.typed import RowVar, cond, int_var, lucide_icon, text_var


def _resource(line: RowVar[ResourceLine]) -> rx.Component:
    label = rx.text(line.tool + ": " + line.name, size="1")
    return cond(line.url != "", rx.link(label, href=line.url, is_external=True), label)


def _row(row: RowVar[ProposalRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.checkbox(checked=row.selected,
                                  on_change=lambda _checked: ImportState.toggle(row.key),
                                  aria_label="Select " + row.name)),
        rx.table.cell(rx.code(row.key, variant="ghost")),
        rx.table.cell(rx.text(row.name, weight="medium", size="2")),
        rx.table.cell(rx.vstack(rx.foreach(row.resources, _resource), spacing="1")),
        rx.table.cell(rx.badge(row.matched, variant="soft")),
        rx.table.cell(row.members.to_string()),
        align="center",
        data_testid="import-row",
    )


def _toolbar() -> rx.Component:
    state = ImportState
    return rx.flex(
        rx.input(rx.input.slot(lucide_icon("search", size=16)), placeholder="Search key or name",
                 value=state.query, on_change=state.search, aria_label="Search projects",
                 width="18rem", debounce_timeout=300),
        rx.button("Select all", variant="soft", size="2", on_click=state.select_all,
                  disabled=state.importing),
        rx.button("Select none", variant="soft", size="2", on_click=state.select_none,
                  disabled=state.importing),
        rx.button(lucide_icon("refresh-cw", size=16), "List again", variant="soft", size="2",
                  on_click=state.discover, disabled=state.importing | state.listing),
        rx.spacer(),
        rx.text(state.selected_count.to_string() + " of " + state.proposal_count.to_string()
                + " selected", size="2", data_testid="selected-count"),
        rx.button(lucide_icon("download", size=16),
                  cond(state.selected_count == 1, "Import 1 project",
                       "Import " + state.selected_count.to_string() + " projects"),
                  size="2", on_click=state.start_import,
                  disabled=state.importing | (state.selected_count == 0),
                  loading=state.importing),
        align="center", gap="3", wrap="wrap", width="100%",
    )


def _progress() -> rx.Component:
    state = ImportState
    return cond(state.importing | state.finished, rx.card(rx.vstack(
        rx.text(text_var(cond(state.importing, "Importing… ", "Imported: "))
                + state.created.to_string() + " created, " + state.done.to_string() + " of "
                + state.total.to_string() + " done", size="2", data_testid="import-progress"),
        rx.progress(value=int_var(state.percent), max=100, size="3", width="100%",
                    aria_label="Import progress"),
        spacing="2", width="100%"), width="100%"))


def _failure(row: RowVar[FailureRow]) -> rx.Component:
    return rx.table.row(rx.table.cell(rx.code(row.key, variant="ghost")),
                        rx.table.cell(row.name), rx.table.cell(row.reason),
                        data_testid="import-failure")


def _results() -> rx.Component:
    state = ImportState
    failures = cond(state.failures.length() > 0, rx.vstack(
        rx.heading("Not imported", as_="h2", size="4"),
        rx.text("List again to have a free key suggested for a project whose key was taken.",
                size="2", color_scheme="gray"),
        rx.table.root(
            rx.table.header(rx.table.row(*(rx.table.column_header_cell(h)
                                           for h in ("Key", "Name", "Why")))),
            rx.table.body(rx.foreach(state.failures, _failure)),
            variant="surface", width="100%"),
        spacing="2", width="100%"))
    unmatched = cond(state.unmatched.length() > 0, rx.callout(
        rx.text("People in the tools without a ProjectHub account here (invite them to add "
                "them to their projects): " + state.unmatched.join(", ")),
        icon="user-x", color_scheme="amber", width="100%", data_testid="unmatched"))
    return rx.vstack(failures, unmatched, spacing="3", width="100%")


def _table() -> rx.Component:
    state = ImportState
    return cond(
        state.listing,
        rx.hstack(rx.spinner(), rx.text("Listing projects, spaces and teams in your tools…"),
                  align="center", spacing="2"),
        cond(state.rows.length() > 0,
             rx.table.root(
                 rx.table.header(rx.table.row(*(rx.table.column_header_cell(h) for h in (
                     "", "Key", "Project", "Linked resources", "Match", "People")))),
                 rx.table.body(rx.foreach(state.rows, _row)),
                 variant="surface", width="100%"),
             cond(state.listed, rx.callout(
                 cond(state.proposal_count > 0, "No suggestion matches this search.",
                      "Nothing left to import: everything the tools have is linked."),
                 icon="info", width="100%"))),
    )


def _content() -> rx.Component:
    state = ImportState
    return rx.vstack(
        form_error(IMPORT_FIELD),
        rx.foreach(state.problems, lambda p: rx.callout(p, icon="triangle-alert",
                                                        color_scheme="amber", width="100%")),
        cond(state.linked_count > 0,
             rx.text(state.linked_count.to_string()
                     + " resources in your tools are already linked to projects.",
                     size="2", color_scheme="gray")),
        _toolbar(), _progress(), _results(), _table(),
        spacing="4", width="100%",
    )


def import_page() -> rx.Component:
    return signed_in_page(
        page_header("Import existing projects",
                    "Jira projects, Confluence spaces, Productive projects and Teams you already "
                    "have, matched across tools by key and name."),
        admins_only(_content(), "the import"),
    )
