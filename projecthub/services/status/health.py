"""Health from readable rules over a project's snapshots. Every colour comes with the reasons
that produced it, in words a project manager would use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from projecthub.services.status.settings import StatusSettings

LEVELS = {"green": 0, "amber": 1, "red": 2}


@dataclass(frozen=True)
class Reason:
    level: str  # green | amber | red | unknown
    rule: str
    text: str


@dataclass(frozen=True)
class SnapshotFacts:
    """What the rules need from one snapshot."""

    tool: str
    kind: str
    data: dict[str, Any]
    fetched_at: datetime | None
    error: str


@dataclass(frozen=True)
class Health:
    colour: str
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
        burn = snap.data.get("burn_percent") if snap.tool == "productive" else None
        if burn is None or elapsed is None:
            continue
        ahead = burn - elapsed
        level = ("red" if ahead > s.burn_red_points else
                 "amber" if ahead > s.burn_amber_points else "green")
        reasons.append(Reason(level, "budget_burn",
                              f"Budget {burn:.0f}% used with {elapsed:.0f}% of the time elapsed "
                              f"({ahead:+.0f} points)."))
    return reasons


def _overdue(snaps: list[SnapshotFacts], s: StatusSettings) -> list[Reason]:
    reasons = []
    for snap in snaps:
        if snap.tool not in ("jira", "graph") or snap.data.get("overdue") is None:
            continue
        count = int(snap.data["overdue"])
        what = "Jira issues" if snap.tool == "jira" else "Planner tasks"
        level = ("red" if count >= s.overdue_red else
                 "amber" if count >= s.overdue_amber else "green")
        reasons.append(Reason(level, "overdue", f"{count} overdue {what}."))
    return reasons


def _open_work(snaps: list[SnapshotFacts]) -> int:
    total = 0
    for snap in snaps:
        data = snap.data
        if snap.tool == "jira":
            total += int(data.get("to_do", 0)) + int(data.get("in_progress", 0))
        elif snap.tool == "graph" and snap.kind == "plan":
            total += int(data.get("not_started", 0)) + int(data.get("in_progress", 0))
    return total


def _stale(snaps: list[SnapshotFacts], now: datetime, s: StatusSettings) -> list[Reason]:
    reasons = []
    for snap in snaps:
        label = snap.tool.title() if snap.tool != "graph" else "Microsoft 365"
        if snap.fetched_at is None:
            reasons.append(Reason("unknown", "stale", f"{label}: no data yet"
                                  + (f" ({snap.error})." if snap.error else ".")))
        elif now - snap.fetched_at > timedelta(hours=s.stale_hours):
            hours = int((now - snap.fetched_at).total_seconds() // 3600)
            reasons.append(Reason("amber", "stale", f"{label} data is {hours} h old"
                                  + (f": {snap.error}" if snap.error else ".")))
    return reasons


def evaluate(snaps: list[SnapshotFacts], *, start: date | None, end: date | None,
             now: datetime, settings: StatusSettings) -> Health:
    """The worst level among the rules decides the colour; all reasons are kept."""
    if not snaps:
        return Health("unknown", [Reason("unknown", "no_resources",
                                         "No tool resources are linked to this project yet.")])
    reasons = _stale(snaps, now, settings)
    fresh = [s for s in snaps if s.fetched_at is not None]
    if not fresh:
        return Health("unknown", reasons)
    reasons += _burn(fresh, start, end, now.date(), settings) + _overdue(fresh, settings)
    open_work = _open_work(fresh)
    if end is not None and now.date() > end and open_work:
        reasons.append(Reason("red", "past_end",
                              f"The end date {end.isoformat()} has passed with {open_work} "
                              "open items."))
    levels = [LEVELS[r.level] for r in reasons if r.level in LEVELS]
    colour = max(levels, default=0)
    name = next(k for k, v in LEVELS.items() if v == colour)
    if name == "green" and not any(r.level == "green" for r in reasons):
        reasons.append(Reason("green", "all_clear", "No rule found a problem."))
    return Health(name, reasons)
