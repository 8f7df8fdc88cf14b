"""The progress page: rebuilt from the database on load, kept current by a poll that stops when
the run finishes, the page is left or reloaded, or the session ends; Cancel and Retry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from projecthub.models import AuthSession, ProvisioningRun
from projecthub.services.provisioning import service
from projecthub.services.provisioning.runner import drive_run
from projecthub.ui.state import run_progress
from projecthub.ui.state.run_progress import RunProgressState, duration
from tests.factories import make_org, make_user
from tests.services.provisioning.world import TENANT, World, answers, build_world
from tests.ui.tabs import browser_state, redirect_path


@pytest.fixture
def world(db: Session) -> World:
    return build_world(db)


def _run(world: World) -> ProvisioningRun:
    _, run = service.start_project(world.db, world.owner_principal,
                                   template_version_id=world.template_version_id,
                                   answers=answers(world))
    world.db.commit()  # as the wizard's unit of work does before the worker picks the run up
    return run


def _page(world: World, as_user: Any, run: ProvisioningRun) -> tuple[RunProgressState, Any]:
    state = as_user(RunProgressState, world.owner, path=f"/runs/{run.id}")
    return state, state.load()


async def test_a_new_run_shows_its_steps_and_starts_following_them(world, as_user):
    state, follow = _page(world, as_user, _run(world))

    assert follow is RunProgressState.poll and state.live and state.running
    assert (state.run_status, state.done_count, state.step_count, state.percent) == (
        "pending", 0, 2, 0)
    assert [(s.title, s.status, s.tool) for s in state.steps] == [
        ("Create Jira project WEBX", "pending", "Jira"),
        ("Add the team to the Jira project", "pending", "Jira")]
    assert state.project_name == "Website relaunch"
    assert state.project_href.startswith("/projects/")


async def test_a_tick_shows_finished_steps_with_links_and_stops(world, as_user):
    run = _run(world)
    state, _ = _page(world, as_user, run)
    await drive_run(run.id, world.config())

    keep, event = state._tick(state._generation)

    assert (keep, event, state.live) == (False, None, False)
    assert (state.run_status, state.percent, state.done_count) == ("succeeded", 100, 2)
    first = state.steps[0]
    assert first.status == "succeeded" and first.attempts == 1
    assert first.url.endswith("/sandbox/jira/browse/WEBX")
    assert first.duration.endswith(" s") and first.log[-1].message
    # Times go to the browser as ISO instants (shown in its zone) with their UTC text.
    assert first.log[-1].at.endswith("+00:00") and first.log[-1].at_utc.endswith(" UTC")
    assert state.finished.endswith(" UTC") and state.finished_at.endswith("+00:00")


async def test_the_poll_runs_until_the_run_finishes(world, as_user, monkeypatch):
    monkeypatch.setattr(run_progress, "POLL_SECONDS", 0)
    run = _run(world)
    state, _ = _page(world, as_user, run)
    await drive_run(run.id, world.config())

    assert await RunProgressState.poll.fn(state) is None

    assert state.run_status == "succeeded" and not state.live


async def test_the_poll_stops_when_the_page_is_left_or_loaded_again(world, as_user):
    run = _run(world)
    state, _ = _page(world, as_user, run)
    generation = state._generation

    state.load()  # a reload starts a new poll; the old one bows out
    assert state._tick(generation) == (False, None)
    assert state.live

    state.router = browser_state(RunProgressState, None, path="/dashboard").router
    assert state._tick(state._generation) == (False, None)
    assert not state.live


async def test_the_poll_ends_with_the_session(world, engine, as_user):
    state, _ = _page(world, as_user, _run(world))
    with Session(engine) as db:
        for row in db.exec(select(AuthSession)).all():
            db.delete(row)
        db.commit()

    keep, event = state._tick(state._generation)

    assert not keep and redirect_path(event) == f"/login?next=/runs/{state._run}"


async def test_a_failed_step_shows_why_and_the_run_can_be_retried(world, as_user):
    jira = world.sandbox.vendors["jira"].tenant(TENANT)
    run = _run(world)
    jira.add_project("WEBX", "Somebody else's", jira.users[0])
    await drive_run(run.id, world.config())
    state, follow = _page(world, as_user, run)

    assert follow is None and state.run_status == "failed" and state.can_retry
    assert "used by another Jira project" in state.steps[0].error

    del jira.projects["WEBX"]
    assert state.retry() is RunProgressState.poll
    assert state.run_status == "pending" and state.live
    await drive_run(run.id, world.config())
    state._tick(state._generation)
    assert state.run_status == "succeeded"


async def test_cancel_stops_a_waiting_run(world, as_user):
    state, _ = _page(world, as_user, _run(world))

    assert state.cancel() is None

    assert state.run_status == "cancelled" and state.can_retry and not state.live
    assert {s.status for s in state.steps} == {"cancelled"}


async def test_another_organizations_run_is_not_found(world, db, engine, as_user):
    run = _run(world)
    stranger = make_user(db)
    make_org(db, stranger)
    state = as_user(RunProgressState, stranger, path=f"/runs/{run.id}")

    assert state.load() is None

    assert state.problem == "Run not found." and state.steps == [] and state._run == ""
    state.cancel()
    assert state.errors == {"run": "Run not found."}
    with Session(engine) as fresh:
        assert fresh.get_one(ProvisioningRun, run.id).status == "pending"


def test_durations_read_naturally():
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert duration(None, None) == ""
    assert duration(start, start + timedelta(seconds=2.34)) == "2.3 s"
    assert duration(start, start + timedelta(seconds=42)) == "42 s"
    assert duration(start, start + timedelta(seconds=125)) == "2 min 5 s"
