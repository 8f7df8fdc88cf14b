"""The wizard's review page: preflight against the (in-process) sandboxes, suggestions that fix a
blocked tool, and Provision, which alone creates the project and refuses unchecked answers."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select

from projecthub.models import AuthSession, Project, ProvisioningRun, ProvisioningStep, WizardDraft
from projecthub.services import drafts
from projecthub.services.tool_clients import ToolClients
from projecthub.ui.state import wizard_review
from projecthub.ui.state.wizard import NEW_PATH
from projecthub.ui.state.wizard_review import ReviewState
from tests.services.provisioning.world import TENANT, World, answers, build_world
from tests.ui.tabs import redirect_path, toasts


@pytest.fixture
def world(db: Session, monkeypatch: pytest.MonkeyPatch) -> World:
    """The provisioning test world, with the review page reaching its sandboxes in-process."""
    built = build_world(db)

    def tools(principal: Any) -> ToolClients:
        return built.config().tools_factory(principal)

    monkeypatch.setattr(wizard_review, "tool_clients", tools)
    return built


def _review(world: World, as_user: Any, **overrides: object) -> ReviewState:
    """The owner on the review page of a draft holding ``answers(world, **overrides)``."""
    draft = drafts.save_draft(world.db, world.owner_principal,
                              template_version_id=world.template_version_id,
                              answers=answers(world, **overrides), step="review")
    state = as_user(ReviewState, world.owner, path=f"{NEW_PATH}/{draft.id}")
    state.load()
    assert state.is_review
    return state


def _take_key(world: World, key: str) -> None:
    jira = world.sandbox.vendors["jira"].tenant(TENANT)
    jira.add_project(key, "Somebody else's", jira.users[0])


def _count(engine: Any, model: type) -> int:
    with Session(engine) as db:
        return len(db.exec(select(model)).all())


async def test_a_free_key_checks_out_and_the_summary_lists_the_answers(world, as_user):
    state = _review(world, as_user)

    await ReviewState.check_tools.fn(state)

    assert state.checked and state.preflight_ok and state.can_provision
    cards = {c.tool: c for c in state.checks}
    assert cards["jira"].decision == "create" and "WEBX" in cards["jira"].summary
    assert {cards[t].decision for t in ("confluence", "graph", "productive")} == {"skip"}
    basics = state.summary[0]
    assert basics.title == "Basics"
    assert {i.label: i.value for i in basics.answers}["Type"] == "Internal project"
    people = {i.label: i.value for i in state.summary[1].answers}
    assert people["Project manager"] == "Pat Manager (pm@example.com)"


async def test_a_taken_key_blocks_until_the_suggestion_is_applied(world, engine, as_user):
    _take_key(world, "WEBX")
    state = _review(world, as_user)

    await ReviewState.check_tools.fn(state)

    jira = next(c for c in state.checks if c.tool == "jira")
    assert (jira.decision, state.preflight_ok) == ("blocked", False)
    assert jira.problems[0].startswith("Jira key WEBX:")
    assert jira.suggestion == "Project key → WEBX1"
    assert redirect_path(state.provision()) is None and _count(engine, Project) == 0

    follow = state.apply_suggestion("jira")

    assert ReviewState.check_tools in follow
    assert state._answers["key"] == "WEBX1" and not state.checked
    with Session(engine) as db:
        assert db.exec(select(WizardDraft)).one().answers["key"] == "WEBX1"
    await ReviewState.check_tools.fn(state)
    assert state.preflight_ok


async def test_provision_creates_the_project_and_its_run_and_drops_the_draft(world, engine,
                                                                             as_user):
    state = _review(world, as_user)
    await ReviewState.check_tools.fn(state)

    result = state.provision()

    with Session(engine) as db:
        project = db.exec(select(Project)).one()
        run = db.exec(select(ProvisioningRun)).one()
        steps = db.exec(select(ProvisioningStep).where(ProvisioningStep.run_id == run.id)).all()
        assert db.exec(select(WizardDraft)).all() == []
    assert (project.key, project.name) == ("WEBX", "Website relaunch")
    assert [s.action for s in steps] == ["jira.create_project", "jira.add_members"]
    assert {s.status for s in steps} == {"pending"}  # the worker creates, not the page
    assert redirect_path(result) == f"/runs/{run.id}"
    assert "WEBX" not in world.sandbox.vendors["jira"].tenant(TENANT).projects
    assert not state.can_provision


async def test_provision_refuses_answers_that_were_not_checked(world, engine, as_user):
    state = _review(world, as_user)
    assert "Check the plan" in toasts(state.provision())

    await ReviewState.check_tools.fn(state)
    state._answers = {**state._answers, "key": "OTHER"}  # changed after the check

    assert "Check the plan" in toasts(state.provision())
    assert _count(engine, Project) == 0 and not state.preflight_ok


async def test_answers_that_need_attention_point_at_their_step(world, as_user):
    state = _review(world, as_user, key="x", client_company="", productive_mode="create")

    await ReviewState.check_tools.fn(state)

    assert not state.preflight_ok and state.checks == []
    assert {(p.step_title, p.label) for p in state.problems} == {
        ("Basics", "Project key"), ("Productive", "Company")}
    state.go_to_step(next(p.step for p in state.problems if p.label == "Project key"))
    assert state.step_title == "Basics"


async def test_a_company_productive_lacks_has_a_way_forward_in_the_review(world, as_user):
    """Typing the organization's own name blocked the review with no way forward."""
    state = _review(world, as_user, jira_mode="skip", productive_mode="create",
                    client_company="Northwind", budget_type="non_billable")

    await ReviewState.check_tools.fn(state)

    card = next(c for c in state.checks if c.tool == "productive")
    assert card.decision == "blocked" and card.suggestion == "Company in Productive → create"
    state.apply_suggestion("productive")  # its follow-up event checks again:
    await ReviewState.check_tools.fn(state)
    card = next(c for c in state.checks if c.tool == "productive")
    assert state.preflight_ok, card.problems
    assert "for Northwind, a company the run creates first" in card.summary


async def test_preflight_asks_for_the_session_again(world, engine, as_user):
    state = _review(world, as_user)
    with Session(engine) as db:  # logged out meanwhile (another tab, or the session expired)
        for row in db.exec(select(AuthSession)).all():
            db.delete(row)
        db.commit()

    result = await ReviewState.check_tools.fn(state)

    assert redirect_path(result) == f"/login?next={NEW_PATH}/{state._draft}"
    assert state.checks == [] and not state.preflight_ok
