"""The project status page's pieces as display data: one card per tool resource with figures
(the figures, when they were fetched, why they are stale), a link to each other resource, the
reasons behind the health, and chart points from the daily history. Built from
``services.status.view`` and the time now; no tool is called here."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from projecthub.models import (
    ConfluenceSummary,
    HealthLevel,
    JiraSummary,
    PlannerSummary,
    ProductiveSummary,
    Reason,
    StatusHistory,
    TeamSummary,
)
from projecthub.services.status.health import elapsed_percent
from projecthub.services.status.view import ResourceCard, ResourceLink
from projecthub.ui.format import iso, when
from projecthub.ui.state.status_format import (
    EMPTY,
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
               ("graph", "team"): "Team", ("confluence", "page"): "Confluence page",
               ("graph", "channel"): "Teams channel", ("productive", "budget"): "Productive budget"}
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
    # An instant shown as its age ("3 hours ago"), which the browser keeps ticking; ``value``
    # is then its UTC text (the hover), so a figure changes only when the instant does.
    at: str = ""


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
    fetched_at: str  # ISO, for the browser to show as "5 minutes ago"; "" when never fetched
    fetched_utc: str  # the same instant as labelled UTC text, on hover
    stale: bool
    stale_note: str
    source: str = ""  # "Jira webhook" when a webhook brought these figures, else ""


@dataclasses.dataclass(frozen=True)
class LinkView:
    """A resource without figures of its own, as a link into its tool."""

    id: str
    tool: str
    icon: str
    kind: str
    name: str
    url: str


@dataclasses.dataclass(frozen=True)
class ReasonLine:
    level: str
    text: str


def _jira(data: JiraSummary) -> tuple[list[Figure], str]:
    figures = [Figure("To do", count(data.to_do)),
               Figure("In progress", count(data.in_progress)),
               Figure("Done", count(data.done)),
               Figure("Overdue", count(data.overdue))]
    sprint = data.sprint
    detail = ""
    if sprint:
        end = moment(sprint.end).split(",")[0] if sprint.end else ""
        detail = (f"{sprint.name}: {percent(sprint.percent_done)} done"
                  + (f", ends {end}" if end else ""))
    return figures, detail


def _confluence(data: ConfluenceSummary) -> tuple[list[Figure], str]:
    by, edited = data.last_edit_by, data.last_edit_at
    figures = [Figure("Pages", count(data.page_count)),
               Figure("Last edit", when(edited, never=EMPTY), f"by {by}" if by else "",
                      at=iso(edited))]
    title = data.last_page_title
    return figures, f"Last edited page: {title}" if title else ""


def _productive(data: ProductiveSummary, budgets: Sequence[str]) -> tuple[list[Figure], str]:
    """Every budget of the project added up. A budget ProjectHub created reads €0 until its
    services are priced in Productive (it computes a budget's total from them)."""
    currency = data.currency
    names = ", ".join(budgets)
    if not data.budget_total_cents:
        figures = [Figure("Budget", money(0, currency), f"{names}: no services priced yet")
                   if budgets else Figure("Budget", "none")]
    else:
        remaining = data.budget_remaining_cents
        figures = [Figure("Budget", money(data.budget_total_cents, currency), names),
                   Figure("Used", percent(data.burn_percent),
                          money(data.budget_used_cents, currency)),
                   Figure("Remaining" if remaining >= 0 else "Over budget",
                          money(abs(remaining), currency))]
    figures.append(Figure("Time", hours(data.worked_minutes),
                          f"of {hours(data.budgeted_minutes)} budgeted"))
    open_ = data.tasks_not_started + data.tasks_started
    return figures, f"Tasks: {open_} open, {data.tasks_closed} closed"


def _planner(data: PlannerSummary) -> tuple[list[Figure], str]:
    return [Figure("Not started", count(data.not_started)),
            Figure("In progress", count(data.in_progress)),
            Figure("Done", count(data.done)),
            Figure("Overdue", count(data.overdue))], ""


def _figures(card: ResourceCard, budgets: Sequence[str]) -> tuple[list[Figure], str]:
    data = card.data
    if isinstance(data, JiraSummary):
        return _jira(data)
    if isinstance(data, ConfluenceSummary):
        return _confluence(data)
    if isinstance(data, ProductiveSummary):
        return _productive(data, budgets)
    if isinstance(data, PlannerSummary):
        return _planner(data)
    if isinstance(data, TeamSummary):
        return [], "Conversations, channels and files: open the team in Microsoft Teams."
    return [], ""


def _staleness(card: ResourceCard, now: datetime, stale_hours: int) -> tuple[bool, str]:
    if card.error and card.fetched_at is None:
        return True, f"No figures yet: {card.error}"
    if card.error:
        # When they were fetched is the card's "fetched … ago", in the viewer's own zone.
        return True, f"The last sync failed ({card.error}); these are the figures from before."
    if card.fetched_at is None:
        return True, "Not synced yet: press Refresh to fetch its figures."
    if older_than(card.fetched_at, now, stale_hours):
        return True, f"Older than {stale_hours} h: the tool has not been read since."
    return False, ""


def _source(card: ResourceCard) -> str:
    if card.refreshed_by != "webhook" or card.fetched_at is None:
        return ""
    return f"{TOOL_LABELS.get(card.tool, card.tool)} webhook"


def card_view(card: ResourceCard, now: datetime, stale_hours: int,
              budgets: Sequence[str] = ()) -> CardView:
    figures, detail = _figures(card, budgets)
    stale, note = _staleness(card, now, stale_hours)
    url = card.url or (card.data.web_url if isinstance(card.data, TeamSummary) else "")
    return CardView(str(card.resource_id), TOOL_LABELS.get(card.tool, card.tool),
                    ICONS.get(card.tool, "box"),
                    KIND_LABELS.get((card.tool, card.kind), card.kind), card.name or EMPTY, url,
                    figures, detail, iso(card.fetched_at), when(card.fetched_at, never=""),
                    stale, note, _source(card))


def card_views(cards: list[ResourceCard], links: list[ResourceLink], now: datetime,
               stale_hours: int) -> list[CardView]:
    """The Productive card names the project's budgets, which are links of their own."""
    budgets = [r.name for r in links if (r.tool, r.kind) == ("productive", "budget")]
    ordered = sorted(cards, key=lambda c: ORDER.get((c.tool, c.kind), len(ORDER)))
    return [card_view(c, now, stale_hours, budgets) for c in ordered]


def link_views(links: list[ResourceLink]) -> list[LinkView]:
    """By tool, then kind, as the service orders them."""
    return [LinkView(str(r.resource_id), TOOL_LABELS.get(r.tool, r.tool),
                     ICONS.get(r.tool, "box"), KIND_LABELS.get((r.tool, r.kind), r.kind),
                     r.name or EMPTY, r.url) for r in links]


def mark_changes(before: list[CardView], after: list[CardView]) -> list[CardView]:
    """``after`` with each figure that differs from ``before`` carrying its old value."""
    old = {(c.id, f.label): f.value for c in before for f in c.figures}
    return [dataclasses.replace(c, figures=[
        dataclasses.replace(f, was=old[(c.id, f.label)])
        if old.get((c.id, f.label), f.value) != f.value else f for f in c.figures])
        for c in after]


_WORST_FIRST = {HealthLevel.RED: 0, HealthLevel.AMBER: 1, HealthLevel.UNKNOWN: 2,
                HealthLevel.GREEN: 3}


def reason_lines(reasons: list[Reason]) -> list[ReasonLine]:
    """Worst first, in the order the rules gave them within a level."""
    ordered = sorted(reasons, key=lambda r: _WORST_FIRST[r.level])
    return [ReasonLine(r.level.value, r.text) for r in ordered]


def _label(day: date) -> str:
    return day.strftime("%d %b")


def issue_points(history: list[StatusHistory]) -> list[dict[str, Any]]:
    """Jira issues by status category, one point per day that has them."""
    return [{"day": _label(h.day), "to_do": j.to_do, "in_progress": j.in_progress,
             "done": j.done}
            for h in history if h.figures.jira and (j := h.figures.jira.summary)]


def burn_points(history: list[StatusHistory], start: date | None,
                end: date | None) -> list[dict[str, Any]]:
    """Budget used and time elapsed, in percent, per day that has a budget figure."""
    points = []
    for h in history:
        prod = h.figures.productive.summary if h.figures.productive else None
        burn = prod.burn_percent if prod else None
        if burn is None:
            continue
        elapsed = elapsed_percent(start, end, h.day)  # None without dates: no line, not zero
        points.append({"day": _label(h.day), "burn": float(burn),
                       **({} if elapsed is None else {"elapsed": elapsed})})
    return points
