"""``/projects/new`` (choose a template, or resume a draft) and ``/projects/new/[draft_id]`` (one
page per template step, then the review)."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.forms import form_error
from projecthub.ui.components.moments import local_time
from projecthub.ui.components.shell import notice_screen, page_header, signed_in_page
from projecthub.ui.layout import button_link
from projecthub.ui.pages.projects import drafts_card
from projecthub.ui.pages.wizard_fields import field_view
from projecthub.ui.pages.wizard_review import review_panel
from projecthub.ui.state.wizard import NEW_PATH, WIZARD, TemplateCard, WizardState
from projecthub.ui.state.wizard_fields import StepRow
from projecthub.ui.typed import RowVar, cond, int_var, lucide_icon


def _template(card: RowVar[TemplateCard]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                lucide_icon("file-stack", size=20, color=rx.color("indigo", 10)),
                rx.heading(card.name, as_="h3", size="4"),
                cond(card.builtin, rx.badge("built-in", variant="soft")),
                align="center", spacing="2", wrap="wrap",
            ),
            rx.text(card.description, size="2", color_scheme="gray"),
            rx.spacer(),
            rx.flex(
                rx.text("Version " + card.version.to_string(), size="1", color_scheme="gray"),
                rx.spacer(),
                rx.button("Use this template", size="2", disabled=~WizardState.can_create,
                          on_click=WizardState.choose_template(card.id)),
                align="center", width="100%",
            ),
            spacing="3", height="100%",
        ),
        size="3", width="100%",
        data_testid="template-card",
    )


def _picker() -> rx.Component:
    return rx.vstack(
        page_header("New project", "Answer a template's questions; ProjectHub then sets the "
                    "project up in every tool the template covers."),
        cond(~WizardState.can_create, rx.callout(
            "Viewers cannot create projects. Ask an owner or admin for the member role.",
            icon="lock", color_scheme="amber", width="100%")),
        form_error(WIZARD),
        cond(WizardState.drafts.length() > 0, drafts_card()),
        rx.heading("Choose a template", as_="h2", size="5"),
        rx.grid(rx.foreach(WizardState.templates, _template),
                columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%"),
        spacing="5", width="100%",
    )


def _step_marker(step: RowVar[StepRow]) -> rx.Component:
    circle = rx.center(
        cond(step.state == "done", lucide_icon("check", size=14),
                rx.text((step.index + 1).to_string(), size="1", weight="bold")),
        width="1.6rem", height="1.6rem", border_radius="9999px", flex_shrink="0",
        background_color=rx.match(step.state, ("current", rx.color("indigo", 9)),
                                  ("done", rx.color("indigo", 4)), rx.color("gray", 3)),
        color=rx.match(step.state, ("current", "white"), ("done", rx.color("indigo", 11)),
                       rx.color("gray", 10)),
    )
    content = rx.hstack(
        circle,
        rx.text(step.title, size="2", white_space="nowrap",
                weight=cond(step.state == "current", "bold", "regular"),
                color=cond(step.state == "todo", rx.color("gray", 10), rx.color("gray", 12))),
        align="center", spacing="2",
    )
    marker = cond(
        step.state == "done",
        rx.button(content, variant="ghost", size="1", color_scheme="gray", high_contrast=True,
                  on_click=WizardState.go_to_step(step.index), aria_label="Back to " + step.title),
        rx.box(content, aria_current=cond(step.state == "current", "step", None),
               padding_x="0.25rem"),
    )
    return rx.hstack(
        cond(step.index > 0, lucide_icon("chevron-right", size=14, color=rx.color("gray", 8))),
        marker,
        align="center", spacing="3",
    )


def _indicator() -> rx.Component:
    return rx.el.nav(
        rx.flex(rx.foreach(WizardState.steps, _step_marker), spacing="2", wrap="wrap",
                align="center"),
        aria_label="Steps",
        width="100%",
    )


def _form() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(WizardState.step_title, as_="h2", size="5"),
            rx.foreach(WizardState.fields, field_view),
            rx.divider(),
            rx.flex(
                rx.button(lucide_icon("arrow-left", size=16), "Back", size="3", variant="soft",
                          color_scheme="gray", disabled=WizardState.step_index == 0,
                          on_click=WizardState.go_to_step(int_var(WizardState.step_index - 1))),
                rx.spacer(),
                cond(WizardState.blocked, rx.text("Fix the marked answers to go on.",
                                                     size="2", color_scheme="red")),
                rx.button("Next", lucide_icon("arrow-right", size=16), size="3",
                          disabled=WizardState.blocked, on_click=WizardState.next_step),
                align="center", spacing="3", width="100%",
            ),
            spacing="5", width="100%",
        ),
        size="4", width="100%",
    )


def _wizard() -> rx.Component:
    return rx.vstack(
        page_header(
            "New project",
            WizardState.template_name + " · version " + WizardState.template_version.to_string(),
            rx.hstack(
                cond(WizardState.saved_at != "", rx.text(
                    lucide_icon("cloud-check", size=14), "Draft saved ",
                    local_time(WizardState.saved_at, WizardState.saved_utc), size="1",
                    color_scheme="gray", display="flex", align_items="center", gap="0.3rem",
                    data_testid="saved-note")),
                button_link("Finish later", NEW_PATH, variant="soft", color_scheme="gray",
                            size="2"),
                align="center", spacing="3",
            ),
        ),
        _indicator(),
        form_error(WIZARD),
        cond(WizardState.is_review, review_panel(), _form()),
        spacing="5", width="100%",
    )


def wizard_page() -> rx.Component:
    return signed_in_page(
        cond(
            WizardState.problem != "",
            notice_screen("file-question", "Draft not found", WizardState.problem,
                          button_link("Start a new project", NEW_PATH, size="3")),
            cond(WizardState.template_name == "", _picker(), _wizard()),
        ),
    )
