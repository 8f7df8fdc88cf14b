"""The dashboard's rows and tiles as display strings, built from ``services.status.dashboard``'s
page and the time now. Figures a project has no resource for stay empty: never a made-up zero."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime

from projecthub.models import Figures
from projecthub.services.status.dashboard import HEALTHS, ProjectRow
from projecthub.ui.format import iso, when
from projecthub.ui.state.status_format import (
    EMPTY,
    HEALTH_LABELS,
    LIFECYCLE_LABELS,
    date_range,
    lifecycle_label,
    money,
    older_than,
    percent,
)

PROJECT_PREFIX = "/projects/"
TILE_LIFECYCLES = ("active", "on_hold", "completed", "provisioning", "archived")


@dataclasses.dataclass(frozen=True)
class DashRow:
    id: str
    name: str
    key: str
    client: str
    href: str
    health: str
    health_label: str
    reason: str  # the first reason, under the badge
    reasons: str  # all of the row's reasons (up to three), for the tooltip
    issues: str  # Jira: "5 open · 12 done"
    issues_note: str  # "2 overdue"
    budget: str  # Productive: "62% used"
    budget_note: str  # "€18,200 left"
    budget_over: bool
    planner: str  # "4 open"
    planner_note: str  # "1 overdue"
    owner: str
    dates: str
    lifecycle: str
    lifecycle_label: str
    synced_at: str  # ISO, for the browser to show as "synced 5 minutes ago"; "" if never
    synced_utc: str
    stale: bool
    stale_note: str
    drift: str  # "2 differences from the tools", "" when none


@dataclasses.dataclass(frozen=True)
class Tile:
    key: str
    label: str
    count: int
    href: str
    active: bool


def _jira(figures: Figures) -> tuple[str, str]:
    jira = figures.jira.summary if figures.jira else None
    if jira is None:
        return "", ""
    return (f"{jira.open} open · {jira.done} done",
            f"{jira.overdue} overdue" if jira.overdue else "")


def _budget(figures: Figures) -> tuple[str, str, bool]:
    prod = figures.productive.summary if figures.productive else None
    if prod is None:
        return "", "", False
    remaining = prod.budget_remaining_cents
    left = (f"{money(remaining, prod.currency)} left" if remaining >= 0 else
            f"{money(-remaining, prod.currency)} over")
    return (f"{percent(prod.burn_percent)} used" if prod.burn_percent is not None
            else "No budget", left, remaining < 0)


def _planner(figures: Figures) -> tuple[str, str]:
    plan = figures.planner.summary if figures.planner else None
    if plan is None:
        return "", ""
    return f"{plan.open} open", f"{plan.overdue} overdue" if plan.overdue else ""


def _staleness(row: ProjectRow, now: datetime, stale_hours: int) -> tuple[bool, str]:
    failed = [name for name, f in row.figures.entries().items() if f.stale]
    if row.synced_at is None:
        return bool(row.tools), "Not synced yet." if row.tools else ""
    if failed:
        return True, "Last sync failed for " + ", ".join(sorted(failed)) + ": older figures kept."
    if row.oldest_data_at is not None and older_than(row.oldest_data_at, now, stale_hours):
        return True, f"Some figures are older than {stale_hours} h."
    return False, ""


def dash_row(row: ProjectRow, now: datetime, stale_hours: int) -> DashRow:
    issues, issues_note = _jira(row.figures)
    budget, budget_note, over = _budget(row.figures)
    planner, planner_note = _planner(row.figures)
    stale, stale_note = _staleness(row, now, stale_hours)
    return DashRow(
        str(row.id), row.name, row.key, row.client_company, f"{PROJECT_PREFIX}{row.id}",
        row.health.value, HEALTH_LABELS[row.health], row.reasons[0] if row.reasons else "",
        "\n".join(row.reasons), issues, issues_note, budget, budget_note, over, planner,
        planner_note, row.owner_name or EMPTY, date_range(row.start_date, row.end_date),
        row.lifecycle.value, lifecycle_label(row.lifecycle), iso(row.synced_at),
        when(row.synced_at, never=""), stale, stale_note, drift_note(row.drift_count))


def drift_note(count: int) -> str:
    """How many ways the project's tools differ from ProjectHub, for a badge."""
    if not count:
        return ""
    return f"{count} difference{'s' if count != 1 else ''} from the tools"


def tiles(by_health: dict[str, int], by_lifecycle: dict[str, int],
          href: Callable[[str, str], str], health: str,
          lifecycle: str) -> tuple[list[Tile], list[Tile]]:
    """Every health and the usual lifecycle states, even at zero (a missing tile reads as a
    bug); each links to the list filtered by it, or back to unfiltered when it is the filter."""
    health_tiles = [Tile(h, HEALTH_LABELS[h], by_health.get(h, 0),
                         href("health", "" if h == health else h), h == health)
                    for h in HEALTHS]
    states = [*TILE_LIFECYCLES, *(s for s in by_lifecycle if s not in TILE_LIFECYCLES)]
    lifecycle_tiles = [Tile(s, LIFECYCLE_LABELS.get(s, s), by_lifecycle.get(s, 0),
                            href("lifecycle", "" if s == lifecycle else s), s == lifecycle)
                       for s in states]
    return health_tiles, lifecycle_tiles
