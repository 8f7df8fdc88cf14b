"""Adding a tool a project does not have yet: the template's steps for that tool alone, previewed,
run through the ledger (the space and its pages created in the sandbox, every exchange checked
against the spec), and the tool joins the project's answers when the run has succeeded."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from projecthub.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from projecthub.models import Project, ProjectResource, Role, RunKind, RunStatus
from projecthub.services.provisioning import add_tool, service
from projecthub.services.provisioning.runner import drive_run
from tests.factories import add_member, make_org, make_user, principal
from tests.services.provisioning.edit_world import EditWorld
from tests.services.provisioning.world import TENANT, answers


@pytest.fixture
async def w(db) -> EditWorld:
    """A project with Jira only (the built-in template, Confluence skipped)."""
    world = EditWorld(db)
    project, run = service.start_project(
        db, world.world.owner_principal, template_version_id=world.world.template_version_id,
        answers=answers(world.world, starter_pages=["Project charter"]))
    db.commit()
    assert await drive_run(run.id, world.world.config()) == RunStatus.SUCCEEDED
    world.project_id = project.id
    return world


async def test_confluence_joins_a_jira_only_project_through_its_own_run(w, db):
    owner = w.world.owner_principal
    confluence = uuid.UUID(w.world.connection_ids["confluence"])
    preview = add_tool.preview_add_tool(db, owner, w.project_id, tool="confluence",
                                        connection_id=confluence)
    titles = [c.description for c in preview.changes]
    assert titles[0] == "Create Confluence space WEBX"
    assert "Create page “Project charter”" in titles
    assert {c.tool for c in preview.changes} == {"confluence"}
    assert w.space() is None  # only previewed

    run = add_tool.start_add_tool(db, owner, w.project_id, tool="confluence",
                                  connection_id=confluence)
    db.commit()
    assert run.kind == RunKind.EDIT
    assert await w.drive(run.id) == RunStatus.SUCCEEDED
    assert w.space().name == "Website relaunch"
    assert "POST /spaces" in w.specs.validated or \
        "POST /wiki/rest/api/space" in w.specs.validated
    db.expire_all()
    project = db.get(Project, w.project_id)
    assert project.answers["confluence_mode"] == "create"
    assert project.answers["jira_mode"] == "create"  # what it had stays
    tools = {r.tool for r in db.exec(select(ProjectResource).where(
        ProjectResource.project_id == w.project_id)).all()}
    assert tools == {"jira", "confluence"}
    assert len(w.world.sandbox.vendors["jira"].tenant(TENANT).projects) == 1

    with pytest.raises(Conflict):  # it has Confluence now
        add_tool.preview_add_tool(db, owner, w.project_id, tool="confluence",
                                  connection_id=confluence)


async def test_wrong_connection_unknown_tool_and_people_who_may_not_are_refused(w, db):
    owner = w.world.owner_principal
    jira = uuid.UUID(w.world.connection_ids["jira"])
    confluence = uuid.UUID(w.world.connection_ids["confluence"])
    with pytest.raises(Invalid):
        add_tool.preview_add_tool(db, owner, w.project_id, tool="confluence", connection_id=jira)
    with pytest.raises(Invalid):
        add_tool.preview_add_tool(db, owner, w.project_id, tool="gitlab",
                                  connection_id=confluence)
    with pytest.raises(NotFound):
        add_tool.preview_add_tool(db, owner, w.project_id, tool="confluence",
                                  connection_id=uuid.uuid4())
    viewer = make_user(db)
    add_member(db, w.world.org, viewer, role=Role.VIEWER)
    admin_elsewhere = make_user(db)
    other = make_org(db, admin_elsewhere)
    db.commit()
    with pytest.raises((PermissionDenied, NotFound)):
        add_tool.start_add_tool(db, principal(db, viewer, w.world.org), w.project_id,
                                tool="confluence", connection_id=confluence)
    with pytest.raises(NotFound):
        add_tool.start_add_tool(db, principal(db, admin_elsewhere, other), w.project_id,
                                tool="confluence", connection_id=confluence)
    assert w.space() is None


async def test_the_tools_it_lacks_are_offered_and_checked_like_at_creation(w, db):
    owner = w.world.owner_principal
    offered = add_tool.addable_tools(db, owner, w.project_id)
    assert {o.tool for o in offered} == {"confluence", "graph", "productive"}
    assert all(o.tool != "jira" for o in offered)  # it has Jira
    confluence = next(o for o in offered if o.tool == "confluence")
    assert confluence.label == "Confluence"

    checked = await add_tool.preflight_add_tool(
        db, owner, w.config().tools_factory(owner), w.project_id, tool="confluence",
        connection_id=confluence.connection_id)
    assert checked.ok
    verdicts = {c.tool: c.decision for c in checked.checks}
    assert verdicts == {"jira": "skip", "confluence": "create", "graph": "skip",
                        "productive": "skip"}
    assert {s.tool for s in checked.steps} == {"confluence"}
    assert w.space() is None  # a check changes nothing

    viewer = make_user(db)
    add_member(db, w.world.org, viewer, role=Role.VIEWER)
    db.commit()
    with pytest.raises((PermissionDenied, NotFound)):
        add_tool.addable_tools(db, principal(db, viewer, w.world.org), w.project_id)


def test_the_tool_s_own_questions_start_from_the_project_s_answers(w, db):
    owner = w.world.owner_principal
    asked = add_tool.tool_questions(db, owner, w.project_id, "productive")
    ids = [f.id for f in asked.step.fields]
    assert ids[:3] == ["company_mode", "client_company", "workflow"]
    assert {"budget_type", "budget_amount", "billable_hours", "currency"} <= set(ids)
    assert "productive_mode" not in ids and "productive_connection" not in ids
    assert asked.answers["client_company"] == "Acme Retail GmbH"  # what the project has
    assert asked.answers["productive_mode"] == "create"
    assert [f.id for f in add_tool.tool_questions(db, owner, w.project_id,
                                                   "confluence").step.fields] == [
        "space_name", "space_key", "starter_pages"]


async def test_productive_without_its_budget_answers_is_refused_with_the_field_s_message(w, db):
    owner = w.world.owner_principal
    productive = uuid.UUID(w.world.connection_ids["productive"])
    with pytest.raises(Invalid) as missing:
        add_tool.start_add_tool(db, owner, w.project_id, tool="productive",
                                connection_id=productive)
    assert missing.value.fields == {
        "budget_amount": "A time & materials budget needs an amount."}
    with pytest.raises(Invalid) as wrong:
        add_tool.preview_add_tool(db, owner, w.project_id, tool="productive",
                                  connection_id=productive,
                                  answers={"budget_amount": -5, "billable_hours": 10})
    assert wrong.value.fields == {"budget_amount": "Enter at least 0."}  # the wizard's rule
    with pytest.raises(Invalid) as other:
        add_tool.preview_add_tool(db, owner, w.project_id, tool="productive",
                                  connection_id=productive, answers={"name": "Renamed"})
    assert other.value.fields == {"name": "Not a question of this tool."}
    db.rollback()
    assert db.get(Project, w.project_id).answers.get("budget_amount") is None


async def test_productive_joins_with_the_budget_answered_when_it_is_added(w, db):
    owner = w.world.owner_principal
    productive = uuid.UUID(w.world.connection_ids["productive"])
    given = {"budget_type": "fixed", "budget_amount": 12000, "currency": "EUR"}
    checked = await add_tool.preflight_add_tool(
        db, owner, w.config().tools_factory(owner), w.project_id, tool="productive",
        connection_id=productive, answers=given)
    assert checked.ok, [c.problems for c in checked.checks]
    run = add_tool.start_add_tool(db, owner, w.project_id, tool="productive",
                                  connection_id=productive, answers=given)
    db.commit()
    project = db.get(Project, w.project_id)
    assert project.answers["budget_amount"] == 12000  # kept as the run starts
    assert project.answers["productive_mode"] == "skip"  # the tool joins when it succeeds
    assert await w.drive(run.id) == RunStatus.SUCCEEDED
    assert w.productive_project() is not None
    assert w.budget() is not None
    db.expire_all()
    assert db.get(Project, w.project_id).answers["productive_mode"] == "create"
