"""``/org/templates``: the template library. Everyone reads; owners and admins clone, edit the
source (YAML) and retire. A save that does not parse lists its problems by line, beside the
editor, and keeps what was typed."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.dialogs import confirm
from projecthub.ui.components.forms import form_error, section
from projecthub.ui.components.shell import page_header, signed_in_page
from projecthub.ui.state.session import SessionState
from projecthub.ui.state.templates import EDITOR, LIST, LineError, TemplateRow, TemplatesState
from projecthub.ui.typed import RowVar, cond, lucide_icon, text_var

SOURCE_ID = "template-source"
# Select line N of the editor and scroll it into view (N is appended by the caller).
_GO_TO_LINE = (
    "((n) => { const t = document.getElementById('" + SOURCE_ID + "'); if (!t) return;"
    " const lines = t.value.split('\\n'); let start = 0;"
    " for (let i = 0; i < n - 1 && i < lines.length; i++) start += lines[i].length + 1;"
    " t.focus(); t.setSelectionRange(start, start + (lines[n - 1] || '').length);"
    " const h = parseFloat(getComputedStyle(t).lineHeight) || 20;"
    " t.scrollTop = Math.max(0, (n - 4) * h); })"
)


# A plain textarea: Radix's wraps long lines, and a YAML line must stay one line on screen.
_EDITOR_STYLE = {
    "flex": "3", "min_width": "20rem", "width": "100%", "resize": "vertical",
    "font_family": "var(--code-font-family, ui-monospace, monospace)", "font_size": "13px",
    "line_height": "1.55", "white_space": "pre", "overflow": "auto", "tab_size": "2",
    "padding": "0.75rem", "border": "1px solid var(--gray-a7)",
    "border_radius": "var(--radius-3)", "background_color": "var(--color-surface)",
    "color": "var(--gray-12)", "outline_color": "var(--accent-8)",
}


def _actions(row: RowVar[TemplateRow]) -> rx.Component:
    admin = SessionState.is_org_admin
    return rx.hstack(
        rx.button(cond(admin & ~row.builtin & ~row.retired, "Edit", "View"), size="1",
                  variant="soft", color_scheme="gray",
                  on_click=TemplatesState.open_template(row.id)),
        cond(admin, rx.button("Clone", size="1", variant="soft",
                                 on_click=TemplatesState.clone(row.id))),
        cond(admin & ~row.builtin & ~row.retired, confirm(
            rx.button("Retire", size="1", variant="soft", color_scheme="red"),
            "Retire " + row.name + "?",
            "New projects can no longer use it. Projects already made from it keep the version "
            "they used. This cannot be undone, but you can clone it.",
            "Retire template", TemplatesState.retire(row.id))),
        spacing="2", justify="end",
    )


def _row(row: RowVar[TemplateRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.vstack(
            rx.hstack(rx.text(row.name, weight="medium", size="2"),
                      cond(row.builtin, rx.badge("built-in", variant="soft", size="1")),
                      spacing="2", align="center"),
            rx.text(row.description, size="1", color_scheme="gray"),
            spacing="1")),
        rx.table.cell("v" + row.version.to_string()),
        rx.table.cell(cond(row.retired, rx.badge("retired", color_scheme="gray"),
                              rx.badge("in use", color_scheme="green", high_contrast=True))),
        rx.table.cell(_actions(row)),
        align="center",
        data_testid="template-row",
    )


def _line_error(error: RowVar[LineError]) -> rx.Component:
    return rx.hstack(
        rx.button("Line " + error.line.to_string(), size="1", variant="soft", color_scheme="red",
                  on_click=rx.call_script(_GO_TO_LINE + "(" + error.line.to_string() + ")"),
                  flex_shrink="0"),
        rx.text(error.message, size="2", word_break="break-word"),
        align="start", spacing="2", width="100%",
        data_testid="line-error",
    )


def _problems() -> rx.Component:
    return rx.vstack(
        cond(
            TemplatesState.line_errors.length() > 0,
            rx.callout.root(
                rx.callout.icon(lucide_icon("triangle-alert", size=16)),
                rx.vstack(
                    rx.callout.text("Not saved. Fix these lines and save again:", weight="bold"),
                    rx.foreach(TemplatesState.line_errors, _line_error),
                    spacing="2", width="100%",
                ),
                color_scheme="red", width="100%", role="alert",
            ),
            rx.text("Each save becomes the next version. Projects keep the version they were "
                    "made from; drafts keep theirs too.", size="2", color_scheme="gray"),
        ),
        cond(~TemplatesState.editable,
                rx.callout(TemplatesState.why_read_only, icon="lock", color_scheme="gray",
                           width="100%")),
        width="100%", spacing="3",
    )


def _editor() -> rx.Component:
    state = TemplatesState
    title = text_var(cond(state.editable, "Edit ", "View ")) + state.editing_name
    return section(
        "Template source",
        title + " · version " + state.editing_version.to_string(),
        rx.form(
            rx.flex(
                rx.el.textarea(
                    id=SOURCE_ID, name="source", default_value=state.source, key=state.editor_key,
                    read_only=~state.editable, rows=26, spell_check=False, wrap="off",
                    aria_label="Template source (YAML)", style=_EDITOR_STYLE,
                ),
                rx.box(_problems(), flex="2", min_width="16rem"),
                spacing="4", wrap="wrap", width="100%", align="start",
            ),
            form_error(EDITOR),
            rx.flex(
                rx.button("Close", type="button", variant="soft", color_scheme="gray", size="3",
                          on_click=state.close_editor),
                cond(state.editable, rx.button("Save as new version", type="submit",
                                                  size="3")),
                justify="end", spacing="3", width="100%", margin_top="1rem",
            ),
            on_submit=state.save,
            width="100%",
        ),
        id="template-editor",
    )


def templates_page() -> rx.Component:
    return signed_in_page(
        page_header("Templates", cond(
            SessionState.is_org_admin,
            "The questionnaires behind new projects. Clone the built-in one to make your own.",
            "The questionnaires behind new projects. Owners and admins change them.")),
        form_error(LIST),
        cond(TemplatesState.editor_open, _editor()),
        rx.table.root(
            rx.table.header(rx.table.row(*(rx.table.column_header_cell(h) for h in (
                "Template", "Version", "Status", "")))),
            rx.table.body(rx.foreach(TemplatesState.templates, _row)),
            variant="surface", width="100%",
        ),
    )
