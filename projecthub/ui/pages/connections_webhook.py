"""A connection's "Receive changes instantly" line and the dialog that shows its webhook setup
once: registered in the tool, or the address, secret and steps to paste it by hand."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.moments import local_time
from projecthub.ui.state.connections import ConnectionRow, ConnectionsState
from projecthub.ui.typed import RowVar, cond, lucide_icon


def webhook_line(row: RowVar[ConnectionRow]) -> rx.Component:
    busy = ConnectionsState.webhook_busy == row.id
    return rx.hstack(
        lucide_icon("zap", size=14, color=rx.color("accent", 10)),
        cond(row.webhook == "",
             rx.text("Figures update on the sync schedule.", size="2", color_scheme="gray"),
             rx.text(row.webhook,
                     cond(row.webhook_last != "",
                          rx.fragment(" · last delivery ",
                                      local_time(row.webhook_last_at, row.webhook_last)), ""),
                     size="2", data_testid="webhook-status")),
        rx.spacer(),
        cond(row.webhook == "",
             rx.button("Receive changes instantly", size="1", variant="soft", loading=busy,
                       disabled=ConnectionsState.webhook_busy != "",
                       on_click=ConnectionsState.turn_on_webhook(row.id)),
             rx.button("Turn off instant updates", size="1", variant="soft",
                       color_scheme="gray", loading=busy,
                       disabled=ConnectionsState.webhook_busy != "",
                       on_click=ConnectionsState.turn_off_webhook(row.id))),
        align="center", spacing="2", width="100%", margin_top="0.75rem", wrap="wrap",
    )


def _copyable(label: str, value: rx.Var[str], testid: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.code(value, size="2", overflow_wrap="anywhere", data_testid=testid),
        spacing="1", width="100%",
    )


def webhook_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Instant updates"),
            cond(ConnectionsState.hook_registered,
                 rx.dialog.description(
                     "Registered in the tool: changes now reach ProjectHub as they happen. "
                     "The scheduled sync stays on as a safety net."),
                 rx.dialog.description(
                     "ProjectHub could not register the webhook itself. Set it up in the tool "
                     "with these values; they are shown only now.")),
            rx.vstack(
                cond(ConnectionsState.hook_problem != "",
                     rx.callout(ConnectionsState.hook_problem, color_scheme="orange",
                                size="1")),
                rx.foreach(ConnectionsState.hook_steps,
                           lambda step: rx.text(step, size="2")),
                cond(~ConnectionsState.hook_registered,
                     rx.vstack(_copyable("URL", ConnectionsState.hook_url, "webhook-url"),
                               _copyable("Secret", ConnectionsState.hook_secret,
                                         "webhook-secret"),
                               spacing="3", width="100%")),
                rx.hstack(rx.spacer(), rx.dialog.close(rx.button(
                    "Done", on_click=ConnectionsState.close_hook)), width="100%"),
                spacing="3", width="100%", margin_top="1rem",
            ),
        ),
        open=ConnectionsState.hook_open,
        on_open_change=ConnectionsState.set_hook_open,
    )


__all__ = ["webhook_dialog", "webhook_line"]
