"""The project page's drift section: where a tool differs from ProjectHub, since when, and the
two ways to settle it ("Make it match" runs a fix in the tool; "Accept the tool's value"
changes ProjectHub). Shown only while something differs."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.forms import form_error
from projecthub.ui.components.moments import local_time
from projecthub.ui.pages.projects import simple_table, titled_card
from projecthub.ui.state.drift_rows import DriftLine
from projecthub.ui.state.project_status import DRIFT_FIELD, ProjectState
from projecthub.ui.typed import RowVar, cond


def _actions(line: RowVar[DriftLine]) -> rx.Component:
    fixing = rx.hstack(rx.spinner(size="1"), rx.link("Run under way", href=line.run_href,
                                                     size="2"), align="center", spacing="2")
    buttons = rx.hstack(
        cond(line.can_make_match,
             rx.button("Make it match", size="1", on_click=ProjectState.make_match(line.id),
                       data_testid="make-match")),
        rx.button("Accept the tool's value", size="1", variant="soft",
                  on_click=ProjectState.accept_drift(line.id), data_testid="accept-drift"),
        spacing="2", wrap="wrap")
    return cond(ProjectState.can_settle_drift, cond(line.fixing, fixing, buttons))


def _line(line: RowVar[DriftLine]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.vstack(rx.text(line.tool, size="2", weight="medium"),
                                rx.text(line.resource, size="1", color_scheme="gray"),
                                spacing="0")),
        rx.table.cell(line.what),
        rx.table.cell(line.projecthub, data_testid="drift-projecthub"),
        rx.table.cell(line.in_tool, data_testid="drift-tool"),
        rx.table.cell(local_time(line.since, line.since_utc)),
        rx.table.cell(_actions(line)),
        align="center", data_testid="drift-row",
    )


def drift_section() -> rx.Component:
    return cond(
        ProjectState.drift.length() > 0,
        rx.box(titled_card(
            "git-compare", "Drift: the tools differ from ProjectHub",
            rx.text("Found by the last sync. Make the tool match ProjectHub, or accept the "
                    "tool's value in ProjectHub.", size="2", color_scheme="gray"),
            form_error(DRIFT_FIELD),
            simple_table(("Tool", "What", "ProjectHub", "In the tool", "Since", ""),
                         rx.foreach(ProjectState.drift, _line))),
            width="100%", data_testid="drift"),
    )
