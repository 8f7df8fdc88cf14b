"""The edit page's "Add a tool" state: the tools a project lacks are offered to whoever may edit
it; a connection that is not on offer (another organization's, a tool the project has, text
that is no id) reads "not found" and starts nothing; other organizations' tabs and viewers are
offered nothing."""

from __future__ import annotations

import asyncio
import uuid

from sqlmodel import Session, select

from projecthub.models import Project, ProvisioningRun, Role
from projecthub.services import connections
from projecthub.services.templates import library
from projecthub.services.templates.limits import MAX_ANSWER_CHARS
from projecthub.ui.state import project_add_tool
from projecthub.ui.state.project_add_tool import AddToolState
from tests.factories import add_member, make_org, make_user, owner_principal, principal
from tests.services.provisioning.world import TENANT, answers, build_world
from tests.ui.status_seed import add_project
from tests.ui.tabs import toasts


def _connection(db: Session, org, owner, tool: str, name: str):  # type: ignore[no-untyped-def]
    settings = {"jira": {"email": "a@example.com"}, "confluence": {"email": "a@example.com"},
                "productive": {"organization_id": "1000"}}
    return connections.create_connection(
        db, principal(db, owner, org), tool=tool, name=name,
        base_url="https://acme.atlassian.net", settings_values=settings[tool],
        secret_values={"api_token": "t"})


def _shop(db: Session):  # type: ignore[no-untyped-def]
    """A Jira-only project made from the built-in template; Jira and Confluence connected."""
    owner = make_user(db, name="Pat Owner")
    org = make_org(db, owner)
    jira = _connection(db, org, owner, "jira", "Jira")
    confluence = _connection(db, org, owner, "confluence", "Wiki")
    project = add_project(db, org, owner, name="Shop", key="SHOP")
    project.template_version_id = library.list_templates(db, owner_principal(db, org))[0].version_id
    db.add(project)
    db.commit()
    return org, owner, project, jira, confluence


def _tab(as_user, user, project) -> AddToolState:  # type: ignore[no-untyped-def]
    state = as_user(AddToolState, user, path=f"/projects/{project.id}/edit")
    state.load_tools()
    return state


def _check(state: AddToolState, connection_id: str) -> str:
    result = asyncio.run(AddToolState.check_tool.fn(state, connection_id))
    return " ".join([*state.errors.values(), toasts(result)]).lower()


def test_the_tools_the_project_lacks_are_offered(db, as_user):
    _, owner, project, _, confluence = _shop(db)
    tab = _tab(as_user, owner, project)
    assert [(o.tool, o.label, o.connection_name, o.connection_id) for o in tab.add_options] == [
        ("confluence", "Confluence", "Wiki", str(confluence.id))]


def test_a_connection_not_on_offer_reads_not_found_and_starts_nothing(db, as_user):
    _, owner, project, jira, _ = _shop(db)
    stranger = make_user(db)
    other = make_org(db, stranger)
    foreign = _connection(db, other, stranger, "confluence", "Their wiki")
    tab = _tab(as_user, owner, project)
    for forged in (str(jira.id), str(foreign.id), str(uuid.uuid4()), "not-an-id"):
        assert "not found" in _check(tab, forged)
        assert not tab.add_open and tab.add_card == []
    tab.confirm_add()
    assert tab.errors == {"add_tool": "Check the tool first."}
    tab._add_choice = str(foreign.id)  # as if a forged check had got through
    tab.confirm_add()
    assert "not found" in " ".join(tab.errors.values()).lower()
    assert db.exec(select(ProvisioningRun)).all() == []


def test_other_organizations_and_viewers_are_offered_nothing(db, as_user):
    org, _, project, _, confluence = _shop(db)
    stranger = make_user(db)
    make_org(db, stranger)
    viewer = make_user(db)
    add_member(db, org, viewer, role=Role.VIEWER)  # not on the project: it does not see it
    db.commit()
    for user, refusal in ((stranger, "not found"), (viewer, "not found")):
        tab = _tab(as_user, user, project)
        assert tab.add_options == []
        assert refusal in _check(tab, str(confluence.id))
        assert not tab.add_open
        tab._add_choice = str(confluence.id)
        tab.confirm_add()
        assert refusal in " ".join(tab.errors.values()).lower()
    assert db.exec(select(ProvisioningRun)).all() == []


def test_productive_asks_its_own_questions_and_the_run_takes_the_answers(db, as_user):
    org, owner, project, _, _ = _shop(db)
    productive = _connection(db, org, owner, "productive", "Productive")
    project.answers = {"name": "Shop", "key": "SHOP", "project_type": "internal",
                       "project_manager": str(owner.id), "client_company": "Acme",
                       "productive_mode": "skip"}
    db.add(project)
    db.commit()
    tab = _tab(as_user, owner, project)
    message = _check(tab, str(productive.id))
    assert tab.add_open and not tab.add_ok
    rows = {row.id: row for row in tab.add_fields}
    assert {"client_company", "budget_type", "budget_amount", "currency"} <= set(rows)
    assert rows["client_company"].text == "Acme"  # the project's answer
    assert rows["budget_amount"].error == "A time & materials budget needs an amount."
    assert "needs an amount" in message

    tab.set_answer("budget_amount", "-3")
    assert {r.id: r.error for r in tab.add_fields}["budget_amount"] == "Enter at least 0."
    tab.set_answer("budget_amount", "12.")
    row = next(r for r in tab.add_fields if r.id == "budget_amount")
    assert (row.text, row.error) == ("12.", "")  # as typed, and fine
    tab.set_answer("workflow", "x" * (MAX_ANSWER_CHARS + 1))
    assert "use at most" in tab.errors["add_tool"]
    tab.set_answer("name", "Renamed")  # not one of the tool's questions
    assert "not found" in " ".join(tab.errors.values()).lower()

    tab.set_answer("billable_hours", "40")
    tab._add_choice = str(productive.id)  # the check needs the tool; its outcome is assumed
    tab.confirm_add()
    assert tab.errors == {}
    db.expire_all()
    answers = db.get(Project, project.id).answers
    assert (answers["budget_amount"], answers["billable_hours"]) == (12, 40)
    assert answers["productive_mode"] == "skip"  # until the run has succeeded
    assert len(db.exec(select(ProvisioningRun)).all()) == 1


async def test_the_company_question_searches_productives_companies(db, as_user, monkeypatch):
    world = build_world(db)
    world.sandbox.vendors["productive"].tenant(TENANT).add_company("Acme Outlet Stores")
    monkeypatch.setattr(project_add_tool, "tool_clients",
                        lambda p: world.config().tools_factory(p))
    project = add_project(db, world.org, world.owner, name="Shop", key="SHOP")
    project.template_version_id = uuid.UUID(world.template_version_id)
    project.answers = answers(world, client_company="")
    db.add(project)
    db.commit()
    tab = _tab(as_user, world.owner, project)
    opened = await AddToolState.check_tool.fn(tab, world.connection_ids["productive"])
    assert AddToolState.find_companies in opened  # even when the check found problems

    assert AddToolState.find_companies not in (tab.set_answer("billable_hours", "40") or [])
    follow = tab.set_answer("client_company", "acme")
    assert AddToolState.find_companies in follow
    await AddToolState.find_companies.fn(tab)
    row = next(r for r in tab.add_fields if r.id == "client_company")
    assert [o.label for o in row.options] == ["Acme Retail GmbH", "Acme Outlet Stores"]

    tab.set_answer("client_company", "Nobody")
    await AddToolState.find_companies.fn(tab)
    row = next(r for r in tab.add_fields if r.id == "client_company")
    assert row.no_options == "No company in Productive matches what you typed."
