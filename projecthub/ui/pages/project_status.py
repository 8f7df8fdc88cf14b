"""``/projects/[project_id]``: the project's status view (health and every reason, a card per
tool resource with figures, links to the other resources, history charts, members, basics,
provisioning runs) with Refresh."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import reflex as rx
from reflex.vars import ArrayVar

from projecthub.ui.components.charts import burn_chart, issues_chart
from projecthub.ui.components.forms import form_error
from projecthub.ui.components.health import (
    health_badge,
    lifecycle_badge,
    reason_line,
    stale_marker,
)
from projecthub.ui.components.moments import local_time, time_ago
from projecthub.ui.components.shell import notice_screen, signed_in_page
from projecthub.ui.layout import button_link
from projecthub.ui.pages.project_drift import drift_section
from projecthub.ui.pages.project_lifecycle import (
    delete_button,
    delete_dialog,
    lifecycle_dialog,
    lifecycle_menu,
)
from projecthub.ui.pages.projects import run_badge, simple_table, titled_card
from projecthub.ui.state.project_status import (
    Fact,
    Person,
    ProjectState,
    RunRow,
)
from projecthub.ui.state.status_cards import CardView, Figure, LinkView, ReasonLine
from projecthub.ui.typed import RowVar, cond, lucide_icon


def _lifecycle_control() -> rx.Component:
    return cond(
        ProjectState.can_change_lifecycle,
        rx.hstack(button_link("Edit", ProjectState.edit_link,
                              variant="soft", size="2", data_testid="edit-project"),
                  lifecycle_menu(), delete_button(), spacing="3", align="center"),
        rx.hstack(lifecycle_badge(ProjectState.lifecycle, ProjectState.lifecycle_text),
                  cond(ProjectState.can_delete & (ProjectState.lifecycle == "not_approved"),
                       delete_button()),
                  spacing="3", align="center"),
    )


def _not_approved() -> rx.Component:
    """A project whose creation was rejected: why, and that nothing exists in any tool."""
    return cond(ProjectState.lifecycle == "not_approved", rx.callout(
        rx.vstack(
            rx.text("Not approved: nothing was created in any tool.", weight="medium"),
            cond(ProjectState.rejection != "", rx.text(ProjectState.rejection, size="2",
                                                       data_testid="project-rejection")),
            rx.text(cond(ProjectState.can_delete,
                         "Delete this record when you no longer need it, or start a new "
                         "project from a template.",
                         "Its owner or an admin can delete this record."), size="2"),
            spacing="1"),
        icon="gavel", color_scheme="red", width="100%", data_testid="not-approved"))


def _refresh_button() -> rx.Component:
    return rx.button(
        cond(ProjectState.refreshing, rx.spinner(size="2"), lucide_icon("refresh-cw", size=16)),
        cond(ProjectState.refreshing, "Refreshing…", "Refresh"),
        on_click=ProjectState.refresh, disabled=ProjectState.refreshing, size="2",
        data_testid="refresh",
    )


def _header() -> rx.Component:
    subtitle = rx.hstack(
        rx.code(ProjectState.key, variant="soft", size="2"),
        cond(ProjectState.client != "", rx.text(ProjectState.client, size="3")),
        rx.text(ProjectState.dates, size="3", color_scheme="gray"),
        spacing="3", align="center", wrap="wrap",
    )
    return rx.flex(
        rx.vstack(rx.heading(ProjectState.name, as_="h1", size="7"), subtitle, spacing="2"),
        rx.spacer(),
        rx.hstack(_lifecycle_control(), _refresh_button(), spacing="3", align="center"),
        align="end", wrap="wrap", gap="3", width="100%",
    )


def _reason(reason: RowVar[ReasonLine]) -> rx.Component:
    return reason_line(reason.level, reason.text)


def _health() -> rx.Component:
    return rx.card(
        rx.flex(
            rx.vstack(health_badge(ProjectState.health, ProjectState.health_text, size="3"),
                      rx.vstack(rx.text(cond(ProjectState.synced_at == "", "Never synced",
                                             rx.fragment("Synced ", time_ago(
                                                 ProjectState.synced_at,
                                                 ProjectState.synced_utc))),
                                        size="1", color_scheme="gray", data_testid="synced"),
                                rx.text(local_time(ProjectState.synced_at,
                                                   ProjectState.synced_utc, empty=""),
                                        size="1", color_scheme="gray"),
                                spacing="0"),
                      spacing="2", min_width="12rem"),
            rx.vstack(rx.foreach(ProjectState.reasons, _reason), spacing="2", flex="1"),
            gap="5", wrap="wrap", width="100%",
        ),
        size="3", width="100%", data_testid="health-card",
    )


def _figure(figure: RowVar[Figure]) -> rx.Component:
    return rx.vstack(
        rx.text(figure.label, size="1", color_scheme="gray"),
        rx.hstack(
            rx.text(cond(figure.at != "", time_ago(figure.at, figure.value), figure.value),
                    size="5", weight="bold", data_testid="figure-value"),
            cond(figure.was != "",
                    rx.badge("was " + figure.was, color_scheme="blue", variant="soft", size="1",
                             data_testid="figure-was")),
            align="baseline", spacing="2", wrap="wrap",
        ),
        cond(figure.note != "", rx.text(figure.note, size="1", color_scheme="gray")),
        spacing="1", data_testid="figure", data_label=figure.label,
    )


def _resource(card: RowVar[CardView]) -> rx.Component:
    title = rx.vstack(
        rx.text(card.kind, size="1", color_scheme="gray"),
        cond(card.url != "",
                rx.link(rx.hstack(card.name, lucide_icon("external-link", size=14), spacing="1",
                                  align="center"),
                        href=card.url, is_external=True, weight="medium", size="3"),
                rx.text(card.name, weight="medium", size="3")),
        spacing="0",
    )
    figures = cond(
        card.figures.length() > 0,
        rx.grid(rx.foreach(card.figures, _figure), columns="2", spacing="4", width="100%"),
        cond(card.detail == "",
                rx.text("No figures yet.", size="2", color_scheme="gray")),
    )
    return rx.card(
        rx.vstack(
            rx.hstack(lucide_icon(card.icon, size=20, color=rx.color("accent", 10)), title,
                      rx.spacer(), rx.badge(card.tool, variant="soft", color_scheme="gray"),
                      align="start", spacing="3", width="100%"),
            figures,
            cond(card.detail != "", rx.text(card.detail, size="2", color_scheme="gray")),
            rx.hstack(
                rx.text(cond(card.fetched_at == "", "never fetched",
                             rx.fragment(cond(card.source == "", "fetched ",
                                              "updated by a " + card.source + " "),
                                         time_ago(card.fetched_at, card.fetched_utc))),
                        size="1", color_scheme="gray", data_testid="fetched"),
                cond(card.stale, stale_marker(card.stale_note)),
                spacing="2", align="center",
            ),
            cond(card.stale, rx.text(card.stale_note, size="1", color_scheme="orange",
                                        data_testid="stale-note")),
            spacing="3", width="100%",
        ),
        size="2", width="100%", data_testid="resource-card",
    )


def _link(link: RowVar[LinkView]) -> rx.Component:
    name = cond(link.url != "",
                rx.link(rx.hstack(link.name, lucide_icon("external-link", size=14), spacing="1",
                                  align="center"),
                        href=link.url, is_external=True, weight="medium", size="2"),
                rx.text(link.name, weight="medium", size="2"))
    return rx.el.li(
        rx.hstack(lucide_icon(link.icon, size=16, color=rx.color("accent", 11)), name,
                  rx.text(link.kind, size="1", color_scheme="gray"),
                  align="center", spacing="2", wrap="wrap"),
        data_testid="resource-link",
    )


def _links() -> rx.Component:
    """Starter pages, channels, budgets, the team: no figures of their own, so no cards."""
    return cond(ProjectState.links.length() > 0, titled_card(
        "link", "Also in the tools",
        rx.el.ul(rx.foreach(ProjectState.links, _link), list_style="none", padding="0",
                 margin="0", display="grid", gap="0.6rem",
                 grid_template_columns="repeat(auto-fill, minmax(16rem, 1fr))"),
    ))


def _resources() -> rx.Component:
    return cond(
        (ProjectState.cards.length() > 0) | (ProjectState.links.length() > 0),
        rx.vstack(
            rx.grid(rx.foreach(ProjectState.cards, _resource),
                    columns=rx.breakpoints(initial="1", sm="2", lg="3"), spacing="4",
                    width="100%"),
            _links(),
            spacing="4", width="100%",
        ),
        titled_card("boxes", "In the tools",
              rx.text("Nothing yet: resources appear here as provisioning creates or links "
                      "them.", size="2", color_scheme="gray")),
    )


def _chart(title: str, icon: str, data: ArrayVar[Sequence[dict[str, Any]]], chart: rx.Component,
           note: str) -> rx.Component:
    return titled_card(
        icon, title,
        cond(data.length() > 0, chart,
                rx.center(rx.text(note, size="2", color_scheme="gray", text_align="center"),
                          height="240px", width="100%")),
    )


def _charts() -> rx.Component:
    return rx.grid(
        _chart("Issues over time", "chart-area", ProjectState.issue_history,
               issues_chart(ProjectState.issue_history),
               "No Jira figures yet. Each day of syncing adds a point."),
        _chart("Budget used vs time elapsed", "chart-line", ProjectState.burn_history,
               burn_chart(ProjectState.burn_history),
               "No Productive budget figures yet. Each day of syncing adds a point."),
        columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%",
    )


def _person(person: RowVar[Person]) -> rx.Component:
    return rx.hstack(
        rx.avatar(fallback=person.name[0], size="2", radius="full"),
        rx.vstack(rx.text(person.name, size="2", weight="medium"),
                  rx.text(person.email, size="1", color_scheme="gray"), spacing="0"),
        rx.spacer(),
        rx.badge(person.role, variant="soft", color_scheme=cond(
            person.role == "manager", "indigo", "gray")),
        align="center", spacing="3", width="100%",
    )


def _fact(fact: RowVar[Fact]) -> rx.Component:
    return rx.data_list.item(rx.data_list.label(fact.label, min_width="9rem"),
                             rx.data_list.value(cond(fact.at != "",
                                                     local_time(fact.at, fact.value),
                                                     rx.text(fact.value))))


def _run_row(run: RowVar[RunRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(local_time(run.started_at, run.started), href=run.href)),
        rx.table.cell(run_badge(run.status, run.status_label)),
        rx.table.cell(run.steps + " steps done"),
        rx.table.cell(local_time(run.finished_at, run.finished)),
        align="center",
    )


def _runs() -> rx.Component:
    return titled_card("list-checks", "Provisioning runs", cond(
        ProjectState.runs.length() > 0,
        simple_table(("Started", "Status", "Progress", "Finished"),
                     rx.foreach(ProjectState.runs, _run_row)),
        rx.text("This project was not provisioned by ProjectHub.", size="2",
                color_scheme="gray")))


def _project() -> rx.Component:
    return rx.vstack(
        _header(),
        cond(ProjectState.description != "",
                rx.text(ProjectState.description, size="3", color_scheme="gray")),
        form_error("status"), form_error("lifecycle"),
        _not_approved(),
        _health(),
        drift_section(),
        _resources(),
        _charts(),
        rx.grid(
            titled_card("users", "Members", rx.vstack(rx.foreach(ProjectState.people, _person),
                                                spacing="3", width="100%")),
            titled_card("info", "Basics", rx.data_list.root(rx.foreach(ProjectState.facts, _fact),
                                                      size="2")),
            columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%",
            align="start",
        ),
        _runs(),
        lifecycle_dialog(), delete_dialog(),
        spacing="5", width="100%",
    )


def project_page() -> rx.Component:
    return signed_in_page(cond(
        ProjectState.problem != "",
        notice_screen("folder-x", "Project not found", ProjectState.problem,
                      button_link("Back to the dashboard", "/dashboard", variant="soft")),
        _project(),
    ))

