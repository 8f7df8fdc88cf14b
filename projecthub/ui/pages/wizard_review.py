"""The wizard's last page: the answers per step, what each tool will do (checked live against
the tools when the page opens), and Provision once nothing is blocked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import reflex as rx
from reflex_base.constants.colors import ColorType
from reflex_components_radix.themes.base import LiteralAccentColor

from projecthub.ui.components.forms import form_error
from projecthub.ui.state.wizard import WizardState
from projecthub.ui.state.wizard_fields import SummaryItem, SummarySection
from projecthub.ui.state.wizard_review import REVIEW_FIELD, AnswerProblem, ReviewState, ToolCard
from projecthub.ui.typed import RowVar, cond, lucide_icon

DECISIONS: dict[str, tuple[LiteralAccentColor, str, str]] = {
    "create": ("green", "plus", "Create"),
    "link": ("blue", "link", "Link existing"),
    "skip": ("gray", "minus", "Skip"),
    "blocked": ("red", "octagon-x", "Blocked"),
}


def _item(item: RowVar[SummaryItem]) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(item.label, min_width="11rem"),
        rx.data_list.value(item.value, white_space="pre-line", word_break="break-word"),
    )


def _section(section: RowVar[SummarySection]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(section.title, as_="h3", size="3"),
                rx.spacer(),
                rx.button(lucide_icon("pencil", size=12), "Edit", size="1", variant="ghost",
                          on_click=WizardState.go_to_step(section.index),
                          aria_label="Edit " + section.title),
                align="center", width="100%",
            ),
            rx.data_list.root(rx.foreach(section.answers, _item), size="1", width="100%"),
            spacing="2", width="100%",
        ),
        width="100%",
    )


def decision_badge(decision: rx.Var[str]) -> rx.Component:
    # Every case is a component, so the match is one; rx.match's stub says "Component | Var".
    return cast(rx.Component, rx.match(decision, *(
        (name, rx.badge(lucide_icon(icon, size=12), text, color_scheme=color, size="2"))
        for name, (color, icon, text) in DECISIONS.items()), rx.badge(decision)))


def note_lines(items: rx.Var[Sequence[str]], icon: str, color: ColorType) -> rx.Component:
    return rx.vstack(
        rx.foreach(items, lambda text: rx.hstack(
            lucide_icon(icon, size=14, color=rx.color(color, 10), flex_shrink="0",
                    margin_top="0.2rem"),
            rx.text(text, size="2"), align="start", spacing="2")),
        spacing="1", width="100%",
    )


def check_card(card: RowVar[ToolCard], *extra: rx.Component, testid: rx.Var[str] | str,
               ) -> rx.Component:
    """One tool's verdict on the plan: decision, summary, problems and warnings."""
    return rx.card(
        rx.vstack(
            rx.hstack(rx.heading(card.label, as_="h3", size="3"), rx.spacer(),
                      decision_badge(card.decision), align="center", width="100%"),
            cond(card.summary != "", rx.text(card.summary, size="2")),
            cond(card.decision == "skip",
                    rx.text("Not part of this project.", size="2", color_scheme="gray")),
            note_lines(card.problems, "circle-x", "red"),
            note_lines(card.warnings, "triangle-alert", "amber"),
            *extra,
            spacing="2", width="100%",
        ),
        width="100%",
        data_testid=testid,
    )


def _tool(card: RowVar[ToolCard]) -> rx.Component:
    return check_card(card, cond(card.suggestion != "", rx.button(
        lucide_icon("wand-sparkles", size=14), "Apply suggestion: " + card.suggestion,
        size="2", variant="soft", on_click=ReviewState.apply_suggestion(card.tool))),
        testid="preflight-" + card.tool)


def _problem(problem: RowVar[AnswerProblem]) -> rx.Component:
    return rx.hstack(
        rx.text(rx.text.span(problem.label + ": ", weight="medium"), problem.message, size="2"),
        rx.spacer(),
        rx.button("Go to " + problem.step_title, size="1", variant="soft",
                  on_click=WizardState.go_to_step(problem.step)),
        align="center", width="100%",
    )


def _checks() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Check against the tools", as_="h2", size="4"),
            rx.spacer(),
            rx.button(lucide_icon("refresh-cw", size=14), "Check again", size="2", variant="soft",
                      loading=ReviewState.checking, on_click=ReviewState.check_tools),
            align="center", width="100%",
        ),
        rx.text("ProjectHub asks each tool, without changing anything, whether the project can "
                "be created or linked as answered.", size="2", color_scheme="gray"),
        cond(ReviewState.checking, rx.hstack(rx.spinner(size="2"), rx.text(
            "Asking the tools…", size="2"), align="center", spacing="2", role="status")),
        cond(ReviewState.check_error != "", rx.callout(
            ReviewState.check_error, icon="triangle-alert", color_scheme="red", width="100%")),
        cond(ReviewState.problems.length() > 0, rx.callout.root(
            rx.callout.icon(lucide_icon("triangle-alert", size=16)),
            rx.vstack(rx.callout.text("Some answers need attention before the tools can be "
                                      "checked."),
                      rx.foreach(ReviewState.problems, _problem), width="100%", spacing="2"),
            color_scheme="red", width="100%")),
        rx.grid(rx.foreach(ReviewState.checks, _tool), columns=rx.breakpoints(initial="1",
                                                                             md="2"),
                spacing="3", width="100%"),
        spacing="3", width="100%",
    )


def _provision() -> rx.Component:
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.text("Provision", weight="bold", size="3"),
                cond(ReviewState.can_provision,
                        rx.text("Everything checks out. Provisioning creates and links what "
                                "is listed above; you can follow it step by step.", size="2",
                                color_scheme="gray"),
                        rx.text("Available once every tool is checked and nothing is blocked. "
                                "Nothing has been created yet.", size="2", color_scheme="gray")),
                spacing="1", flex="1", min_width="16rem",
            ),
            rx.button(lucide_icon("rocket", size=16), "Provision", size="3",
                      disabled=~ReviewState.can_provision, on_click=ReviewState.provision),
            align="center", spacing="4", wrap="wrap", width="100%",
        ),
        size="3", width="100%",
    )


def review_panel() -> rx.Component:
    """Mounting it (entering the review page) starts the check against the tools."""
    return rx.vstack(
        _checks(),
        rx.heading("Your answers", as_="h2", size="4", margin_top="0.5rem"),
        rx.grid(rx.foreach(WizardState.summary, _section),
                columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%"),
        form_error(REVIEW_FIELD),
        _provision(),
        spacing="4", width="100%",
        on_mount=ReviewState.check_tools,
    )
