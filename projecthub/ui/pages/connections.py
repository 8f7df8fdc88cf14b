"""``/org/connections``: the organization's tool connections, per tool. Everyone in the
organization sees them (secrets only as hints); owners and admins add, edit, test and remove."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.dialogs import confirm
from projecthub.ui.components.forms import form_error
from projecthub.ui.components.moments import local_time
from projecthub.ui.components.shell import page_header, signed_in_page
from projecthub.ui.pages.connections_form import connection_editor
from projecthub.ui.pages.connections_webhook import webhook_dialog, webhook_line
from projecthub.ui.state.connections import (
    LIST,
    ConnectionRow,
    ConnectionsState,
    Detail,
    ToolGroup,
)
from projecthub.ui.state.session import SessionState
from projecthub.ui.typed import RowVar, cond, lucide_icon

_ADMIN = SessionState.is_org_admin


def _detail(detail: RowVar[Detail]) -> rx.Component:
    return rx.text(rx.text.span(detail.label + ": ", color_scheme="gray"), detail.value,
                   cond(detail.updated_at != "",
                        rx.fragment(" · updated ", local_time(detail.updated_at, detail.updated))),
                   size="2")


def _heading(row: RowVar[ConnectionRow]) -> rx.Component:
    return rx.vstack(
        rx.text(row.name, weight="bold", size="3"),
        rx.code(row.base_url, size="1", variant="ghost", color_scheme="gray",
                overflow_wrap="anywhere"),
        spacing="1",
        min_width="0",
    )


def _last_test(row: RowVar[ConnectionRow]) -> rx.Component:
    badge = rx.match(
        row.test_status,
        ("passed", rx.badge(lucide_icon("circle-check", size=12), "passed", color_scheme="green")),
        ("failed", rx.badge(lucide_icon("circle-x", size=12), "failed", color_scheme="red")),
        rx.badge("not tested", color_scheme="gray"),
    )
    return rx.vstack(
        _caption("Last test"),
        rx.hstack(badge, rx.text(local_time(row.tested_at, row.tested, empty=""), size="1",
                                 color_scheme="gray"),
                  spacing="2", align="center", wrap="wrap"),
        cond(row.test_message != "",
                rx.text(row.test_message, size="2", overflow_wrap="anywhere",
                        color_scheme=cond(row.test_status == "failed", "red", "gray"),
                        data_testid="test-message")),
        spacing="1",
        min_width="0",
    )


def _caption(text: str) -> rx.Component:
    return rx.text(text, size="1", weight="medium", color_scheme="gray",
                   text_transform="uppercase", letter_spacing="0.04em")


def _actions(row: RowVar[ConnectionRow]) -> rx.Component:
    testing = ConnectionsState.testing_id == row.id
    return rx.hstack(
        rx.button(lucide_icon("plug-zap", size=14), "Test connection", size="2", variant="soft",
                  loading=testing, disabled=ConnectionsState.testing_id != "",
                  on_click=ConnectionsState.test_connection(row.id)),
        rx.button("Edit", size="2", variant="soft", color_scheme="gray",
                  on_click=ConnectionsState.open_edit(row.id)),
        confirm(rx.button("Remove", size="2", variant="soft", color_scheme="red"),
                "Remove " + row.name + "?",
                "Its saved credentials are deleted. Projects set up with it keep what was "
                "created in the tool, but ProjectHub can no longer reach it.",
                "Remove connection", ConnectionsState.remove(row.id)),
        spacing="2",
        wrap="wrap",
    )


def _connection(row: RowVar[ConnectionRow]) -> rx.Component:
    """One connection: name and URL with the admin's buttons, then credentials and last test."""
    return rx.box(
        rx.flex(
            _heading(row),
            rx.spacer(),
            cond(_ADMIN, _actions(row)),
            align="start",
            gap="3",
            wrap="wrap",
            width="100%",
        ),
        rx.grid(
            rx.vstack(_caption("Credentials"), rx.foreach(row.details, _detail), spacing="1"),
            _last_test(row),
            columns=rx.breakpoints(initial="1", md="2"),
            gap="4",
            width="100%",
            margin_top="0.75rem",
        ),
        cond(_ADMIN, webhook_line(row)),
        padding="1rem",
        border="1px solid var(--gray-a5)",
        border_radius="var(--radius-3)",
        width="100%",
        data_testid="connection-row",
    )


def _group(group: RowVar[ToolGroup]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(group.label, as_="h2", size="4"),
                rx.spacer(),
                cond(_ADMIN, rx.button(lucide_icon("plus", size=14), "Add", size="1",
                                          variant="ghost",
                                          aria_label="Add a " + group.label + " connection",
                                          on_click=ConnectionsState.open_add(group.tool))),
                align="center",
                width="100%",
            ),
            cond(group.connections.length() > 0,
                    rx.vstack(rx.foreach(group.connections, _connection), spacing="3",
                              width="100%"),
                    rx.text("No " + group.label + " connection yet.", size="2",
                            color_scheme="gray")),
            spacing="3",
            width="100%",
        ),
        size="3",
        width="100%",
        data_testid="tool-" + group.tool,
    )


def connections_page() -> rx.Component:
    add = cond(_ADMIN, rx.button(lucide_icon("plus", size=16), "Add connection", size="3",
                                    on_click=ConnectionsState.open_add("jira")))
    return signed_in_page(
        page_header(
            "Tool connections",
            cond(_ADMIN,
                    "How " + SessionState.org_name + " reaches its tools. Saved secrets are "
                    "never shown again.",
                    "The tools " + SessionState.org_name + " is connected to. Owners and admins "
                    "manage them."),
            add,
        ),
        form_error(LIST),
        rx.foreach(ConnectionsState.groups, _group),
        connection_editor(),
        webhook_dialog(),
    )
