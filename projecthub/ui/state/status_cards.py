"""The project status page's pieces as display data: one card per tool resource (its figures,
their age, why they are stale), the reasons behind the health, and chart points from the daily
history. Built from ``services.status.view`` and the time now; no tool is called here."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

from projecthub.models import StatusHistory
from projecthub.services.status.health import elapsed_percent
from projecthub.services.status.view import ResourceCard
from projecthub.ui.state.status_format import (
    EMPTY,
    age,
    count,
    hours,
    moment,
    money,
    older_than,
    percent,
)

TOOL_LABELS = {"jira": "Jira", "confluence": "Confluence", "productive": "Productive",
               "graph": "Microsoft 365"}
KIND_LABELS = {("jira", "project"): "Jira project", ("confluence", "space"): "Confluence space",
               ("productive", "project"): "Productive project", ("graph", "plan"): "Planner plan",
               ("graph", "team"): "Team"}
# Cards with the most telling figures first.
ORDER = {("jira", "project"): 0, ("productive", "project"): 1, ("graph", "plan"): 2,
         ("confluence", "space"): 3, ("graph", "team"): 4}
ICONS = {"jira": "square-kanban", "confluence": "book-open", "productive": "wallet",
         "graph": "users"}


@dataclasses.dataclass(frozen=True)
class Figure:
    label: str
    value: str
    note: str = ""
    was: str = ""  # the value before the last refresh, when it changed then


@dataclasses.dataclass(frozen=True)
class CardView:
    id: str
    tool: str
    icon: str
    kind: str
    name: str
    url: str
    figures: list[Figure]
    detail: str  # a line under the figures (the sprint, the last edited page)
    fetched: str  # "fetched 5 min ago"
    stale: bool
    stale_note: str


@dataclasses.dataclass(frozen=True)
class ReasonLine:
    level: str
    text: str


def _jira(data: dict[str, Any]) -> tuple[list[Figure], str]:
    figures = [Figure("To do", count(data.get("to_do"))),
               Figure("In progress", count(data.get("in_progress"))),
               Figure("Done", count(data.get("done"))),
               Figure("Overdue", count(data.get("overdue")))]
    sprint = data.get("sprint")
    detail = ""
    if sprint:
        end = moment(sprint.get("end")).split(",")[0] if sprint.get("end") else ""
        detail = (f"{sprint.get('name', 'Sprint')}: {percent(sprint.get('percent_done'))} done"
                  + (f", ends {end}" if end else ""))
    return figures, detail


def _confluence(data: dict[str, Any], now: datetime) -> tuple[list[Figure], str]:
    edited = data.get("last_edit_at")
    by = data.get("last_edit_by")
    figures = [Figure("Pages", count(data.get("page_count"))),
               Figure("Last edit", age(edited, now, never=EMPTY), f"by {by}" if by else "")]
    title = data.get("last_page_title")
    return figures, f"Last edited page: {title}" if title else ""


def _productive(data: dict[str, Any]) -> tuple[list[Figure], str]:
    currency = str(data.get("currency", ""))
    if not data.get("budget_total_cents"):
        figures = [Figure("Budget", "none")]
    else:
        remaining = int(data.get("budget_remaining_cents", 0))
        figures = [Figure("Budget", money(data.get("budget_total_cents"), currency)),
                   Figure("Used", percent(data.get("burn_percent")),
                          money(data.get("budget_used_cents"), currency)),
                   Figure("Remaining" if remaining >= 0 else "Over budget",
                          money(abs(remaining), currency))]
    figures.append(Figure("Time", hours(data.get("worked_minutes")),
                          f"of {hours(data.get('budgeted_minutes'))} budgeted"))
    open_ = int(data.get("tasks_not_started", 0)) + int(data.get("tasks_started", 0))
    return figures, f"Tasks: {open_} open, {int(data.get('tasks_closed', 0))} closed"


def _planner(data: dict[str, Any]) -> tuple[list[Figure], str]:
    return [Figure("Not started", count(data.get("not_started"))),
            Figure("In progress", count(data.get("in_progress"))),
            Figure("Done", count(data.get("done"))),
            Figure("Overdue", count(data.get("overdue")))], ""


def _figures(card: ResourceCard, now: datetime) -> tuple[list[Figure], str]:
    if not card.data:
        return [], ""
    kind = (card.tool, card.kind)
    if kind == ("jira", "project"):
        return _jira(card.data)
    if kind == ("confluence", "space"):
        return _confluence(card.data, now)
    if kind == ("productive", "project"):
        return _productive(card.data)
    if kind == ("graph", "plan"):
        return _planner(card.data)
    if kind == ("graph", "team"):
        return [], "Conversations, channels and files: open the team in Microsoft Teams."
    return [], ""


def _staleness(card: ResourceCard, now: datetime, stale_hours: int) -> tuple[bool, str]:
    if card.error and card.fetched_at is None:
        return True, f"No figures yet: {card.error}"
    if card.error:
        return True, f"The last sync failed ({card.error}); these figures are from " \
                     f"{moment(card.fetched_at)}."
    if card.fetched_at is None:
        return True, "Not synced yet: press Refresh to fetch its figures."
    if older_than(card.fetched_at, now, stale_hours):
        return True, f"Older than {stale_hours} h: the tool has not been read since."
    return False, ""


def card_view(card: ResourceCard, now: datetime, stale_hours: int) -> CardView:
    figures, detail = _figures(card, now)
    stale, note = _staleness(card, now, stale_hours)
    url = card.url or str(card.data.get("web_url", ""))
    return CardView(card.resource_id, TOOL_LABELS.get(card.tool, card.tool),
                    ICONS.get(card.tool, "box"),
                    KIND_LABELS.get((card.tool, card.kind), card.kind), card.name or EMPTY, url,
                    figures, detail,
                    "never fetched" if card.fetched_at is None else
                    "fetched " + age(card.fetched_at, now), stale, note)


def card_views(cards: list[ResourceCard], now: datetime, stale_hours: int) -> list[CardView]:
    ordered = sorted(cards, key=lambda c: ORDER.get((c.tool, c.kind), len(ORDER)))
    return [card_view(c, now, stale_hours) for c in ordered]


def mark_changes(before: list[CardView], after: list[CardView]) -> list[CardView]:
    """``after`` with each figure that differs from ``before`` carrying its old value."""
    old = {(c.id, f.label): f.value for c in before for f in c.figures}
    return [dataclasses.replace(c, figures=[
        dataclasses.replace(f, was=old[(c.id, f.label)])
        if old.get((c.id, f.label), f.value) != f.value else f for f in c.figures])
        for c in after]


def reason_lines(reasons: list[dict[str, Any]]) -> list[ReasonLine]:
    """Worst first, in the order the rules gave them within a level."""
    rank = {"red": 0, "amber": 1, "unknown": 2, "green": 3}
    ordered = sorted(reasons, key=lambda r: rank.get(str(r.get("level")), 2))
    return [ReasonLine(str(r.get("level", "unknown")), str(r.get("text", ""))) for r in ordered]


def _label(day: date) -> str:
    return day.strftime("%d %b")


def issue_points(history: list[StatusHistory]) -> list[dict[str, Any]]:
    """Jira issues by status category, one point per day that has them."""
    return [{"day": _label(h.day), "to_do": int(j.get("to_do", 0)),
             "in_progress": int(j.get("in_progress", 0)), "done": int(j.get("done", 0))}
            for h in history if (j := h.figures.get("jira")) and j.get("to_do") is not None]


def burn_points(history: list[StatusHistory], start: date | None,
                end: date | None) -> list[dict[str, Any]]:
    """Budget used and time elapsed, in percent, per day that has a budget figure."""
    points = []
    for h in history:
        burn = (h.figures.get("productive") or {}).get("burn_percent")
        if burn is None:
            continue
        elapsed = elapsed_percent(start, end, h.day)  # None without dates: no line, not zero
        points.append({"day": _label(h.day), "burn": float(burn),
                       **({} if elapsed is None else {"elapsed": elapsed})})
    return points
