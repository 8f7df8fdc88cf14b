"""Form pieces. Inputs are uncontrolled (the browser keeps what was typed), and every message
from ``SessionState.errors`` appears right under the input or form it is about."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import reflex as rx

from projecthub.ui.state.session import SessionState
from projecthub.ui.typed import InputType, cond, str_dict


def label(text: str, for_id: str) -> rx.Component:
    return rx.el.label(text, html_for=for_id, font_size="var(--font-size-2)",
                       font_weight="500", color="var(--gray-12)")


def error_for(key: str) -> rx.Var[str]:
    return str_dict(SessionState.errors).get(key, "")


def field(text: str, name: str, *, type: InputType = "text", hint: str | rx.Var[str] = "",
          error_key: str = "", **input_props: Any) -> rx.Component:
    """A labelled input with its error (or hint) underneath."""
    message = error_for(error_key or name)
    input_id = f"field-{name}"
    return rx.vstack(
        label(text, input_id),
        rx.input(
            id=input_id, name=name, type=type, size="3", width="100%",
            aria_invalid=cond(message != "", "true", "false"),
            aria_describedby=f"{input_id}-note",
            **input_props,
        ),
        cond(
            message != "",
            rx.text(message, id=f"{input_id}-note", size="2", color_scheme="red", role="alert"),
            rx.text(hint, id=f"{input_id}-note", size="1", color_scheme="gray"),
        ),
        spacing="1",
        width="100%",
    )


def select_field(text: str, name: str, options: Sequence[str], *, default: str,
                 error_key: str = "") -> rx.Component:
    message = error_for(error_key or name)
    return rx.vstack(
        label(text, f"field-{name}"),
        rx.select(list(options), name=name, default_value=default, size="3",
                  id=f"field-{name}"),
        cond(message != "", rx.text(message, size="2", color_scheme="red", role="alert")),
        spacing="1",
    )


def inline_form(input_field: rx.Component, button: rx.Component) -> rx.Component:
    """One input and its button on a line; the button lines up with the input, not the label."""
    return rx.flex(
        rx.box(input_field, flex="1", min_width="16rem"),
        rx.box(button, padding_top="1.5rem"),
        align="start",
        gap="3",
        wrap="wrap",
        width="100%",
    )


def form_error(key: str = "form") -> rx.Component:
    """A message about the whole form (or a section), e.g. wrong credentials."""
    message = error_for(key)
    return cond(
        message != "",
        rx.callout(message, icon="triangle-alert", color_scheme="red", role="alert",
                   width="100%"),
    )


def submit(label: str | rx.Var[str], **props: Any) -> rx.Component:
    return rx.button(label, type="submit", size="3", **props)


def section(title: str, description: str | rx.Var[str] | rx.Component, *children: rx.Component,
            **card_props: Any) -> rx.Component:
    """A titled card: one concern per card (profile, password, tokens, ...)."""
    return rx.card(
        rx.vstack(
            rx.vstack(
                rx.heading(title, as_="h2", size="4"),
                rx.text(description, size="2", color_scheme="gray"),
                spacing="1",
            ),
            *children,
            spacing="4",
            width="100%",
        ),
        size="3",
        width="100%",
        **card_props,
    )
