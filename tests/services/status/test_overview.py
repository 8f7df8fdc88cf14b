"""A project's people and the organization's unfinished runs, as the status pages list them:
only for those who may see the project, never another organization's."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from projecthub.core.errors import NotFound
from projecthub.models import (
    Project,
    ProvisioningRun,
    ProvisioningStep,
    Role,
    RunStatus,
    StepStatus,
)
from projecthub.services.status.overview import open_runs, project_members
from tests.factories import add_member, make_org, make_user, principal, user_of
from tests.ui.status_seed import add_project


def _run(db: Session, project: Project, status: RunStatus,
         steps: list[StepStatus]) -> ProvisioningRun:
    run = ProvisioningRun(organization_id=project.organization_id, project_id=project.id,
                          status=status)
    db.add(run)
    for n, state in enumerate(steps):
        db.add(ProvisioningStep(organization_id=project.organization_id, run_id=run.id,
                                position=n, key=f"s{n}", action="jira.create_project",
                                tool="jira", idempotency_key=f"{run.id}-{n}", status=state))
    db.commit()
    return run


def test_members_come_manager_first_for_those_who_see_the_project(db: Session) -> None:
    owner = make_user(db, name="Olive Owner")
    org = make_org(db, owner)
    zed = user_of(db, add_member(db, org, make_user(db, name="Zed Member")))
    amy = user_of(db, add_member(db, org, make_user(db, name="Amy Member")))
    outsider = user_of(db, add_member(db, org))
    project = add_project(db, org, zed, name="Shop", key="SHOP", members=(amy,))

    people = project_members(db, principal(db, owner, org), project.id)

    assert [(p.name, p.role) for p in people] == [("Zed Member", "manager"),
                                                  ("Amy Member", "member")]
    with pytest.raises(NotFound):
        project_members(db, principal(db, outsider, org), project.id)
    stranger = make_user(db)
    with pytest.raises(NotFound):
        project_members(db, principal(db, stranger, make_org(db, stranger)), project.id)


def test_open_runs_are_unfinished_or_failed_ones_of_visible_projects(db: Session) -> None:
    owner = make_user(db)
    org = make_org(db, owner)
    member = user_of(db, add_member(db, org, role=Role.MEMBER))
    mine = add_project(db, org, owner, name="Mine", key="MINE", members=(member,))
    other = add_project(db, org, owner, name="Other", key="OTHER")
    running = _run(db, mine, RunStatus.RUNNING,
                   [StepStatus.SUCCEEDED, StepStatus.SKIPPED, StepStatus.RUNNING])
    _run(db, mine, RunStatus.SUCCEEDED, [StepStatus.SUCCEEDED])
    failed = _run(db, other, RunStatus.FAILED, [StepStatus.FAILED])
    stranger = make_user(db)
    foreign = make_org(db, stranger)
    _run(db, add_project(db, foreign, stranger, name="Theirs", key="T"), RunStatus.PENDING, [])

    as_admin = open_runs(db, principal(db, owner, org))
    as_member = open_runs(db, principal(db, member, org))

    assert {(r.project_key, r.status, r.steps_done, r.steps_total) for r in as_admin} == {
        ("MINE", "running", 2, 3), ("OTHER", "failed", 0, 1)}
    assert [r.run_id for r in as_member] == [str(running.id)]
    assert str(failed.id) not in {r.run_id for r in as_member}
