"""The import page's state: listing the sandbox tools, searching, selecting and importing in
chunks with progress; the browser names proposals by key only."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select

from projecthub.models import Project, Role
from projecthub.ui.state import project_import as page
from projecthub.ui.state.project_import import ImportState
from tests.factories import add_member, user_of
from tests.services.project_import.seed import key_of, seed_existing
from tests.services.provisioning.world import TENANT, World, build_world

PATH = "/projects/import"


@pytest.fixture
def world(db: Session, monkeypatch: pytest.MonkeyPatch) -> World:
    built = build_world(db)
    monkeypatch.setattr(page, "tool_clients", built.config().tools_factory)
    seed_existing(built.sandbox, TENANT, 60, lead_email="pm@example.com")
    return built


async def listed(world: World, as_user: Any) -> ImportState:
    state = as_user(ImportState, world.owner, path=PATH)
    assert state.load() == ImportState.discover
    await ImportState.discover.fn(state)
    return state


async def test_lists_searches_selects_and_imports_with_progress(world, engine, as_user):
    state = await listed(world, as_user)
    assert state.listed and state.proposal_count == 60 and len(state.rows) == 60
    first = state.rows[0]
    assert (first.key, first.matched) == (key_of(0), "Matched by key")
    assert [r.tool for r in first.resources] == ["Jira", "Confluence", "Productive",
                                                 "Microsoft 365"]
    state.search("project 05")
    assert [r.key for r in state.rows] == [key_of(i) for i in range(50, 60)]
    state.select_all()
    assert state.selected_count == 10 and all(r.selected for r in state.rows)
    state.toggle(key_of(50))
    state.toggle("NOT-OFFERED")
    assert state.selected_count == 9
    state.search("")
    state.select_all()
    assert state.selected_count == 60
    result = await ImportState.start_import.fn(state)
    assert "60 projects imported" in str(result)
    assert (state.done, state.total, state.created, state.percent) == (60, 60, 60, 100)
    assert state.failures == [] and state.proposal_count == 0 and state.finished
    with Session(engine) as db:
        assert len(db.exec(select(Project)).all()) == 60


async def test_failures_are_listed_and_the_rest_imported(world, engine, as_user):
    state = await listed(world, as_user)
    with Session(engine) as db:
        db.add(Project(organization_id=world.org.id, name="Taken", key=key_of(3)))
        db.commit()
    state.select_all()
    await ImportState.start_import.fn(state)
    assert state.created == 59
    assert [(f.key, f.reason) for f in state.failures] == [
        (key_of(3), f"This organization already has a project with the key {key_of(3)}.")]
    assert [r.key for r in state.rows] == [key_of(3)]


async def test_members_see_no_candidates(world, db, as_user):
    member = user_of(db, add_member(db, world.org, role=Role.MEMBER))
    state = as_user(ImportState, member, path=PATH)
    assert state.load() is None
    await ImportState.discover.fn(state)
    assert state.rows == []
    assert state.errors[page.IMPORT_FIELD] == "This needs the admin role or higher."
    state._selected = {key_of(0)}
    await ImportState.start_import.fn(state)
    with Session(db.get_bind()) as other:
        assert other.exec(select(Project)).all() == []


async def test_listing_again_suggests_a_free_key_for_one_whose_key_was_taken(world, engine,
                                                                             as_user):
    state = await listed(world, as_user)
    with Session(engine) as db:
        db.add(Project(organization_id=world.org.id, name="Taken", key=key_of(3)))
        db.commit()
    state.search(key_of(3))
    state.select_all()
    await ImportState.start_import.fn(state)
    assert [f.key for f in state.failures] == [key_of(3)]
    await ImportState.discover.fn(state)
    state.search("Client Project 003")
    assert [r.key for r in state.rows] == ["CP0"]
    state.select_all()
    await ImportState.start_import.fn(state)
    assert state.created == 1 and state.failures == []
