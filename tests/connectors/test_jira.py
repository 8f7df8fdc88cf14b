"""The Jira connector against the Jira sandbox over HTTP, each exchange checked against the spec."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from projecthub.connectors.clock import FakeClock
from projecthub.connectors.jira import SCRUM_TEMPLATE
from projecthub.sandbox.jira_state import SANDBOX_EMAIL
from tests.connectors.jira_setup import jira_state, make_connector, make_sandbox


@pytest.fixture
def app(clock: FakeClock):
    return make_sandbox(clock)


@pytest.fixture
async def jira(app, clock):
    connector, transport = make_connector(app, clock)
    async with connector:
        yield connector, transport


async def test_current_user_is_the_account_behind_the_token(jira):
    connector, transport = jira
    me = await connector.current_user()
    assert (me.email_address, me.display_name, me.active) == (SANDBOX_EMAIL, "Demo Admin", True)
    assert transport.validated == ["GET /rest/api/3/myself"]


async def test_find_users_by_email_returns_only_exact_matches(jira, app):
    connector, transport = jira
    jira_state(app).add_user("ana.lopez.two@projecthub.example", "Ana Two")
    found = await connector.find_users_by_email("ana.lopez@projecthub.example")
    assert [u.display_name for u in found] == ["Ana López"]
    assert await connector.find_users_by_email("nobody@projecthub.example") == []
    assert set(transport.validated) == {"GET /rest/api/3/user/search"}


async def test_project_key_checks_and_suggestions(jira):
    connector, transport = jira
    assert (await connector.check_project_key("NEWKEY")).ok
    taken = await connector.check_project_key("WEB")
    assert taken.problem == "A project with that project key already exists."
    assert not (await connector.check_project_key("lower")).ok
    assert await connector.suggest_project_key("web") == "WEB1"
    assert await connector.suggest_project_key("Data Lake") == "DATALAKE"
    assert await connector.suggest_project_name("Website Relaunch") == "Website Relaunch 1"
    assert await connector.suggest_project_name("Fresh") == "Fresh"
    assert set(transport.validated) == {
        "GET /rest/api/3/projectvalidate/key", "GET /rest/api/3/projectvalidate/validProjectKey",
        "GET /rest/api/3/projectvalidate/validProjectName"}


async def test_create_then_get_project_and_its_board(jira):
    connector, transport = jira
    me = await connector.current_user()
    created = await connector.create_project(
        key="ALPHA", name="Alpha", lead_account_id=me.account_id, template_key=SCRUM_TEMPLATE,
        description="Pilot")
    assert created.key == "ALPHA" and isinstance(created.id, int)
    assert created.self_url.endswith(f"/rest/api/3/project/{created.id}")
    project = await connector.get_project("ALPHA")
    assert (project.id, project.name, project.lead_account_id) == (
        str(created.id), "Alpha", me.account_id)
    assert [b.name async for b in connector.iter_boards("ALPHA")] == ["ALPHA board"]
    assert "POST /rest/api/3/project" in transport.validated


async def test_find_project_adopts_existing_and_reports_missing(jira):
    connector, _ = jira
    assert (await connector.find_project("WEB")).name == "Website Relaunch"
    assert await connector.find_project("NOPE") is None


async def test_add_role_actors_is_idempotent(jira):
    connector, transport = jira
    roles = await connector.project_roles("WEB")
    assert roles == {"Administrators": 10002, "Member": 10003, "Viewer": 10004}
    ben = (await connector.find_users_by_email("ben.okafor@projecthub.example"))[0]
    first = await connector.add_role_actors("WEB", roles["Member"], [ben.account_id])
    again = await connector.add_role_actors("WEB", roles["Member"], [ben.account_id])
    assert ben.account_id in first.actor_account_ids
    assert again == first
    posts = [v for v in transport.validated if v.startswith("POST")]
    assert posts == ["POST /rest/api/3/project/{projectIdOrKey}/role/{id}"]


async def test_remove_role_actor_is_idempotent_and_rename_sets_the_name(jira):
    connector, transport = jira
    roles = await connector.project_roles("WEB")
    ben = (await connector.find_users_by_email("ben.okafor@projecthub.example"))[0]
    await connector.add_role_actors("WEB", roles["Member"], [ben.account_id])
    await connector.remove_role_actor("WEB", roles["Member"], ben.account_id)
    await connector.remove_role_actor("WEB", roles["Member"], ben.account_id)
    held = await connector.role_actors("WEB", roles["Member"])
    assert ben.account_id not in held.actor_account_ids
    assert (await connector.find_user_by_account_id(ben.account_id)).email_address == (
        "ben.okafor@projecthub.example")
    renamed = await connector.rename_project("WEB", "Website Relaunch 2027")
    assert renamed.name == (await connector.get_project("WEB")).name == "Website Relaunch 2027"
    writes = [v for v in transport.validated if v.split()[0] in ("PUT", "DELETE")]
    assert writes == ["DELETE /rest/api/3/project/{projectIdOrKey}/role/{id}",
                      "PUT /rest/api/3/project/{projectIdOrKey}"]


async def test_issue_counts_by_status_category_use_approximate_count(jira):
    connector, transport = jira
    counts = await connector.issue_counts("WEB")
    assert (counts.to_do, counts.in_progress, counts.done, counts.total) == (3, 2, 2, 7)
    assert set(transport.validated) == {"POST /rest/api/3/search/approximate-count"}
    assert not any(v.endswith("/rest/api/3/search") for v in transport.validated)


async def test_issues_page_through_next_page_tokens(jira, app):
    connector, transport = jira
    state = jira_state(app)
    ops = state.projects["OPS"]
    for n in range(20):
        state.add_issue(ops, f"Chore {n}", "To Do", created=datetime(2026, 2, 1, n, tzinfo=UTC))
    issues = [i async for i in connector.iter_project_issues("OPS", page_size=7)]
    assert len(issues) == 23 and len({i.key for i in issues}) == 23
    assert [i.key for i in issues[:3]] == ["OPS-1", "OPS-2", "OPS-3"]
    assert issues[0].status_category == "done" and issues[0].summary == "Runbook 1"
    assert transport.validated.count("POST /rest/api/3/search/jql") == 4


async def test_sprints_of_a_board_page_through_start_at(jira, app):
    connector, transport = jira
    state = jira_state(app)
    board = next(b for b in state.boards.values() if b.project_key == "WEB")
    for n in range(4, 9):
        state.add_sprint(board, f"WEB Sprint {n}", "future")
    sprints = [s async for s in connector.iter_sprints(board.id, page_size=3)]
    assert [s.state for s in sprints[:3]] == ["closed", "active", "future"]
    assert len(sprints) == 8
    active = [s async for s in connector.iter_sprints(board.id, states=("active",))]
    assert [s.name for s in active] == ["WEB Sprint 2"]
    assert transport.validated.count("GET /rest/agile/1.0/board/{boardId}/sprint") == 4


async def test_boards_page_through_start_at(jira, app):
    connector, _ = jira
    state = jira_state(app)
    for n in range(4):
        state.add_board(state.projects["OPS"], f"OPS extra {n}", "kanban")
    boards = [b async for b in connector.iter_boards("OPS", page_size=2)]
    assert [b.name for b in boards] == ["OPS board"] + [f"OPS extra {n}" for n in range(4)]
    assert all(b.project_key == "OPS" for b in boards)
