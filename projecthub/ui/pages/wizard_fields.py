"""One wizard question, drawn by its kind. Inputs are controlled by the state's answers (typed
text arrives debounced), so what is shown is always what the draft holds; each field's problem
appears under it, its help above the input. The handlers a field calls are the wizard's unless
another form (the tool's questions under "Add a tool") passes its own, with the same signatures."""

from __future__ import annotations

import dataclasses
from typing import cast

import reflex as rx
from reflex.event import EventCallback

from projecthub.ui.state.wizard import WizardState
from projecthub.ui.state.wizard_fields import FieldRow, OptionRow
from projecthub.ui.typed import InputType, RowVar, cond, lucide_icon, text_var


@dataclasses.dataclass(frozen=True)
class FieldEvents:
    """What a drawn question calls when a person types, leaves, ticks or switches it."""

    set_answer: EventCallback[str, str]
    touch: EventCallback[str]
    toggle_option: EventCallback[str, str, bool]
    set_flag: EventCallback[str, bool]


WIZARD_EVENTS = FieldEvents(WizardState.set_answer, WizardState.touch,
                            WizardState.toggle_option, WizardState.set_flag)


def _id(row: RowVar[FieldRow]) -> rx.vars.StringVar[str]:
    return text_var("wf-" + row.id)


def _invalid(row: RowVar[FieldRow]) -> rx.Var[str]:
    return cond(row.error != "", "true", "false")


def _text(row: RowVar[FieldRow], on: FieldEvents, type: InputType = "text") -> rx.Component:
    return rx.input(
        id=_id(row), type=type, value=row.text, size="3", width="100%",
        max_width=cond(type == "text", "36rem", "16rem"),
        on_change=lambda value: on.set_answer(row.id, value),
        on_blur=lambda _value: on.touch(row.id),
        aria_invalid=_invalid(row), aria_describedby=_id(row) + "-note",
    )


def _textarea(row: RowVar[FieldRow], on: FieldEvents, placeholder: str = "") -> rx.Component:
    return rx.text_area(
        id=_id(row), value=row.text, rows="4", size="3", width="100%", max_width="36rem",
        placeholder=placeholder, resize="vertical",
        on_change=lambda value: on.set_answer(row.id, value),
        on_blur=lambda _value: on.touch(row.id),
        aria_invalid=_invalid(row), aria_describedby=_id(row) + "-note",
    )


def _radio(row: RowVar[FieldRow], on: FieldEvents) -> rx.Component:
    def item(option: RowVar[OptionRow]) -> rx.Component:
        return rx.text(rx.flex(rx.radio_group.item(value=option.value), option.label,
                               spacing="2", align="center"),
                       as_="label", size="2", cursor="pointer")

    return rx.radio_group.root(
        rx.flex(rx.foreach(row.options, item), spacing="4", wrap="wrap"),
        id=_id(row), value=row.text, size="2", aria_label=row.label,
        on_change=lambda value: on.set_answer(row.id, value),
    )


def _select(row: RowVar[FieldRow], on: FieldEvents) -> rx.Component:
    return cond(
        row.options.length() > 0,
        rx.select.root(
            rx.select.trigger(id=_id(row), placeholder="Choose…", min_width="20rem",
                              aria_invalid=_invalid(row)),
            rx.select.content(rx.foreach(
                row.options, lambda option: rx.select.item(option.label, value=option.value))),
            value=row.text, size="3",
            on_change=lambda value: on.set_answer(row.id, value),
        ),
        rx.box(id=_id(row)),
    )


def _checks(row: RowVar[FieldRow], on: FieldEvents) -> rx.Component:
    return rx.flex(
        rx.foreach(row.options, lambda option: rx.checkbox(
            option.label, checked=option.selected, size="2",
            on_change=lambda checked: on.toggle_option(row.id, option.value, checked))),
        id=_id(row), role="group", aria_label=row.label, direction="column", spacing="2",
    )


def _company(row: RowVar[FieldRow], on: FieldEvents) -> rx.Component:
    """Type to search the tool's companies; picking one answers with its exact name."""
    return rx.vstack(
        _text(row, on),
        rx.flex(
            rx.foreach(row.options, lambda option: rx.button(
                lucide_icon(cond(option.selected, "circle-check", "building-2"), size=14),
                option.label, size="1", type="button",
                variant=cond(option.selected, "solid", "soft"),
                on_click=on.set_answer(row.id, option.value))),
            role="group", aria_label="Companies in Productive", wrap="wrap", gap="0.5rem",
            data_testid="company-choices",
        ),
        spacing="2", width="100%",
    )


def _switch(row: RowVar[FieldRow], on: FieldEvents) -> rx.Component:
    return rx.flex(
        rx.switch(id=_id(row), checked=row.on, size="2",
                  on_change=lambda flag: on.set_flag(row.id, flag)),
        rx.text(cond(row.on, "Yes", "No"), size="2", color_scheme="gray"),
        spacing="2", align="center",
    )


def _control(row: RowVar[FieldRow], on: FieldEvents) -> rx.Component:
    # Every case is a component, so the match is one; rx.match's stub says "Component | Var".
    return cast(rx.Component, rx.match(
        row.kind,
        ("textarea", _textarea(row, on)),
        ("lines", _textarea(row, on, placeholder="One per line")),
        ("number", _text(row, on, "number")),
        ("date", _text(row, on, "date")),
        ("radio", _radio(row, on)),
        ("select", _select(row, on)),
        ("checks", _checks(row, on)),
        ("switch", _switch(row, on)),
        ("company", _company(row, on)),
        _text(row, on),
    ))


def _note(row: RowVar[FieldRow]) -> rx.Component:
    note_id = _id(row) + "-note"
    return cond(
        row.error != "",
        rx.text(lucide_icon("circle-alert", size=14), row.error, id=note_id, size="2",
                color_scheme="red", role="alert", display="flex", align_items="center",
                gap="0.35rem"),
        cond(row.no_options != "",
                rx.text(row.no_options, id=note_id, size="2", color_scheme="amber"),
                rx.box(id=note_id)),
    )


def field_view(row: RowVar[FieldRow]) -> rx.Component:
    """One wizard question (one argument: ``rx.foreach`` passes the index to a second one)."""
    return question(row, WIZARD_EVENTS)


def question(row: RowVar[FieldRow], on: FieldEvents) -> rx.Component:
    """One question of any form whose state has the wizard's four field handlers."""
    return rx.vstack(
        rx.el.label(
            row.label,
            cond(row.required, rx.text.span(" *", color=rx.color("red", 10),
                                               aria_hidden="true")),
            html_for=_id(row), font_size="var(--font-size-2)", font_weight="500",
            color="var(--gray-12)",
        ),
        cond(row.help != "", rx.text(row.help, size="1", color_scheme="gray",
                                         margin_top="-0.15rem")),
        _control(row, on),
        _note(row),
        spacing="2",
        width="100%",
        data_testid="field-" + row.id,
    )
