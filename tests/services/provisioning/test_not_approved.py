"""A project whose creation run was rejected: it says "not approved" (nothing exists in any
tool), refuses edits and lifecycle changes with that reason, and its owner can delete it (which
also frees its key). A rejection of a later run leaves the project's state alone."""

from __future__ import annotations

import pytest
from sqlmodel import select

from projecthub.core.errors import Conflict
from projecthub.models import Lifecycle, Project, RunStatus
from projecthub.services import projects
from projecthub.services.provisioning import decisions, deletion, editing, lifecycle
from tests.services.provisioning.approval_world import (
    gated_template,
    people,
    start,
    waiting_archive,
)
from tests.services.provisioning.world import World, build_world


@pytest.fixture
def world(db) -> World:
    return build_world(db)


def _rejected(world: World):
    member, admin, _ = people(world)
    version = gated_template(world)
    run = start(world, member, version)
    decisions.reject_run(world.db, admin, run.id, comment="Not a client project")
    world.db.commit()
    return member, version, world.db.get_one(Project, run.project_id)


def test_a_rejected_creation_leaves_a_project_marked_not_approved(world, db):
    member, _, project = _rejected(world)
    assert project.lifecycle == Lifecycle.NOT_APPROVED
    with pytest.raises(Conflict, match="not approved, so nothing exists in any tool"):
        lifecycle.preview_lifecycle(db, member, project.id, "archived")
    with pytest.raises(Conflict, match="not approved"):
        editing.preview_edit(db, member, project.id, editing.parse_edit({"name": "Again"}))


async def test_its_owner_deletes_it_and_its_key_is_free_again(world, db):
    member, version, project = _rejected(world)
    with pytest.raises(Conflict, match="It was not approved: delete it to use its key again"):
        start(world, member, version)
    db.rollback()
    tools = world.config().tools_factory(member)
    result = await deletion.delete_project(db, member, tools, project.id,
                                           confirmation=project.key)
    db.commit()
    assert result.deleted and result.deleted_in == []
    assert db.exec(select(Project)).all() == []
    assert start(world, member, version).status == RunStatus.AWAITING_APPROVAL


async def test_a_rejected_later_run_leaves_the_project_as_it_was(world, db):
    member, admin, _ = people(world)
    archive = await waiting_archive(world, member, admin)
    decisions.reject_run(db, admin, archive.id, comment="Still billing")
    db.commit()
    assert projects.get_project(db, member, archive.project_id).lifecycle == Lifecycle.ACTIVE
