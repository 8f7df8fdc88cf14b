"""The Jira figures of the project status view (overdue issues, the active sprint's progress),
read by the connector from the sandbox with every exchange checked against the specs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from projecthub.connectors.clock import FakeClock
from projecthub.connectors.jira_models import SprintProgress
from projecthub.sandbox.jira_state import JiraState
from tests.connectors.jira_setup import jira_state, make_connector, make_sandbox

SCRUM = "com.pyxis.greenhopper.jira:gh-simplified-scrum-classic"
COUNT = "POST /rest/api/3/search/approximate-count"
BOARDS = "GET /rest/agile/1.0/board"
SPRINTS = "GET /rest/agile/1.0/board/{boardId}/sprint"
TODAY = date(2026, 1, 26)


@pytest.fixture
def clock() -> FakeClock:
    """Mid-morning in Berlin (the sandbox accounts' time zone), in the seeded WEB Sprint 2."""
    return FakeClock(start=datetime(2026, 1, 26, 10, 0, tzinfo=UTC))


@pytest.fixture
def app(clock: FakeClock):
    return make_sandbox(clock)


@pytest.fixture
def state(app, clock: FakeClock) -> JiraState:
    site = jira_state(app)
    site.now = clock.now
    return site


@pytest.fixture
async def jira(app, clock, state):
    connector, transport = make_connector(app, clock)
    async with connector:
        yield connector, transport


def add_due_project(state: JiraState) -> None:
    """DUE-1..6: due yesterday, today, tomorrow, yesterday but done, last week, never."""
    project = state.add_project("DUE", "Due dates", state.users[0])
    plan = [("To Do", -1), ("To Do", 0), ("In Progress", 1), ("Done", -1), ("In Review", -7),
            ("To Do", None)]
    for n, (status, offset) in enumerate(plan, start=1):
        state.add_issue(project, f"Task {n}", status)
        if offset is not None:
            state.set_due_date(f"DUE-{n}", TODAY + timedelta(days=offset))


async def test_overdue_counts_open_issues_due_before_today_only(jira, state):
    connector, transport = jira
    add_due_project(state)
    assert await connector.overdue_issue_count("DUE") == 2
    assert transport.validated == [COUNT]


async def test_an_issue_due_today_is_overdue_from_midnight_in_the_accounts_zone(jira, state,
                                                                                clock):
    connector, _ = jira
    add_due_project(state)
    clock.advance(timedelta(hours=12, minutes=59).total_seconds())  # 23:59 in Berlin
    assert await connector.overdue_issue_count("DUE") == 2
    clock.advance(timedelta(minutes=1).total_seconds())
    assert await connector.overdue_issue_count("DUE") == 3


async def test_seeded_web_project_has_two_overdue_open_issues_mid_sprint(jira):
    connector, _ = jira
    assert await connector.overdue_issue_count("WEB") == 2
    assert await connector.overdue_issue_count("OPS") == 0


async def test_issues_carry_their_due_dates(jira):
    connector, transport = jira
    issues = {i.summary: i.due_date async for i in connector.iter_project_issues("WEB")}
    assert issues["Review copy"] == date(2026, 1, 23)
    assert issues["Accessibility audit"] is None
    assert set(transport.validated) == {"POST /rest/api/3/search/jql"}


async def test_active_sprint_reports_dates_goal_and_progress(jira, state):
    connector, transport = jira
    web = state.projects["WEB"]
    active = next(s for s in state.sprints.values() if s.state == "active")
    state.add_issue(web, "Hero image", "Done", sprint=active)
    sprint = await connector.active_sprint("WEB")
    assert sprint == SprintProgress(
        id=active.id, board_id=active.board_id, name="WEB Sprint 2",
        start=datetime(2026, 1, 19, 9, 0, tzinfo=UTC), end=datetime(2026, 2, 2, 9, 0, tzinfo=UTC),
        goal="Landing page", to_do=1, in_progress=2, done=1)
    assert (sprint.total, sprint.percent_done) == (4, 25.0)
    assert set(transport.validated) == {BOARDS, SPRINTS, COUNT}
    assert transport.validated.count(COUNT) == 3


async def test_active_sprint_without_issues_has_no_percentage(jira, state):
    connector, _ = jira
    project = state.add_project("FRESH", "Fresh sprint", state.users[0], template_key=SCRUM)
    board = next(b for b in state.boards.values() if b.project_key == project.key)
    state.add_sprint(board, "FRESH Sprint 1", "active", start=datetime(2026, 1, 19, tzinfo=UTC))
    sprint = await connector.active_sprint("FRESH")
    assert sprint is not None and sprint.goal is None
    assert (sprint.total, sprint.percent_done) == (0, None)


async def test_kanban_board_has_no_active_sprint(jira):
    connector, transport = jira
    assert await connector.active_sprint("OPS") is None
    assert transport.validated == [BOARDS, SPRINTS]


async def test_no_active_sprint_or_no_board_is_none(jira, state):
    connector, _ = jira
    project = state.add_project("LATER", "Not started", state.users[0], template_key=SCRUM)
    board = next(b for b in state.boards.values() if b.project_key == project.key)
    state.add_sprint(board, "LATER Sprint 1", "future")
    closed = state.add_sprint(board, "LATER Sprint 0", "closed",
                              start=datetime(2026, 1, 5, tzinfo=UTC))
    state.add_issue(project, "Old work", "Done", sprint=closed)
    assert await connector.active_sprint("LATER") is None
    state.add_project("PLAIN", "No board", state.users[0], type_key="business")
    assert await connector.active_sprint("PLAIN") is None
