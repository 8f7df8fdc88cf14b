"""``/runs/[run_id]``: one row per step with its status, duration, attempts, link, error and log;
the whole run's progress, Cancel while it runs and Retry when it failed; while the run awaits
approval, Approve / Reject for its approvers."""

from __future__ import annotations

import reflex as rx
from reflex_base.constants.colors import ColorType

from projecthub.ui.components.dialogs import confirm
from projecthub.ui.components.forms import form_error
from projecthub.ui.components.moments import TIME_FORMAT, local_time
from projecthub.ui.components.shell import notice_screen, page_header, signed_in_page
from projecthub.ui.layout import button_link
from projecthub.ui.pages.projects import run_badge
from projecthub.ui.state.run_progress import RUN_FIELD, LogLine, RunProgressState, StepLine
from projecthub.ui.typed import RowVar, cond, lucide_icon

STEP_ICONS: dict[str, tuple[str, ColorType]] = {
    "succeeded": ("circle-check", "green"),
    "failed": ("circle-x", "red"),
    "skipped": ("circle-minus", "gray"),
    "cancelled": ("ban", "gray"),
    "pending": ("circle-dashed", "gray"),
}


def _status_icon(status: rx.Var[str]) -> rx.Component:
    return rx.box(
        rx.match(status,
                 ("running", rx.spinner(size="2")),
                 *((name, lucide_icon(icon, size=20, color=rx.color(color, 10)))
                   for name, (icon, color) in STEP_ICONS.items()),
                 lucide_icon("circle", size=20)),
        title=status, aria_label=status, role="img", display="flex",
    )


def _log_line(line: RowVar[LogLine]) -> rx.Component:
    return rx.hstack(rx.text(local_time(line.at, line.at_utc, fmt=TIME_FORMAT), size="1",
                             color_scheme="gray", font_family="monospace", flex_shrink="0"),
                     rx.text(line.message, size="1", font_family="monospace",
                             word_break="break-word"),
                     spacing="3", align="start")


def _log(step: RowVar[StepLine]) -> rx.Component:
    return cond(step.log.length() > 0, rx.el.details(
        rx.el.summary(rx.text("Log (" + step.log.length().to_string() + ")", size="1",
                              color_scheme="gray", as_="span"), cursor="pointer"),
        rx.vstack(rx.foreach(step.log, _log_line), spacing="1", padding="0.5rem 0 0 0.25rem"),
    ))


def _step(step: RowVar[StepLine]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(_status_icon(step.status), width="2.5rem"),
        rx.table.cell(rx.vstack(
            rx.text(step.title, weight="medium", size="2", data_testid="step-title"),
            rx.text(step.tool, size="1", color_scheme="gray"),
            cond(step.error != "", rx.text(step.error, size="2", color_scheme="red",
                                              data_testid="step-error")),
            _log(step),
            spacing="1", align="start",
        )),
        rx.table.cell(step.duration, white_space="nowrap"),
        rx.table.cell(cond(step.attempts > 1, step.attempts.to_string() + " attempts",
                              cond(step.attempts == 1, "1 attempt", ""))),
        rx.table.cell(cond(step.url != "", rx.link(
            rx.hstack(rx.text("Open"), lucide_icon("external-link", size=14), spacing="1",
                      align="center"),
            href=step.url, is_external=True, aria_label="Open " + step.title,
            data_testid="step-link"))),
        align="center",
        data_testid="step-row",
        data_status=step.status,
    )


def _summary() -> rx.Component:
    state = RunProgressState
    return rx.card(
        rx.vstack(
            rx.hstack(
                run_badge(state.run_status, state.run_status_text),
                rx.text(state.done_count.to_string() + " of " + state.step_count.to_string()
                        + " steps done", size="2", data_testid="run-count"),
                rx.spacer(),
                cond(state.live, rx.text(lucide_icon("radio", size=14), "Live", size="1",
                                            color_scheme="green", display="flex",
                                            align_items="center", gap="0.3rem")),
                align="center", width="100%", spacing="3",
            ),
            rx.progress(value=state.percent, max=100, size="3", width="100%",
                        aria_label="Run progress"),
            rx.hstack(
                cond(state.started != "", rx.text(
                    "Started ", local_time(state.started_at, state.started), size="1",
                    color_scheme="gray")),
                cond(state.finished != "", rx.text(
                    "Finished ", local_time(state.finished_at, state.finished), size="1",
                    color_scheme="gray")),
                spacing="4",
            ),
            cond(state.run_error != "", rx.callout(state.run_error, icon="triangle-alert",
                                                      color_scheme="red", width="100%")),
            spacing="3", width="100%",
        ),
        size="3", width="100%",
    )


def _approval() -> rx.Component:
    """While the run waits: who must decide, and for an approver Approve / Reject with a
    comment; for the requester, why they cannot. After: the decision and its comment."""
    state = RunProgressState
    decide = rx.vstack(
        rx.text_area(value=state.decision_comment, on_change=state.set_decision_comment,
                     placeholder="Comment (required to reject)", aria_label="Decision comment",
                     max_length=2000, width="100%", data_testid="decision-comment"),
        rx.hstack(
            rx.button(lucide_icon("check", size=16), "Approve", size="2", color_scheme="green",
                      on_click=state.approve, data_testid="approve-run"),
            rx.button(lucide_icon("x", size=16), "Reject", size="2", color_scheme="red",
                      variant="soft", on_click=state.reject, data_testid="reject-run"),
            spacing="2"),
        spacing="2", width="100%")
    waiting = rx.callout.root(
        rx.callout.icon(lucide_icon("hourglass", size=16)),
        rx.vstack(
            rx.text("Awaiting approval by ", state.waiting_for,
                    ". Nothing is created or changed in any tool until then.", weight="medium",
                    data_testid="awaiting-approval"),
            cond(state.own_request, rx.text(
                "You started this run, so someone else must approve it.", size="2")),
            cond(state.can_decide, decide),
            spacing="2", width="100%"),
        color_scheme="amber", width="100%")
    return rx.fragment(
        cond(state.waiting_for != "", waiting),
        cond(state.decision != "", cond(
            state.run_status == "rejected",
            rx.callout(state.decision, icon="gavel", color_scheme="red", width="100%",
                       data_testid="run-decision"),
            rx.callout(state.decision, icon="gavel", width="100%", data_testid="run-decision"))),
    )


def _actions() -> rx.Component:
    state = RunProgressState
    return rx.hstack(
        cond(state.running, confirm(
            rx.button(lucide_icon("circle-stop", size=16), "Cancel", size="2", variant="soft",
                      color_scheme="red"),
            "Cancel this run?",
            "No new steps start. A step already talking to a tool finishes first; what was "
            "created stays, and you can retry later.",
            "Cancel run", state.cancel)),
        cond(state.can_retry, rx.button(lucide_icon("rotate-ccw", size=16), "Retry", size="2",
                                           on_click=state.retry)),
        button_link("Open project", state.project_href, variant="soft", size="2"),
        spacing="2", align="center",
    )


def _run() -> rx.Component:
    return rx.vstack(
        page_header(RunProgressState.run_title + " " + RunProgressState.project_name,
                    "Each step runs in the background; this page follows along.", _actions()),
        _summary(),
        _approval(),
        form_error(RUN_FIELD),
        rx.table.root(
            rx.table.header(rx.table.row(*(rx.table.column_header_cell(h) for h in (
                "", "Step", "Duration", "Attempts", "Link")))),
            rx.table.body(rx.foreach(RunProgressState.steps, _step)),
            variant="surface", width="100%",
        ),
        spacing="5", width="100%",
    )


def run_progress_page() -> rx.Component:
    return signed_in_page(cond(
        RunProgressState.problem != "",
        notice_screen("search-x", "Run not found", RunProgressState.problem,
                      button_link("Back to the dashboard", "/dashboard", variant="soft")),
        _run(),
    ))
