"""The vendor calls a project edit makes, connector against sandbox, every exchange checked
against the vendor's spec (Confluence v1/v2, Graph v1.0) or resource schema (Productive):
renames, space permissions, team roles and removals, Productive manager and membership. Each
write reads first, so repeating it changes nothing; the vendors' refusals come back typed."""

from __future__ import annotations

import httpx
import pytest

from projecthub.connectors.errors import Invalid
from projecthub.connectors.productive_models import ProjectType
from tests.connectors import confluence_setup, graph_setup, productive_setup
from tests.connectors.confluence_setup import CONFLUENCE_SPECS
from tests.connectors.validating import ValidatingTransport

GRANTS = (("read", "space"), ("create", "page"))


async def test_confluence_rename_and_permissions_are_idempotent(clock):
    app = confluence_setup.make_sandbox(clock)
    site = confluence_setup.confluence_site(app)
    author = site.accounts[0]
    site.add_space("EDIT", "Edit me", author)
    ana = site.add_account("ana@example.com", "Ana Example")
    connector, transport = confluence_setup.make_connector(app, clock)
    async with connector:
        assert (await connector.rename_space("EDIT", "Edited")).name == "Edited"
        assert (await connector.rename_space("EDIT", "Edited")).name == "Edited"
        assert await connector.grant_space_permissions("EDIT", ana.account_id, GRANTS) == 2
        assert await connector.grant_space_permissions("EDIT", ana.account_id, GRANTS) == 0
        with pytest.raises(Invalid):
            await connector.grant_space_permissions("EDIT", "712020:nobody", GRANTS)
        assert await connector.revoke_space_permissions("EDIT", ana.account_id) == 2
        assert await connector.revoke_space_permissions("EDIT", ana.account_id) == 0
    assert transport.validated.count("PUT /wiki/rest/api/space/{spaceKey}") == 1
    # two grants, then the refused one for an unknown account; the repeat sent nothing
    assert transport.validated.count("POST /wiki/rest/api/space/{spaceKey}/permission") == 3
    assert "DELETE /wiki/rest/api/space/{spaceKey}/permission/{id}" in transport.validated
    assert "GET /spaces/{id}/permissions" in transport.validated


async def test_confluence_refuses_a_repeated_grant_as_v1_does(clock):
    app = confluence_setup.make_sandbox(clock)
    site = confluence_setup.confluence_site(app)
    site.add_space("EDIT", "Edit me", site.accounts[0])
    ana = site.add_account("ana@example.com", "Ana Example")
    transport = ValidatingTransport(httpx.ASGITransport(app=app), CONFLUENCE_SPECS)
    body = {"subject": {"type": "user", "identifier": ana.account_id},
            "operation": {"key": "read", "target": "space"}}
    async with httpx.AsyncClient(transport=transport, base_url=confluence_setup.SITE,
                                 auth=(site.accounts[0].email, confluence_setup.TOKEN)) as http:
        first = await http.post("/wiki/rest/api/space/EDIT/permission", json=body)
        again = await http.post("/wiki/rest/api/space/EDIT/permission", json=body)
        wrong = await http.post("/wiki/rest/api/space/EDIT/permission", json={
            **body, "operation": {"key": "administer", "target": "page"}})
    assert first.status_code == 200 and first.json()["operation"] == body["operation"]
    assert again.status_code == 400 and "already exists" in again.text
    assert wrong.status_code == 400


async def test_team_rename_roles_and_removal_keep_an_owner(clock):
    app = graph_setup.make_sandbox(clock)
    state = graph_setup.graph_state(app)
    team = next(iter(state.teams.values()))
    ana = next(u for u in state.users.values() if u.mail.startswith("ana.lopez"))
    [owner] = [m for m in team.members if "owner" in m.roles]
    connector, transport = graph_setup.make_connector(app, clock)
    async with connector:
        await connector.rename_team(team.id, "Renamed team")
        await connector.rename_team(team.id, "Renamed team")
        assert (await connector.get_team(team.id)).display_name == "Renamed team"
        assert (await connector.set_team_role(team.id, ana.id, owner=False)).roles == ()
        assert (await connector.set_team_role(team.id, ana.id, owner=True)).roles == ("owner",)
        assert (await connector.set_team_role(team.id, ana.id, owner=True)).roles == ("owner",)
        assert await connector.remove_team_member(team.id, owner.user_id)
        with pytest.raises(Invalid):  # Ana is the last owner now
            await connector.set_team_role(team.id, ana.id, owner=False)
        assert await connector.remove_team_member(team.id, "no-such-user") is False
    assert transport.validated.count("PATCH /teams/{team-id}") == 1
    assert "PATCH /teams/{team-id}/members/{conversationMember-id}" in transport.validated
    assert "DELETE /teams/{team-id}/members/{conversationMember-id}" in transport.validated


async def test_productive_project_manager_name_and_membership(clock):
    app = productive_setup.make_sandbox(clock)
    state = productive_setup.productive_state(app)
    lea = state.add_person("Lea", "Example", "lea@example.com")
    connector, transport = productive_setup.make_connector(app, clock)
    async with connector:
        project = await connector.create_project(
            name="Alpha", project_type=ProjectType.CLIENT,
            company_id=state.add_company("Acme").id, workflow_id=state.default_workflow.id,
            project_manager_id=state.owner.id)
        changed = await connector.update_project(project.id, name="Alpha 2",
                                                 project_manager_id=lea.id)
        assert changed.name == "Alpha 2"
        assert state.get("projects", project.id).project_manager_id == lea.id
        await connector.update_project(project.id, name="Alpha 2")  # nothing differs
        with pytest.raises(Invalid):
            await connector.update_project(project.id, name=" ")
        await connector.add_project_member(project.id, lea.id)
        assert await connector.remove_project_member(project.id, lea.id)
        assert await connector.remove_project_member(project.id, lea.id) is False
    assert transport is not None
    assert transport.validated.count("PATCH /projects/{id}") == 2
    assert "DELETE /memberships/{id}" in transport.validated
