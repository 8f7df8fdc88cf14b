"""The status sync's change query: which projects have figures that may have moved since a
cycle, asked of the Jira sandbox with every exchange checked against the specs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from projecthub.connectors.clock import FakeClock
from projecthub.sandbox.jira_state import JiraState
from tests.connectors.jira_setup import jira_state, make_connector, make_sandbox
from tests.connectors.test_jira_status import add_due_project

SEARCH = "POST /rest/api/3/search/jql"


@pytest.fixture
def clock() -> FakeClock:
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
async def jira(app, clock, state):  # the state fixture sets the site clock first
    connector, transport = make_connector(app, clock)
    async with connector:
        yield connector, transport


async def test_nothing_changed_is_one_search_and_no_project(jira):
    connector, transport = jira
    assert await connector.changed_project_keys(["WEB", "OPS"], minutes=15) == set()
    assert transport.validated == [SEARCH]


async def test_updated_and_created_issues_name_their_projects_within_the_window(jira, state,
                                                                                clock):
    connector, _ = jira
    state.set_status("WEB-3", "Done")
    clock.advance(10 * 60)
    state.add_issue(state.projects["OPS"], "New runbook", created=clock.now())
    assert await connector.changed_project_keys(["WEB", "OPS"], minutes=15) == {"WEB", "OPS"}
    assert await connector.changed_project_keys(["OPS"], minutes=15) == {"OPS"}
    assert await connector.changed_project_keys(["WEB", "OPS"], minutes=5) == {"OPS"}


async def test_a_due_date_passing_is_a_change_in_the_first_window_after_midnight(jira, state,
                                                                                  clock):
    """DUE-2 is open and due today: nobody touches it, yet at midnight in the account's zone
    (Berlin) the project's overdue count goes up, so the project must be read again once."""
    connector, _ = jira
    add_due_project(state)
    clock.advance(timedelta(hours=12, minutes=50).total_seconds())  # 23:50 in Berlin
    assert await connector.changed_project_keys(["DUE"], minutes=15) == set()
    clock.advance(15 * 60)  # 00:05: the window since 23:50 holds midnight
    assert await connector.changed_project_keys(["DUE"], minutes=15) == {"DUE"}
    clock.advance(15 * 60)  # 00:20: the next window is all after midnight
    assert await connector.changed_project_keys(["DUE"], minutes=15) == set()


async def test_changes_are_read_page_by_page(jira, state, clock):
    connector, transport = jira
    keys = []
    for n in range(30):
        project = state.add_project(f"BULK{n}", f"Bulk {n}", state.users[0])
        for _ in range(5):
            state.add_issue(project, "Imported", created=clock.now())
        keys.append(project.key)
    assert await connector.changed_project_keys(keys, minutes=1) == set(keys)
    assert transport.validated == [SEARCH, SEARCH]


async def test_a_deleted_project_does_not_hide_the_others_changes(jira, state):
    connector, _ = jira
    state.set_status("WEB-3", "Done")
    assert await connector.changed_project_keys(["WEB", "GONE"], minutes=15) == {"WEB"}


async def test_no_projects_ask_nothing(jira):
    connector, transport = jira
    assert await connector.changed_project_keys([], minutes=15) == set()
    assert transport.validated == []


async def test_keys_are_checked_before_they_reach_the_query(jira):
    connector, _ = jira
    with pytest.raises(ValueError, match="not a Jira project key"):
        await connector.changed_project_keys(['WEB") OR project is not EMPTY'], minutes=15)
