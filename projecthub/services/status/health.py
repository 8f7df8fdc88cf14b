"""Health from readable rules over a project's snapshots. Every colour comes with the reasons
that produced it, in words a project manager would use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from projecthub.models import (
    HealthLevel,
    JiraSummary,
    PlannerSummary,
    ProductiveSummary,
    Reason,
    Summary,
    Tool,
)
from projecthub.services.status.settings import StatusSettings

GREEN, AMBER, RED, UNKNOWN = (HealthLevel.GREEN, HealthLevel.AMBER, HealthLevel.RED,
                              HealthLevel.UNKNOWN)
LEVELS = {GREEN: 0, AMBER: 1, RED: 2}


@dataclass(frozen=True)
class SnapshotFacts:
    """What the rules need from one snapshot (``data`` is None until first fetched)."""

    tool: Tool
    data: Summary | None
    fetched_at: datetime | None
    error: str


@dataclass(frozen=True)
class Health:
    colour: HealthLevel
    reasons: list[Reason]


def elapsed_percent(start: date | None, end: date | None, today: date) -> float | None:
    if start is None or end is None or end <= start:
        return None
    share = (today - start).days / (end - start).days
    return round(100 * min(max(share, 0.0), 1.0), 1)


def _burn(snaps: list[SnapshotFacts], start: date | None, end: date | None, today: date,
          s: StatusSettings) -> list[Reason]:
    reasons = []
    elapsed = elapsed_percent(start, end, today)
    for snap in snaps:
        if not isinstance(snap.data, ProductiveSummary) or elapsed is None:
            continue
        burn = snap.data.burn_percent
        if burn is None:
            continue
        ahead = burn - elapsed
        level = (RED if ahead > s.burn_red_points else
                 AMBER if ahead > s.burn_amber_points else GREEN)
        reasons.append(Reason(
            level=level, rule="budget_burn",
            text=f"Budget {burn:.0f}% used with {elapsed:.0f}% of the time elapsed "
                 f"({ahead:+.0f} points)."))
    return reasons


def _overdue(snaps: list[SnapshotFacts], s: StatusSettings) -> list[Reason]:
    reasons = []
    for snap in snaps:
        if not isinstance(snap.data, JiraSummary | PlannerSummary) or snap.data.overdue is None:
            continue
        count = snap.data.overdue
        what = "Jira issues" if isinstance(snap.data, JiraSummary) else "Planner tasks"
        level = (RED if count >= s.overdue_red else
                 AMBER if count >= s.overdue_amber else GREEN)
        reasons.append(Reason(level=level, rule="overdue", text=f"{count} overdue {what}."))
    return reasons


def _open_work(snaps: list[SnapshotFacts]) -> int:
    return sum(snap.data.open for snap in snaps
               if isinstance(snap.data, JiraSummary | PlannerSummary))


def _stale(snaps: list[SnapshotFacts], now: datetime, s: StatusSettings) -> list[Reason]:
    reasons = []
    for snap in snaps:
        label = snap.tool.title() if snap.tool != Tool.GRAPH else "Microsoft 365"
        if snap.fetched_at is None:
            reasons.append(Reason(level=UNKNOWN, rule="stale", text=f"{label}: no data yet"
                                  + (f" ({snap.error})." if snap.error else ".")))
        elif now - snap.fetched_at > timedelta(hours=s.stale_hours):
            hours = int((now - snap.fetched_at).total_seconds() // 3600)
            reasons.append(Reason(level=AMBER, rule="stale", text=f"{label} data is {hours} h old"
                                  + (f": {snap.error}" if snap.error else ".")))
    return reasons


def evaluate(snaps: list[SnapshotFacts], *, start: date | None, end: date | None,
             now: datetime, settings: StatusSettings) -> Health:
    """The worst level among the rules decides the colour; all reasons are kept."""
    if not snaps:
        return Health(UNKNOWN, [Reason(
            level=UNKNOWN, rule="no_resources",
            text="No tool resources are linked to this project yet.")])
    reasons = _stale(snaps, now, settings)
    fresh = [s for s in snaps if s.fetched_at is not None]
    if not fresh:
        return Health(UNKNOWN, reasons)
    reasons += _burn(fresh, start, end, now.date(), settings) + _overdue(fresh, settings)
    open_work = _open_work(fresh)
    if end is not None and now.date() > end and open_work:
        reasons.append(Reason(level=RED, rule="past_end",
                              text=f"The end date {end.isoformat()} has passed with "
                                   f"{open_work} open items."))
    colour = max((r.level for r in reasons if r.level in LEVELS), key=LEVELS.__getitem__,
                 default=GREEN)
    if colour == GREEN and not any(r.level == GREEN for r in reasons):
        reasons.append(Reason(level=GREEN, rule="all_clear", text="No rule found a problem."))
    return Health(colour, reasons)
