"""Archive and restore in each tool, against its sandbox, every exchange checked against the
vendor's spec (Productive: its resource schema's custom actions). Each call re-reads first, so a
repeated archive or restore changes nothing and sends no second write."""

from __future__ import annotations

from projecthub.connectors.clock import FakeClock
from projecthub.sandbox.graph_state import SANDBOX_EMAIL as GRAPH_EMAIL
from tests.connectors import confluence_setup, graph_setup, jira_setup, productive_setup


async def test_jira_archive_then_restore_is_idempotent(clock: FakeClock):
    app = jira_setup.make_sandbox(clock)
    connector, transport = jira_setup.make_connector(app, clock)
    async with connector:
        assert (await connector.archive_project("WEB")).archived
        assert jira_setup.jira_state(app).projects["WEB"].archived
        assert (await connector.archive_project("WEB")).archived
        restored = await connector.restore_project("WEB")
        assert not restored.archived and restored.key == "WEB"
        assert not (await connector.restore_project("WEB")).archived
    assert transport.validated.count("POST /rest/api/3/project/{projectIdOrKey}/archive") == 1
    assert transport.validated.count("POST /rest/api/3/project/{projectIdOrKey}/restore") == 1
    assert not jira_setup.jira_state(app).projects["WEB"].archived


async def test_confluence_archive_then_restore_changes_the_space_status(clock: FakeClock):
    app = confluence_setup.make_sandbox(clock)
    connector, transport = confluence_setup.make_connector(app, clock)
    site = confluence_setup.confluence_site(app)
    async with connector:
        assert (await connector.archive_space("WEB")).status == "archived"
        assert site.space_by_key("WEB").status == "archived"  # type: ignore[union-attr]
        assert (await connector.get_space("WEB")).status == "archived"
        await connector.archive_space("WEB")
        assert (await connector.restore_space("WEB")).status == "current"
        await connector.restore_space("WEB")
    assert site.space_by_key("WEB").status == "current"  # type: ignore[union-attr]
    assert transport.validated.count("PUT /wiki/rest/api/space/{spaceKey}") == 2


async def test_graph_archive_then_unarchive_waits_for_the_operation(clock: FakeClock):
    app = graph_setup.make_sandbox(clock)
    connector, transport = graph_setup.make_connector(app, clock, poll_timeout=60.0)
    state = graph_setup.graph_state(app)
    team_id = next(iter(state.teams))
    async with connector:
        assert await connector.get_user(GRAPH_EMAIL)
        assert (await connector.archive_team(team_id)).is_archived
        assert state.teams[team_id].archived
        assert (await connector.get_team(team_id)).is_archived
        await connector.archive_team(team_id)
        assert not (await connector.unarchive_team(team_id)).is_archived
    assert not state.teams[team_id].archived
    operations = [o.operation_type for o in state.operations.values()]
    assert operations == ["archiveTeam", "unarchiveTeam"]
    assert transport.validated.count("POST /teams/{team-id}/microsoft.graph.archive") == 1
    assert transport.validated.count("POST /teams/{team-id}/microsoft.graph.unarchive") == 1
    assert transport.validated.count("GET /teams/{team-id}/operations/{teamsAsyncOperation-id}") \
        >= 2


async def test_productive_archive_then_restore_uses_the_custom_actions(clock: FakeClock):
    app = productive_setup.make_sandbox(clock)
    state = productive_setup.productive_state(app)
    project = state.add_project("Lifecycle test")
    connector, transport = productive_setup.make_connector(app, clock)
    async with connector:
        assert (await connector.archive_project(project.id)).archived
        assert state.get("projects", project.id).archived_at is not None
        await connector.archive_project(project.id)
        assert not (await connector.restore_project(project.id)).archived
        await connector.restore_project(project.id)
    assert state.get("projects", project.id).archived_at is None
    assert transport is not None
    assert transport.validated.count("PATCH /projects/{id}/archive") == 1
    assert transport.validated.count("PATCH /projects/{id}/restore") == 1


async def test_jira_delete_moves_the_project_to_the_trash_once(clock: FakeClock):
    app = jira_setup.make_sandbox(clock)
    connector, transport = jira_setup.make_connector(app, clock)
    async with connector:
        assert await connector.delete_project("WEB") is True
        assert await connector.delete_project("WEB") is False  # already gone: a retry succeeds
    assert "WEB" not in jira_setup.jira_state(app).projects
    assert transport.validated.count("DELETE /rest/api/3/project/{projectIdOrKey}") == 2


async def test_confluence_delete_answers_a_long_task_and_removes_the_space(clock: FakeClock):
    app = confluence_setup.make_sandbox(clock)
    connector, transport = confluence_setup.make_connector(app, clock)
    site = confluence_setup.confluence_site(app)
    async with connector:
        assert await connector.delete_space("WEB") is True
        assert await connector.delete_space("WEB") is False
    assert site.space_by_key("WEB") is None
    assert transport.validated.count("DELETE /wiki/rest/api/space/{spaceKey}") == 2


async def test_graph_delete_group_takes_the_team_and_its_plans(clock: FakeClock):
    app = graph_setup.make_sandbox(clock)
    state = graph_setup.graph_state(app)
    state.roles.add("Group.ReadWrite.All")
    connector, transport = graph_setup.make_connector(app, clock)
    team_id = next(iter(state.teams))
    async with connector:
        assert await connector.delete_group(team_id) is True
        assert await connector.delete_group(team_id) is False
    assert team_id not in state.teams and team_id not in state.groups
    assert all(p.group_id != team_id for p in state.plans.values())
    assert transport.validated.count("DELETE /groups/{group-id}") == 2
