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


class _BumpsPlanOnFirstPatch(httpx.AsyncBaseTransport):
    """Someone else changes the plan between our read and our write, once."""

    def __init__(self, inner: httpx.AsyncBaseTransport, plan) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.plan, self.bumped = inner, plan, False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH" and "/planner/plans/" in request.url.path \
                and not self.bumped:
            self.bumped, self.plan.version = True, self.plan.version + 1
        return await self.inner.handle_async_request(request)


async def test_planner_plan_rename_sends_the_etag_and_reads_again_after_a_412(clock):
    app = graph_setup.make_sandbox(clock)
    state = graph_setup.graph_state(app)
    plan = next(iter(state.plans.values()))
    connector, transport = graph_setup.make_connector(app, clock)
    async with connector:
        before = await connector.get_plan(plan.id)
        renamed = await connector.rename_plan(plan.id, "Portal plan")
        assert renamed.title == "Portal plan" and renamed.etag != before.etag
        assert (await connector.rename_plan(plan.id, "Portal plan")).title == "Portal plan"
    assert transport.validated.count("PATCH /planner/plans/{plannerPlan-id}") == 1

    connector, transport = graph_setup.make_connector(app, clock)
    transport.inner = _BumpsPlanOnFirstPatch(transport.inner, plan)
    async with connector:
        assert (await connector.rename_plan(plan.id, "Portal plan 2")).title == "Portal plan 2"
    assert state.plans[plan.id].title == "Portal plan 2"
    assert transport.validated.count("PATCH /planner/plans/{plannerPlan-id}") == 2  # 412, 200


async def test_planner_refuses_a_change_without_or_with_a_stale_etag(clock):
    app = graph_setup.make_sandbox(clock)
    plan = next(iter(graph_setup.graph_state(app).plans.values()))
    connector, transport = graph_setup.make_connector(app, clock)
    async with connector:
        etag = (await connector.get_plan(plan.id)).etag
        token = await connector._tokens.token()  # for the raw calls below
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{graph_setup.GRAPH_URL}/planner/plans/{plan.id}"
    async with httpx.AsyncClient(transport=transport) as http:
        missing = await http.patch(url, json={"title": "X"}, headers=headers)
        done = await http.patch(url, json={"title": "X"}, headers={**headers, "If-Match": etag})
        stale = await http.patch(url, json={"title": "Y"}, headers={**headers, "If-Match": etag})
        read_only = await http.patch(url, json={"owner": "someone"}, headers={
            **headers, "If-Match": (await http.get(url, headers=headers)).json()["@odata.etag"]})
    assert missing.status_code == 400 and "If-Match" in missing.text
    assert done.status_code == 204 and plan.title == "X"
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "PreconditionFailed"
    assert read_only.status_code == 400


async def test_productive_budget_rename(clock):
    app = productive_setup.make_sandbox(clock)
    state = productive_setup.productive_state(app)
    project = state.add_project("Alpha")
    budget = state.add_deal("Alpha budget", company_id=project.company_id,
                            project_id=project.id)
    connector, transport = productive_setup.make_connector(app, clock)
    async with connector:
        assert (await connector.rename_budget(budget.id, "Beta budget")).name == "Beta budget"
        assert (await connector.rename_budget(budget.id, "Beta budget")).name == "Beta budget"
        with pytest.raises(Invalid):
            await connector.rename_budget(budget.id, " ")
    assert state.get("deals", budget.id).name == "Beta budget"
    assert transport is not None
    assert transport.validated.count("PATCH /deals/{id}") == 2
