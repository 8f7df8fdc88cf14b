"""Health rules at their thresholds."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from projecthub.models import Tool
from projecthub.models.status_data import SUMMARY_TYPES
from projecthub.services.status.health import SnapshotFacts, elapsed_percent, evaluate
from projecthub.services.status.settings import StatusSettings

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
S = StatusSettings()  # amber > 10 points, red > 25; overdue amber >= 1, red >= 5; stale 24 h


def snap(tool, kind="project", *, age_hours=1.0, error="", **data):
    summary = SUMMARY_TYPES[(tool, kind)].model_validate(data)
    return SnapshotFacts(Tool(tool), summary, NOW - timedelta(hours=age_hours), error)


def health(*snaps, start=date(2026, 1, 1), end=date(2026, 12, 31)):
    return evaluate(list(snaps), start=start, end=end, now=NOW, settings=S)


def test_elapsed_percent_is_clamped():
    assert elapsed_percent(date(2026, 1, 1), date(2026, 1, 11), date(2026, 1, 6)) == 50.0
    assert elapsed_percent(date(2026, 1, 1), date(2026, 1, 11), date(2025, 1, 1)) == 0.0
    assert elapsed_percent(date(2026, 1, 1), date(2026, 1, 11), date(2027, 1, 1)) == 100.0
    assert elapsed_percent(None, date(2026, 1, 11), date(2026, 1, 6)) is None


@pytest.mark.parametrize(("points_ahead", "colour"), [(10, "green"), (10.5, "amber"),
                                                       (25, "amber"), (25.5, "red")])
def test_budget_burn_ahead_of_elapsed_time(points_ahead, colour):
    start, end = date(2026, 5, 22), date(2026, 6, 11)  # NOW is exactly half way
    result = health(snap("productive", burn_percent=50 + points_ahead), start=start, end=end)
    assert result.colour == colour
    assert any("elapsed" in r.text for r in result.reasons)


@pytest.mark.parametrize(("overdue", "colour"), [(0, "green"), (1, "amber"), (4, "amber"),
                                                 (5, "red")])
def test_overdue_jira_issues_and_planner_tasks(overdue, colour):
    assert health(snap("jira", to_do=1, in_progress=0, done=0, overdue=overdue)).colour == colour
    assert health(snap("graph", "plan", not_started=1, in_progress=0, done=0,
                       overdue=overdue)).colour == colour


def test_end_date_passed_with_open_work_is_red_and_explained():
    result = health(snap("jira", to_do=3, in_progress=1, done=9, overdue=0),
                    start=date(2026, 1, 1), end=date(2026, 5, 31))
    assert result.colour == "red"
    assert "The end date 2026-05-31 has passed with 4 open items." in [r.text for r in
                                                                        result.reasons]
    done = health(snap("jira", to_do=0, in_progress=0, done=9, overdue=0),
                  start=date(2026, 1, 1), end=date(2026, 5, 31))
    assert done.colour == "green"


@pytest.mark.parametrize(("age", "colour"), [(24, "green"), (25, "amber")])
def test_stale_data_turns_amber_after_the_limit(age, colour):
    result = health(snap("confluence", "space", age_hours=age, page_count=3,
                         error="confluence 503" if age > 24 else ""))
    assert result.colour == colour


def test_no_resources_or_no_data_is_unknown():
    assert health().colour == "unknown"
    never = SnapshotFacts(Tool.JIRA, None, None, "jira 401: Unauthorized")
    result = health(never)
    assert result.colour == "unknown" and "401" in result.reasons[0].text
