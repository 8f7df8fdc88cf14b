"""The connection editor: one dialog for adding and editing, its fields drawn from TOOL_SPECS.

Inputs are uncontrolled, so what was typed survives error messages; secret inputs start empty
(editing: empty keeps the saved secret) and leave with the dialog once the connection is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import reflex as rx

from projecthub.services.connection_specs import TOOL_SPECS, FieldSpec, ToolSpec
from projecthub.ui.components.forms import field, form_error, label, submit
from projecthub.ui.pages.connections_sandbox import sandbox_shortcut
from projecthub.ui.state.connections import FORM, ConnectionsState
from projecthub.ui.typed import cond, str_dict, text_var

_EDITING = ConnectionsState.editing_id != ""


def _saved(name: str) -> rx.Var[str]:
    return str_dict(ConnectionsState.form_values).get(name, "")


def _input(text: str, name: str, **props: Any) -> rx.Component:
    """A field whose error message goes as soon as it is edited (only its name is sent)."""
    return field(text, name, on_change=lambda _value: ConnectionsState.clear_error(name),
                 **props)


def _spec_field(spec_field: FieldSpec) -> rx.Component:
    if not spec_field.secret:
        return _input(spec_field.label, spec_field.name, hint=spec_field.help,
                      default_value=_saved(spec_field.name))
    saved = text_var(str_dict(ConnectionsState.form_secret_hints).get(spec_field.name, ""))
    return _input(
        spec_field.label, spec_field.name, type="password", auto_complete="new-password",
        placeholder=cond(_EDITING, "Leave empty to keep the saved one", ""),
        hint=cond(_EDITING, "Saved: " + saved + ". Type a new value to replace it.",
                     spec_field.help))


def _tool_fields(spec: ToolSpec) -> rx.Component:
    """The fields that depend on the tool; keyed so switching tools starts them afresh."""
    return rx.vstack(
        _input("Base URL", "base_url", type="url", placeholder=spec.default_base_url,
               hint=spec.base_url_help, default_value=_saved("base_url")),
        *(_spec_field(f) for f in spec.fields),
        key=spec.tool.value,
        spacing="4",
        width="100%",
    )


def _per_tool(part: Callable[[ToolSpec], rx.Component]) -> rx.Component:
    # Every case is a component, so the match is one; rx.match's stub says "Component | Var".
    return cast(rx.Component, rx.match(
        ConnectionsState.form_tool,
        *((tool.value, part(spec)) for tool, spec in TOOL_SPECS.items()),
        rx.fragment()))


def _tool_choice() -> rx.Component:
    return rx.vstack(
        label("Tool", "field-tool"),
        rx.select.root(
            rx.select.trigger(id="field-tool", width="100%"),
            rx.select.content(*(rx.select.item(spec.label, value=tool.value)
                                for tool, spec in TOOL_SPECS.items())),
            value=ConnectionsState.form_tool,
            on_change=ConnectionsState.choose_tool,
            size="3",
        ),
        spacing="1",
        width="100%",
    )


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            form_error(FORM),
            cond(_EDITING, rx.fragment(),
                    rx.fragment(_tool_choice(), _per_tool(lambda s: sandbox_shortcut(s.tool)))),
            _input("Name", "name", placeholder="e.g. Acme Jira", auto_focus=True,
                   default_value=_saved("name"), hint="How people pick this connection."),
            _per_tool(_tool_fields),
            rx.flex(
                rx.dialog.close(rx.button("Cancel", type="button", variant="soft",
                                          color_scheme="gray", size="3")),
                submit(cond(_EDITING, "Save changes", "Add connection")),
                justify="end",
                gap="3",
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=ConnectionsState.save,
        no_validate=True,
        width="100%",
    )


def connection_editor() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(cond(_EDITING, "Edit connection", "Add a connection")),
            rx.dialog.description("Secrets are stored encrypted and never shown again.",
                                  size="2", color_scheme="gray", margin_bottom="1rem"),
            _form(),
            max_width="34rem",
        ),
        open=ConnectionsState.editor_open,
        on_open_change=ConnectionsState.set_editor_open,
    )
