"""The project status page: header, health with every reason, a card per tool resource with
figures (figures, when fetched, why stale) and links to the others, history charts, members,
basics, runs; Refresh in the background; lifecycle changes only for the project's owner and
organization admins."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from projecthub.core.clock import utcnow
from projecthub.models import (
    AuditEvent,
    Lifecycle,
    Project,
    ProjectResource,
    ProjectStatus,
    Role,
    StatusHistory,
    StatusSnapshot,
)
from projecthub.services.provisioning import service
from projecthub.services.provisioning.runner import drive_run
from projecthub.services.status.health import elapsed_percent
from projecthub.services.status.sync import SyncConfig
from projecthub.ui.state import project_status
from projecthub.ui.state.project_status import ProjectState
from projecthub.ui.state.status_format import EN_DASH
from tests.factories import add_member, make_org, make_user, user_of
from tests.services.provisioning.world import (
    TENANT,
    World,
    all_tools_answers,
    answers,
    build_world,
)
from tests.ui.status_seed import PRODUCTIVE, add_project
from tests.ui.tabs import browser_state, redirect_path, toasts
from tests.ui.times import instant


@pytest.fixture
def world(db: Session) -> World:
    return build_world(db)


@pytest.fixture
def synced_by_world(world: World, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Refresh reaches the world's in-process sandboxes; returns the projects it synced."""
    calls: list[str] = []
    runner = world.config()

    def config() -> SyncConfig:
        calls.append("sync")
        return SyncConfig(session_factory=runner.session_factory,
                          tools_factory=runner.tools_factory)

    monkeypatch.setattr(project_status, "sync_config", config)
    return calls


async def _provisioned(world: World, db: Session, **overrides: Any) -> Project:
    project, run = service.start_project(db, world.owner_principal,
                                         template_version_id=world.template_version_id,
                                         answers=answers(world, **overrides))
    db.commit()  # as the wizard's unit of work does before the worker picks the run up
    assert (await drive_run(run.id, world.config())).value == "succeeded"
    return project


def _page(as_user: Any, user: Any, project: Project) -> ProjectState:
    state = as_user(ProjectState, user, path=f"/projects/{project.id}")
    state.load()
    return state


async def _refresh(state: ProjectState) -> Any:
    """The background handler's body on the plain state (``async with self`` is a no-op)."""
    return await ProjectState.refresh.fn(state)


def _figures(state: ProjectState, kind: str) -> dict[str, tuple[str, str]]:
    card = next(c for c in state.cards if c.kind == kind)
    return {f.label: (f.value, f.was) for f in card.figures}


async def test_the_page_shows_basics_members_cards_and_runs(world, db, as_user):
    colleague = user_of(db, add_member(db, world.org))
    project = await _provisioned(world, db, start_date="2026-03-01",
                                 members=[str(colleague.id)])

    state = _page(as_user, world.owner, project)

    assert (state.name, state.key, state.lifecycle, state.problem) == (
        "Website relaunch", "WEBX", "active", "")
    assert (state.client, state.dates) == ("Acme Retail GmbH", f"01 Mar 2026 {EN_DASH} —")
    facts = {f.label: f.value for f in state.facts}
    assert facts["Project manager"] == "Pat Manager"
    assert facts["Template"] == "Agency / IT project (version 1)"
    assert [(p.name, p.role) for p in state.people] == [
        ("Pat Manager", "manager"), (colleague.display_name, "member")]
    card, = state.cards
    assert (card.tool, card.kind, card.name) == ("Jira", "Jira project", "Website relaunch")
    assert card.url.endswith("/browse/WEBX")
    assert (card.figures, card.fetched_at, card.stale) == ([], "", True)
    assert [(r.status, r.steps) for r in state.runs] == [("succeeded", "2 of 2")]
    run, = state.runs  # the browser shows the ISO instant in its zone, UTC on hover
    assert run.started_at.endswith("+00:00") and run.started.endswith(" UTC")
    assert state.links == []
    assert (state.health, state.synced_at, state.can_change_lifecycle) == (
        "unknown", "", True)


async def test_a_fresh_four_tool_project_has_cards_with_figures_and_links_for_the_rest(
        world, db, as_user, synced_by_world):
    project = await _provisioned(world, db, **{
        k: v for k, v in all_tools_answers(world).items() if k not in ("name", "key")})
    state = _page(as_user, world.owner, project)

    assert [c.kind for c in state.cards] == ["Jira project", "Productive project",
                                             "Planner plan", "Confluence space"]
    assert {link.kind for link in state.links} == {
        "Confluence page", "Productive budget", "Team", "Teams channel"}
    assert all(link.url for link in state.links if link.kind != "Productive budget")
    await _refresh(state)

    assert not any(c.stale for c in state.cards)
    budget = _figures(state, "Productive project")["Budget"]
    budget_name = next(link.name for link in state.links if link.kind == "Productive budget")
    # The budget step prices a service on the budget, so Productive totals it at once.
    assert budget == ("€5,000", "")
    productive = next(c for c in state.cards if c.kind == "Productive project")
    assert next(f.note for f in productive.figures if f.label == "Budget") == budget_name
    assert "Used" in _figures(state, "Productive project")
    space = next(c for c in state.cards if c.kind == "Confluence space")
    edit = next(f for f in space.figures if f.label == "Last edit")
    # An age the browser keeps ticking: the ISO instant, its UTC text as the value (the hover).
    assert instant(edit.at, edit.value) <= utcnow()


async def test_refresh_syncs_in_the_background_and_marks_what_changed(
        world, db, as_user, synced_by_world):
    project = await _provisioned(world, db)
    jira = world.sandbox.vendors["jira"].tenant(TENANT)
    jira.add_issue(jira.projects["WEBX"], "Kick-off", "To Do")
    state = _page(as_user, world.owner, project)

    first = await _refresh(state)

    assert "Figures refreshed" in toasts(first) and not state.refreshing
    assert _figures(state, "Jira project")["To do"] == ("1", "")  # nothing to compare with
    assert state.synced_at.endswith("+00:00") and state.synced_utc.endswith(" UTC")
    assert state.issue_history == [{"day": utcnow().strftime("%d %b"), "to_do": 1,
                                    "in_progress": 0, "done": 0}]
    jira.add_issue(jira.projects["WEBX"], "Sitemap", "To Do")
    jira.add_issue(jira.projects["WEBX"], "Launch", "Done")

    second = await _refresh(state)

    figures = _figures(state, "Jira project")
    assert figures["To do"] == ("2", "1") and figures["Done"] == ("1", "0")
    assert figures["In progress"] == ("0", "")
    assert "2 changed" in toasts(second) and len(synced_by_world) == 2
    db.expire_all()
    refreshes = db.exec(select(AuditEvent).where(
        AuditEvent.action == "project.status_refreshed")).all()
    assert [(e.actor_id, e.target_id) for e in refreshes] == [
        (world.owner.id, str(project.id))] * 2


async def test_refresh_checks_the_session_and_the_project_first(
        world, db, as_user, synced_by_world):
    project = await _provisioned(world, db)
    state = _page(as_user, world.owner, project)
    ended = browser_state(ProjectState, None, path=f"/projects/{project.id}")
    ended._project = state._project

    assert redirect_path(await _refresh(ended)) == f"/login?next=/projects/{project.id}"
    stranger = make_user(db)
    make_org(db, stranger)
    foreign = as_user(ProjectState, stranger, path=f"/projects/{project.id}")
    foreign._project = state._project  # as if the tab had loaded it before switching
    await _refresh(foreign)
    assert foreign.errors == {"status": "Project not found."} and synced_by_world == []


def test_health_shows_every_reason_worst_first_and_cards_say_why_they_are_stale(db, as_user):
    owner = make_user(db, name="Olive Owner")
    org = make_org(db, owner)
    project = add_project(db, org, owner, name="Shop", key="SHOP", health="red",
                          tools=("productive",), start=date(2026, 1, 1), end=date(2026, 12, 31))
    status = db.get_one(ProjectStatus, project.id)
    status.reasons = [{"level": "green", "rule": "overdue", "text": "0 overdue Jira issues."},
                      {"level": "red", "rule": "budget_burn", "text": "Budget 90% used."},
                      {"level": "amber", "rule": "stale", "text": "Productive data is 30 h old."}]
    resource = project_resource(db, project)
    db.add(StatusSnapshot(organization_id=org.id, project_id=project.id, resource_id=resource,
                          tool="productive", kind="project", data=PRODUCTIVE,
                          fetched_at=utcnow() - timedelta(hours=30), error="HTTP 503 from tool"))
    ten_days_ago = utcnow().date() - timedelta(days=10)
    db.add(StatusHistory(organization_id=org.id, project_id=project.id, day=ten_days_ago,
                         figures={"productive": {"burn_percent": 65.0}}))
    db.add(status)
    db.commit()

    state = _page(as_user, owner, project)

    assert [(r.level, r.text) for r in state.reasons] == [
        ("red", "Budget 90% used."), ("amber", "Productive data is 30 h old."),
        ("green", "0 overdue Jira issues.")]
    assert (state.health, state.health_text) == ("red", "At risk")
    card, = state.cards
    assert card.stale and "HTTP 503 from tool" in card.stale_note
    fetched = datetime.fromisoformat(card.fetched_at)
    assert timedelta(hours=29) < utcnow() - fetched < timedelta(hours=31)
    assert card.fetched_utc == fetched.strftime("%d %b %Y, %H:%M UTC")
    assert _figures(state, "Productive project")["Remaining"] == ("€16,800", "")
    assert state.burn_history == [{"day": ten_days_ago.strftime("%d %b"), "burn": 65.0,
                                   "elapsed": elapsed_percent(date(2026, 1, 1),
                                                              date(2026, 12, 31), ten_days_ago)}]


def project_resource(db: Session, project: Project) -> Any:
    return db.exec(select(ProjectResource.id).where(
        ProjectResource.project_id == project.id)).one()


def test_owner_and_admins_change_the_lifecycle_members_cannot(db, as_user):
    owner = make_user(db, name="Olive Owner")
    org = make_org(db, owner)
    manager = user_of(db, add_member(db, org))
    member = user_of(db, add_member(db, org))
    project = add_project(db, org, manager, name="Shop", key="SHOP", members=(member,))

    as_member = _page(as_user, member, project)
    assert not as_member.can_change_lifecycle
    as_member.set_lifecycle("on_hold")
    assert as_member.errors == {
        "lifecycle": "Only the project's owner or an organization admin can do this."}

    as_manager = _page(as_user, manager, project)
    assert as_manager.can_change_lifecycle
    assert "now on hold" in toasts(as_manager.set_lifecycle("on_hold"))
    assert (as_manager.lifecycle, as_manager.lifecycle_text) == ("on_hold", "On hold")

    as_admin = _page(as_user, owner, project)
    as_admin.set_lifecycle("launched")
    assert as_admin.errors == {"lifecycle": "Unknown state."}
    as_admin.set_lifecycle("completed")
    db.expire_all()
    assert db.get_one(Project, project.id).lifecycle == Lifecycle.COMPLETED


def test_a_project_still_being_provisioned_offers_no_lifecycle_change(db, as_user):
    owner = make_user(db)
    org = make_org(db, owner)
    project = add_project(db, org, owner, name="New", key="NEW",
                          lifecycle=Lifecycle.PROVISIONING)

    assert not _page(as_user, owner, project).can_change_lifecycle


def test_a_project_of_another_organization_is_not_found(world, db, as_user):
    project = add_project(db, world.org, world.owner, name="Shop", key="SHOP")
    stranger = make_user(db)
    make_org(db, stranger)

    state = _page(as_user, stranger, project)

    assert (state.problem, state.name, state.cards, state._project) == (
        "Project not found.", "", [], "")
    state.set_lifecycle("archived")
    assert state.errors == {"lifecycle": "Project not found."}


def test_viewers_read_but_cannot_change(db, as_user):
    owner = make_user(db)
    org = make_org(db, owner)
    viewer = user_of(db, add_member(db, org, role=Role.VIEWER))
    project = add_project(db, org, owner, name="Shop", key="SHOP", members=(viewer,))

    state = _page(as_user, viewer, project)

    assert state.name == "Shop" and not state.can_change_lifecycle


def test_the_lifecycle_menu_previews_then_confirms_and_a_run_page_follows(db, as_user):
    from projecthub.services import connections
    from tests.factories import principal

    owner = make_user(db)
    org = make_org(db, owner)
    jira = connections.create_connection(
        db, principal(db, owner, org), tool="jira", name="Jira",
        base_url="https://acme.atlassian.net", settings_values={"email": "a@example.com"},
        secret_values={"api_token": "t"})
    project = add_project(db, org, owner, name="Shop", key="SHOP", tools=())
    db.add(ProjectResource(organization_id=org.id, project_id=project.id, tool="jira",
                           kind="project", external_id="10001", external_key="SHOP",
                           name="Shop", connection_id=jira.id))
    db.commit()
    page = _page(as_user, owner, project)

    page.preview_lifecycle("archived")
    assert page.lifecycle_dialog and page.lifecycle_target_text == "Archived"
    assert [(c.tool, c.action) for c in page.lifecycle_changes] == [("jira", "archive")]
    db.expire_all()
    assert db.get_one(Project, project.id).lifecycle == Lifecycle.ACTIVE  # only previewed

    result = page.confirm_lifecycle()
    path = redirect_path(result)
    assert path is not None and path.startswith("/runs/")
    assert not page.lifecycle_dialog


def test_delete_needs_the_key_and_keeps_the_tools(db, as_user):
    owner = make_user(db)
    org = make_org(db, owner)
    project = add_project(db, org, owner, name="Shop", key="SHOP")
    project_id = project.id
    page = _page(as_user, owner, project)

    page.open_delete()
    assert page.delete_dialog and [(r.tool, r.can_delete) for r in page.delete_rows] == [
        ("jira", False)]
    asyncio.run(page.delete_project({"confirmation": "shop"}))
    assert page.errors == {"confirmation": "Type SHOP to confirm."}
    result = asyncio.run(page.delete_project({"confirmation": "SHOP"}))
    assert redirect_path(result) == "/"
    db.expire_all()
    assert db.get(Project, project_id) is None
