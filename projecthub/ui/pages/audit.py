"""``/org/audit``: who did what, when, to what; filters from the log's own values."""

from __future__ import annotations

from collections.abc import Sequence

import reflex as rx

from projecthub.ui.auth_client import api_base
from projecthub.ui.components.forms import form_error
from projecthub.ui.components.moments import local_time
from projecthub.ui.components.shell import admins_only, page_header, signed_in_page
from projecthub.ui.state.audit import ALL, EXPORT_PATH, PAGE_SIZE, AuditState, EventRow
from projecthub.ui.state.session import SessionState
from projecthub.ui.typed import RowVar, cond, int_var, lucide_icon


def _option(value: str) -> rx.Component:
    return rx.select.item(cond(value == ALL, "Everyone / everything", value), value=value)


def _filter(label: str, value: rx.Var[str], options: rx.Var[Sequence[str]],
            on_change: object) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", weight="medium", color_scheme="gray"),
        rx.select.root(
            rx.select.trigger(min_width="14rem", aria_label=f"Filter by {label.lower()}"),
            rx.select.content(rx.foreach(options, _option)),
            value=value,
            on_change=on_change,
        ),
        spacing="1",
    )


def _download(label: str, query: rx.Var[str]) -> rx.Component:
    """The browser downloads the streamed file itself (any size), under the server's file name.
    Through Reflex's download event, not a link: the client router would take a link to a path
    of this site for a page. The API's origin is known when the page is built, as for the
    login form."""
    return rx.button(
        lucide_icon("download", size=14), f"Download {label}",
        on_click=rx.download(url=f"{api_base()}{EXPORT_PATH}?{query}"),
        title=f"Every event matching the filters, as {label}",
        variant="soft",
        size="2",
    )


def _event_row(event: RowVar[EventRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(local_time(event.at, event.when), white_space="nowrap"),
        rx.table.cell(event.actor),
        rx.table.cell(rx.code(event.action, variant="soft")),
        rx.table.cell(rx.text(event.target, size="1", color_scheme="gray")),
        rx.table.cell(rx.text(event.detail, size="1")),
    )


def _pager() -> rx.Component:
    first = (AuditState.page - 1) * PAGE_SIZE + 1
    last = cond(AuditState.page * PAGE_SIZE < AuditState.total,
                   AuditState.page * PAGE_SIZE, AuditState.total)
    return rx.hstack(
        rx.text(cond(AuditState.total > 0,
                        f"Events {first} to {last} of {AuditState.total}", "No events match."),
                size="2", color_scheme="gray"),
        rx.spacer(),
        rx.button(lucide_icon("chevron-left", size=14), "Newer", variant="soft", size="2",
                  disabled=AuditState.page <= 1,
                  on_click=AuditState.go_to_page(int_var(AuditState.page - 1))),
        rx.text(f"Page {AuditState.page} of {AuditState.page_count}", size="2"),
        rx.button("Older", lucide_icon("chevron-right", size=14), variant="soft", size="2",
                  disabled=AuditState.page >= AuditState.page_count,
                  on_click=AuditState.go_to_page(int_var(AuditState.page + 1))),
        align="center",
        width="100%",
    )


def _log() -> rx.Component:
    return rx.vstack(
        form_error(),
        rx.hstack(
            _filter("Actor", AuditState.actor_filter, AuditState.actor_options,
                    AuditState.filter_actor),
            _filter("Action", AuditState.action_filter, AuditState.action_options,
                    AuditState.filter_action),
            rx.spacer(),
            _download("CSV", AuditState.csv_query),
            _download("JSON lines", AuditState.jsonl_query),
            spacing="4",
            wrap="wrap",
            align="end",
            width="100%",
        ),
        rx.table.root(
            rx.table.header(rx.table.row(
                *(rx.table.column_header_cell(h) for h in
                  ("When", "Who", "What", "Target", "Details")))),
            rx.table.body(rx.foreach(AuditState.events, _event_row)),
            variant="surface",
            width="100%",
        ),
        _pager(),
        spacing="4",
        width="100%",
    )


def audit_page() -> rx.Component:
    return signed_in_page(
        page_header("Audit log", "Everything that changed in " + SessionState.org_name
                    + ", newest first. Times are your own (UTC on hover); downloads "
                    "use UTC."),
        admins_only(_log(), "the audit log"),
    )
