"""The paged lists an import reads, through the real connectors, every exchange checked against
the vendor's spec: Jira's project search, Confluence's spaces, Teams and their members, and a
Productive person."""

from __future__ import annotations

from projecthub.connectors.clock import FakeClock
from projecthub.sandbox.graph_state import SANDBOX_EMAIL as GRAPH_ADMIN
from projecthub.sandbox.jira_state import SANDBOX_EMAIL
from tests.connectors import confluence_setup, graph_setup, jira_setup, productive_setup


async def test_jira_pages_through_the_project_search_with_each_lead():
    clock = FakeClock()
    app = jira_setup.make_sandbox(clock, seed_demo=False)
    site = jira_setup.jira_state(app)
    admin = site.add_user(SANDBOX_EMAIL, "Admin", site_admin=True)
    lead = site.add_user("lead@example.com", "Lead")
    for i in range(120):
        site.add_project(f"K{i:03d}", f"Project {i:03d}", lead if i % 2 else admin)
    connector, transport = jira_setup.make_connector(app, clock)
    async with connector:
        projects = [p async for p in connector.iter_projects(page_size=50)]
        found = [p async for p in connector.iter_projects(query="project 07")]
    assert [p.key for p in projects] == [f"K{i:03d}" for i in range(120)]
    assert projects[1].lead_email == "lead@example.com"
    assert [p.key for p in found] == [f"K07{i}" for i in range(10)]
    assert transport.validated.count("GET /rest/api/3/project/search") == 3 + 1


async def test_confluence_lists_spaces_by_cursor():
    clock = FakeClock()
    app = confluence_setup.make_sandbox(clock, seed_demo=False)
    site = confluence_setup.confluence_site(app)
    author = site.add_account(SANDBOX_EMAIL, "Admin")
    for i in range(30):
        site.add_space(f"S{i:02d}", f"Space {i:02d}", author)
    connector, transport = confluence_setup.make_connector(app, clock)
    async with connector:
        spaces = [s async for s in connector.iter_spaces(page_size=25)]
    assert [s.key for s in spaces] == [f"S{i:02d}" for i in range(30)]
    assert transport.validated == ["GET /spaces"] * 2


async def test_graph_lists_teams_and_their_members():
    clock = FakeClock()
    app = graph_setup.make_sandbox(clock)
    state = graph_setup.graph_state(app)
    owner = state.user(GRAPH_ADMIN)
    assert owner is not None
    team = state.add_team(state.add_group("Imported", "imported"), owner)
    state.add_member(team, state.add_user("pat@example.com", "Pat"))
    connector, transport = graph_setup.make_connector(app, clock)
    async with connector:
        teams = [t async for t in connector.iter_teams()]
        members = [m async for m in connector.iter_team_members(team.id)]
    assert "Imported" in [t.display_name for t in teams]
    assert {m.email for m in members} == {GRAPH_ADMIN, "pat@example.com"}
    assert {"GET /teams", "GET /teams/{team-id}/members"} <= set(transport.validated)


async def test_productive_reads_a_person():
    clock = FakeClock()
    app = productive_setup.make_sandbox(clock)
    person = productive_setup.productive_state(app).add_person("Pat", "Lee", "pat@example.com")
    connector, _transport = productive_setup.make_connector(app, clock)
    async with connector:
        assert (await connector.get_person(person.id)).email == "pat@example.com"
