"""``/dashboard``: tiles by health and state, the project list with its figures (search,
filters, sort and pages, all in the URL), CSV export, unfinished runs and drafts."""

from __future__ import annotations

from collections.abc import Sequence

import reflex as rx

from projecthub.services.status.dashboard import HEALTHS, TOOLS
from projecthub.ui.components.forms import form_error
from projecthub.ui.components.health import (
    health_badge,
    health_dot,
    lifecycle_badge,
    stale_marker,
)
from projecthub.ui.components.moments import local_time, time_ago
from projecthub.ui.components.shell import page_header, signed_in_page
from projecthub.ui.format import ROLE_DESCRIPTIONS
from projecthub.ui.layout import button_link
from projecthub.ui.pages.projects import drafts_card, run_badge, simple_table, titled_card
from projecthub.ui.state.dashboard import (
    ALL,
    ApprovalLine,
    Choice,
    DashboardState,
    RunLine,
)
from projecthub.ui.state.dashboard_rows import TILE_LIFECYCLES, DashRow, Tile
from projecthub.ui.state.projects import DraftsState, tool_label
from projecthub.ui.state.session import SessionState
from projecthub.ui.state.status_format import EMPTY, HEALTH_LABELS, LIFECYCLE_LABELS
from projecthub.ui.typed import RowVar, cond, lucide_icon, str_dict

PAGE_SIZES = ("10", "25", "50", "100")


def _tile(tile: RowVar[Tile], health: bool) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(health_dot(tile.key) if health else rx.fragment(),
                          rx.text(tile.label, size="2", color_scheme="gray", trim="both"),
                          align="center", spacing="2"),
                rx.text(tile.count, size="6", weight="bold", trim="both"),
                spacing="2", height="100%", justify="between",
            ),
            size="1", width="100%", height="100%",
            border=cond(tile.active, "2px solid var(--accent-9)", "2px solid transparent"),
        ),
        href=tile.href, underline="none", color="inherit", display="block", height="100%",
        data_testid="tile-" + tile.key,
        aria_current=cond(tile.active, "true", "false"),
    )


def _tiles() -> rx.Component:
    def group(title: str, tiles: rx.Var[Sequence[Tile]], health: bool,
              columns: str) -> rx.Component:
        return rx.vstack(
            rx.text(title, size="1", weight="medium", color_scheme="gray",
                    text_transform="uppercase", letter_spacing="0.04em"),
            rx.grid(rx.foreach(tiles, lambda t: _tile(t, health)),
                    columns=rx.breakpoints(initial="2", sm=columns), spacing="2", width="100%",
                    flex="1"),
            spacing="2", width="100%", height="100%",  # both groups' tiles equally tall
        )

    # Proportional columns, so every tile of both groups has the same width.
    return rx.grid(
        group("Health", DashboardState.health_tiles, True, str(len(HEALTHS))),
        group("State", DashboardState.lifecycle_tiles, False, str(len(TILE_LIFECYCLES))),
        grid_template_columns=rx.breakpoints(
            initial="1fr", md=f"{len(HEALTHS)}fr {len(TILE_LIFECYCLES)}fr"),
        spacing="4", width="100%",
    )


def _select(name: str, label: str, value: rx.Var[str],
            options: list[tuple[str, str]] | rx.Var[Sequence[Choice]],
            width: str = "10rem") -> rx.Component:
    items = (rx.foreach(options, lambda o: rx.select.item(o.label, value=o.value))
             if isinstance(options, rx.Var) else
             rx.fragment(*(rx.select.item(text, value=v) for v, text in options)))
    return rx.select.root(
        rx.select.trigger(aria_label=label, width=width, data_testid="filter-" + name),
        rx.select.content(rx.select.item(f"Any {label.lower()}", value=ALL), items),
        value=cond(value == "", ALL, value), size="2",
        on_change=lambda v: DashboardState.filter_by(name, v),
    )


def _filters() -> rx.Component:
    return rx.flex(
        rx.form(
            rx.input(rx.input.slot(lucide_icon("search", size=16)), name="q",
                     default_value=DashboardState.q, placeholder="Search name, key or client",
                     aria_label="Search projects", size="2", width="16rem", type="search"),
            on_submit=DashboardState.search, reset_on_submit=False, width="auto",
        ),
        _select("health", "Health", DashboardState.health,
                [(h, HEALTH_LABELS[h]) for h in HEALTHS]),
        _select("lifecycle", "State", DashboardState.lifecycle,
                [(s, LIFECYCLE_LABELS[s]) for s in (*TILE_LIFECYCLES, "draft", "not_approved")]),
        _select("tool", "Tool", DashboardState.tool, [(t, tool_label(t)) for t in TOOLS]),
        _select("owner", "Owner", DashboardState.owner, DashboardState.owners),
        button_link("Drifted", DashboardState.drifted_href, size="2",
                    variant=cond(DashboardState.drifted, "solid", "outline"),
                    color_scheme="orange",
                    # a link, so its state is aria-current (aria-pressed is for buttons)
                    aria_current=cond(DashboardState.drifted, "true", "false"),
                    data_testid="filter-drifted"),
        cond(DashboardState.filtered,
                rx.link("Clear filters", href="/dashboard", size="2", data_testid="clear")),
        gap="2", wrap="wrap", align="center", width="100%",
    )


def _sort_header(label: str, column: str) -> rx.Component:
    current = DashboardState.sort == column
    arrow = cond(current,
                    lucide_icon(cond(DashboardState.descending, "arrow-down", "arrow-up"),
                                size=12),
                    lucide_icon("arrow-up-down", size=12, opacity="0.4"))
    return rx.table.column_header_cell(
        rx.link(rx.hstack(label, arrow, spacing="1", align="center"),
                href=str_dict(DashboardState.sort_links)[column], color="inherit", underline="none",
                white_space="nowrap"),
        aria_sort=cond(current, cond(DashboardState.descending, "descending",
                                           "ascending"), "none"),
    )


def _figure(main: rx.Var[str], note: rx.Var[str], *, alert: rx.Var[bool] | bool = False,
            testid: str = "") -> rx.Component:
    return cond(
        main != "",
        rx.vstack(rx.text(main, size="2", white_space="nowrap"),
                  cond(note != "", rx.text(note, size="1", white_space="nowrap",
                                              color_scheme=cond(alert, "red", "gray"))),
                  spacing="0", data_testid=testid),
        rx.text(EMPTY, size="2", color_scheme="gray"),
    )


def _row(row: RowVar[DashRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.vstack(
            rx.link(row.name, href=row.href, weight="medium", size="2"),
            rx.hstack(rx.code(row.key, variant="ghost", size="1"),
                      rx.text(row.client, size="1", color_scheme="gray"), spacing="2"),
            cond(row.drift != "", rx.badge(lucide_icon("git-compare", size=12), row.drift,
                                           color_scheme="orange", size="1",
                                           data_testid="drift-badge")),
            spacing="1")),
        rx.table.cell(rx.vstack(
            rx.tooltip(health_badge(row.health, row.health_label, size="1"),
                       content=cond(row.reasons != "", row.reasons, row.health_label)),
            rx.text(row.reason, size="1", color_scheme="gray", max_width="15rem",
                    data_testid="first-reason"),
            spacing="1")),
        rx.table.cell(_figure(row.issues, row.issues_note, alert=True, testid="issues")),
        rx.table.cell(_figure(row.budget, row.budget_note, alert=row.budget_over,
                              testid="budget")),
        rx.table.cell(_figure(row.planner, row.planner_note, alert=True, testid="planner")),
        rx.table.cell(rx.vstack(rx.text(row.owner, size="2", white_space="nowrap"),
                                rx.text(row.dates, size="1", color_scheme="gray",
                                        white_space="nowrap"), spacing="0")),
        rx.table.cell(lifecycle_badge(row.lifecycle, row.lifecycle_label)),
        rx.table.cell(rx.vstack(
            rx.text(cond(row.synced_at == "", "never synced",
                         rx.fragment("synced ", time_ago(row.synced_at, row.synced_utc))),
                    size="1", color_scheme="gray", white_space="nowrap"),
            cond(row.stale, stale_marker(row.stale_note)), spacing="1",
            data_testid="age")),
        align="center", data_testid="project-row",
    )


def _empty(icon: str, title: str, text: str, action: rx.Component) -> rx.Component:
    return rx.center(
        rx.vstack(lucide_icon(icon, size=36, color=rx.color("gray", 8)),
                  rx.text(title, size="4", weight="medium"),
                  rx.text(text, size="2", color_scheme="gray", text_align="center"),
                  action, align="center", spacing="2"),
        padding_y="3rem", width="100%", border="1px dashed var(--gray-a6)",
        border_radius="var(--radius-3)",
    )


def _table() -> rx.Component:
    headers = rx.table.header(rx.table.row(
        _sort_header("Project", "name"), _sort_header("Health", "health"),
        rx.table.column_header_cell("Issues"), rx.table.column_header_cell("Budget"),
        rx.table.column_header_cell("Planner"), _sort_header("Owner · dates", "end_date"),
        _sort_header("State", "lifecycle"), _sort_header("Data", "synced_at")))
    return rx.table.root(headers, rx.table.body(rx.foreach(DashboardState.rows, _row)),
                         variant="surface", size="1", width="100%")


def _pager() -> rx.Component:
    def step(label: str, href: rx.Var[str]) -> rx.Component:
        return cond(href != "", button_link(label, href, size="1", variant="soft"),
                       rx.button(label, size="1", variant="soft", disabled=True))

    return rx.flex(
        rx.text(DashboardState.showing, size="2", color_scheme="gray", data_testid="showing"),
        rx.spacer(),
        rx.select(list(PAGE_SIZES), value=DashboardState.page_size.to_string(), size="1",
                  on_change=lambda v: DashboardState.filter_by("page_size", v),
                  custom_attrs={"aria-label": "Projects per page"}),
        step("Previous", DashboardState.prev_href),
        rx.text("Page ", DashboardState.page, " of ", DashboardState.page_count, size="2"),
        step("Next", DashboardState.next_href),
        align="center", gap="3", width="100%", wrap="wrap",
    )


def _listing() -> rx.Component:
    return cond(
        DashboardState.rows.length() > 0,
        rx.vstack(_table(), _pager(), spacing="3", width="100%"),
        _empty("search-x", "No project matches this view",
               "Try other filters, or clear them to see every project.",
               button_link("Clear filters", "/dashboard", size="2", variant="soft")),
    )


def _no_projects() -> rx.Component:
    return _empty("folder-open", "No projects yet",
                  "Projects you can see appear here. Start one from a template: ProjectHub "
                  "sets it up in your tools and tracks its status here.",
                  cond(DashboardState.can_create,
                          button_link("New project", "/projects/new", size="2")))


def _run(run: RowVar[RunLine]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(run.project, href=run.href, weight="medium")),
        rx.table.cell(rx.code(run.key, variant="ghost")),
        rx.table.cell(run_badge(run.status, run.status_label)),
        rx.table.cell(run.progress),
        rx.table.cell(local_time(run.started_at, run.started), white_space="nowrap"),
        align="center",
    )


def _runs() -> rx.Component:
    return titled_card(
        "loader", "Provisioning",
        rx.text("Projects still being set up in the tools, waiting for approval or for a retry.",
                size="2", color_scheme="gray"),
        simple_table(("Project", "Key", "Run", "Progress", "Started"),
                     rx.foreach(DashboardState.runs, _run)),
    )


def _approval(line: RowVar[ApprovalLine]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(line.project, weight="medium")),
        rx.table.cell(rx.code(line.key, variant="ghost")),
        rx.table.cell(line.requested_by),
        rx.table.cell(local_time(line.requested_at, line.requested), white_space="nowrap"),
        rx.table.cell(button_link("Review", line.href, size="1", variant="soft")),
        align="center", data_testid="approval-row",
    )


def _approvals() -> rx.Component:
    return titled_card(
        "hourglass", "Awaiting your approval",
        rx.text("Runs that create or change something in the tools only after an approver "
                "agrees. You cannot approve runs you started.", size="2", color_scheme="gray"),
        simple_table(("Project", "Key", "Requested by", "Requested", ""),
                     rx.foreach(DashboardState.approvals, _approval)),
    )


def _getting_started() -> rx.Component:
    """Before the first project: who the person is here, and where to go next."""
    role = rx.card(rx.vstack(
        rx.text("Your role", size="2", color_scheme="gray"),
        rx.badge(SessionState.role, size="3", variant="soft"),
        rx.text(rx.match(SessionState.role, *ROLE_DESCRIPTIONS.items(), ""), size="2",
                color_scheme="gray"),
        spacing="2"), size="3", width="100%")
    admin_steps = cond(SessionState.is_org_admin, rx.fragment(
        button_link("Connect your tools", "/org/connections", variant="soft"),
        button_link("Invite your team", "/org/members", variant="soft"),
        button_link("Import existing projects", "/projects/import", variant="soft"),
    ))
    steps = rx.card(rx.vstack(
        rx.text("Next steps", size="2", color_scheme="gray"),
        rx.flex(admin_steps, button_link("Create an API token", "/account", variant="soft"),
                button_link("See members", "/org/members", variant="soft"),
                spacing="2", wrap="wrap"),
        spacing="3"), size="3", width="100%")
    return rx.grid(role, steps, columns=rx.breakpoints(initial="1", md="2"), spacing="4",
                   width="100%")


def _actions() -> rx.Component:
    return rx.hstack(
        cond(DashboardState.any_projects,
                rx.button(lucide_icon("download", size=16), "Export CSV", variant="soft", size="2",
                          on_click=DashboardState.export_csv, disabled=~DashboardState.loaded)),
        cond(SessionState.is_org_admin,
                button_link("Import projects", "/projects/import", size="2", variant="soft")),
        cond(DashboardState.can_create,
                button_link("New project", "/projects/new", size="2")),
        spacing="2",
    )


def dashboard_page() -> rx.Component:
    overview = rx.vstack(
        _tiles(),
        rx.vstack(_filters(), form_error("filters"), _listing(), spacing="3", width="100%"),
        spacing="5", width="100%",
    )
    return signed_in_page(
        page_header(SessionState.org_name, "Every project you can see, with its health and "
                    "latest figures from the tools.", _actions()),
        cond(DashboardState.approvals.length() > 0, _approvals()),
        cond(DashboardState.loaded & ~DashboardState.any_projects,
                rx.vstack(_no_projects(), _getting_started(), spacing="5", width="100%"),
                overview),
        cond(DashboardState.runs.length() > 0, _runs()),
        cond(DraftsState.drafts.length() > 0, drafts_card()),
    )
