"""Confirmation before anything destructive (remove, revoke, suspend), a run's review before it
starts (edit, lifecycle, adding a tool), and one-time secrets."""

from __future__ import annotations

import json

import reflex as rx
from reflex_base.event import EventCallback, EventSpec
from reflex_components_radix.themes.base import LiteralAccentColor

from projecthub.ui.typed import cond, lucide_icon


def confirm(trigger: rx.Component, title: str | rx.Var[str], description: str | rx.Var[str],
            confirm_label: str, on_confirm: EventSpec | EventCallback[()], *,
            color: LiteralAccentColor = "red") -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(trigger),
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description, size="2"),
            rx.flex(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(confirm_label, color_scheme=color, on_click=on_confirm)),
                spacing="3",
                justify="end",
                margin_top="1rem",
            ),
            max_width="28rem",
        ),
    )


def review_dialog(*, title: str | rx.Var[str], description: str | rx.Var[str] | rx.Component,
                  body: tuple[rx.Component, ...], open_: rx.Var[bool],
                  on_close: EventCallback[bool], back_label: str, confirm_label: str,
                  on_confirm: EventSpec | EventCallback[()], confirm_testid: str, testid: str,
                  confirm_disabled: rx.Var[bool] | bool = False,
                  max_width: str = "48rem") -> rx.Component:
    """What a run will do, tool by tool, with a way back and the button that starts it."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title),
            rx.dialog.description(description, size="2", color_scheme="gray",
                                  margin_bottom="1rem"),
            *body,
            rx.flex(
                rx.button(back_label, variant="soft", color_scheme="gray",
                          on_click=on_close(False)),
                rx.button(confirm_label, on_click=on_confirm, disabled=confirm_disabled,
                          data_testid=confirm_testid),
                spacing="3", justify="end", margin_top="1rem",
            ),
            max_width=max_width, data_testid=testid,
        ),
        open=open_, on_open_change=on_close,
    )


def copy_box(title: str, element_id: str, shown: rx.Var[bool],
             note: rx.Var[str] | str | rx.Component,
             on_dismiss: EventSpec | EventCallback[()]) -> rx.Component:
    """A secret or link shown once: the value, a copy button and a way to put it away.

    The value never lives in a state var (Reflex would keep it in its state store): the handler
    writes it straight into the read-only field (:func:`reveal`), so it exists only on this page.
    The box is always mounted, only hidden, so the field is there when the value arrives."""
    read_value = rx.Var(f"document.getElementById({json.dumps(element_id)}).value").to(str)
    return rx.box(
        rx.vstack(
            rx.hstack(
                lucide_icon("key-round", size=18, color=rx.color("green", 11)),
                rx.text(title, weight="bold", size="2", color=rx.color("green", 11)),
                rx.spacer(),
                rx.icon_button(lucide_icon("x", size=14), variant="ghost", color_scheme="gray",
                               size="1", on_click=on_dismiss, aria_label="Dismiss"),
                align="center",
                width="100%",
            ),
            rx.flex(
                rx.el.input(id=element_id, read_only=True, default_value="", aria_label=title,
                            data_testid="copy-value", spell_check=False,
                            style={"flex": "1", "padding": "0.5rem", "fontFamily": "monospace",
                                   "fontSize": "var(--font-size-2)", "minWidth": "0",
                                   "border": f"1px solid {rx.color('gray', 7)}",
                                   "borderRadius": "var(--radius-2)",
                                   "background": "transparent", "color": "inherit"}),
                rx.button(lucide_icon("copy", size=14), "Copy", size="2",
                          on_click=[rx.set_clipboard(read_value), rx.toast.success("Copied.")]),
                align="center",
                gap="3",
                width="100%",
            ),
            rx.text(note, size="1", color_scheme="gray"),
            spacing="3",
            width="100%",
        ),
        role="status",
        display=cond(shown, "block", "none"),
        padding="1rem",
        border_radius="var(--radius-3)",
        background_color=rx.color("green", 2),
        border=f"1px solid {rx.color('green', 6)}",
        width="100%",
    )


def reveal(element_id: str, value: str) -> EventSpec:
    """Put a one-time secret into its :func:`copy_box` field, in the browser only."""
    return rx.set_value(element_id, value)
