"""``/outbox``: queued and sent mail, newest first."""

from __future__ import annotations

from typing import cast

import reflex as rx
from reflex_components_radix.themes.base import LiteralAccentColor

from projecthub.ui.components.forms import form_error
from projecthub.ui.components.moments import local_time
from projecthub.ui.components.shell import page_header
from projecthub.ui.layout import button_link, page_shell
from projecthub.ui.state.outbox import OutboxRow, OutboxState
from projecthub.ui.typed import RowVar, cond

_STATUS_COLORS = {"pending": "amber", "sent": "green", "failed": "red"}


def _message(message: RowVar[OutboxRow]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                # Every case is a colour name, so the match is a Var of one; its stub says
                # "Component | Var".
                rx.badge(message.status, color_scheme=cast("rx.Var[LiteralAccentColor]", rx.match(
                    message.status, *_STATUS_COLORS.items(), "gray"))),
                rx.text(message.subject, weight="bold"),
                rx.spacer(),
                rx.text(local_time(message.created_at, message.created), size="1",
                        color_scheme="gray"),
                width="100%", align="center",
            ),
            rx.text("To: ", message.to_address, size="2"),
            cond(message.last_error != "",
                    rx.text("Last error (attempt ", message.attempts, "): ", message.last_error,
                            size="1", color_scheme="red")),
            rx.foreach(message.links, lambda link: rx.link(link, href=link, size="2")),
            cond(message.body != "",
                    rx.el.pre(message.body, white_space="pre-wrap", font_size="13px",
                              margin="0", color="var(--gray-11)")),
            spacing="2", width="100%",
        ),
        width="100%",
        class_name="outbox-message",
    )


def outbox_page() -> rx.Component:
    return page_shell(
        rx.vstack(
            page_header("Outbox", OutboxState.delivery_note),
            form_error(),
            cond(
                OutboxState.allowed,
                cond(OutboxState.messages.length() > 0,
                        rx.vstack(rx.foreach(OutboxState.messages, _message), spacing="3",
                                  width="100%"),
                        rx.text("No mail yet.", color_scheme="gray")),
            ),
            spacing="4", width="100%",
        ),
        user_menu=cond(OutboxState.logged_in,
                          button_link("Dashboard", "/dashboard", variant="soft", size="2"),
                          button_link("Log in", "/login", variant="soft", size="2")),
    )
