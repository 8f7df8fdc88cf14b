"""Links into another of the person's organizations (a notification mail, a colleague's link):
the page switches to that organization when the person may see the row there, with a notice;
anyone else gets the same "not found" as for a missing row, and stays where they were."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import Session, select

from projecthub.models import (
    AuthSession,
    Membership,
    Organization,
    Project,
    ProvisioningRun,
    RunStatus,
    User,
)
from projecthub.ui.state.project_edit import ProjectEditState
from projecthub.ui.state.project_status import ProjectState
from projecthub.ui.state.run_progress import RunProgressState
from tests.factories import add_member, make_org, make_user
from tests.ui.status_seed import add_project
from tests.ui.tabs import toasts


@dataclass
class Orgs:
    ann: User
    home: Organization  # Ann's current organization (her first)
    other: Organization  # Ann is a member there too
    mine: Project  # in ``other``, Ann manages it
    hidden: Project  # in ``other``, Ann is not on it (members see only their projects)
    foreign: Project  # in an organization Ann does not belong to


@pytest.fixture
def orgs(db: Session) -> Orgs:
    ann = make_user(db, name="Ann Both")
    home = make_org(db, ann, name="Home Org")
    boss = make_user(db)
    other = make_org(db, boss, name="Other Org")
    add_member(db, other, ann)
    stranger = make_org(db, name="Stranger Org")
    return Orgs(ann, home, other,
                mine=add_project(db, other, ann, name="Mine", key="MINE"),
                hidden=add_project(db, other, boss, name="Hidden", key="HIDE"),
                foreign=add_project(db, stranger, boss, name="Foreign", key="FORN"))


def _current_org(db: Session, user: User) -> uuid.UUID | None:
    db.expire_all()
    return db.exec(select(AuthSession.current_org_id)
                   .where(AuthSession.user_id == user.id)).one()


def _open(as_user: Any, state_cls: Any, user: User, path: str) -> tuple[Any, Any]:
    state = as_user(state_cls, user, path=path)
    return state, state.load()


def test_a_link_to_a_project_of_another_of_my_organizations_switches_to_it(db, orgs, as_user):
    state, events = _open(as_user, ProjectState, orgs.ann, f"/projects/{orgs.mine.id}")
    assert (state.problem, state.name, state.org_name) == ("", "Mine", "Other Org")
    assert "Switched to Other Org" in toasts(events)
    assert _current_org(db, orgs.ann) == orgs.other.id
    assert [o.name for o in state.orgs if o.current] == ["Other Org"]


def test_a_project_in_my_current_organization_opens_without_a_notice(db, orgs, as_user):
    home_project = add_project(db, orgs.home, orgs.ann, name="Home", key="HOME")
    state, events = _open(as_user, ProjectState, orgs.ann, f"/projects/{home_project.id}")
    assert (state.problem, state.org_name, toasts(events)) == ("", "Home Org", "")


@pytest.mark.parametrize("which", ["hidden", "foreign", "missing"])
def test_a_project_i_may_not_see_anywhere_is_not_found_and_nothing_switches(db, orgs, as_user,
                                                                            which):
    project_id = uuid.uuid4() if which == "missing" else getattr(orgs, which).id
    state, events = _open(as_user, ProjectState, orgs.ann, f"/projects/{project_id}")
    assert (state.problem, state.name, toasts(events)) == ("Project not found.", "", "")
    assert state.org_name == "Home Org"
    assert _current_org(db, orgs.ann) == orgs.home.id


def test_a_deactivated_membership_does_not_open_the_link(db, orgs, as_user):
    membership = db.exec(select(Membership).where(Membership.user_id == orgs.ann.id,
                                                  Membership.organization_id == orgs.other.id)
                         ).one()
    membership.is_active = False
    db.add(membership)
    db.commit()
    state, _ = _open(as_user, ProjectState, orgs.ann, f"/projects/{orgs.mine.id}")
    assert state.problem == "Project not found."
    assert _current_org(db, orgs.ann) == orgs.home.id


def test_a_link_to_the_edit_page_switches_too(db, orgs, as_user):
    state, events = _open(as_user, ProjectEditState, orgs.ann, f"/projects/{orgs.mine.id}/edit")
    assert (state.problem, state.title, state.org_name) == ("", "Mine", "Other Org")
    assert "Switched to Other Org" in toasts(events)


def _run(db: Session, project: Project) -> ProvisioningRun:
    run = ProvisioningRun(organization_id=project.organization_id, project_id=project.id,
                          status=RunStatus.FAILED, error="Jira said no")
    db.add(run)
    db.commit()
    return run


def test_a_link_to_a_run_of_another_of_my_organizations_switches_to_it(db, orgs, as_user):
    run = _run(db, orgs.mine)
    state, events = _open(as_user, RunProgressState, orgs.ann, f"/runs/{run.id}")
    assert (state.problem, state.run_status, state.project_name) == ("", "failed", "Mine")
    assert state.org_name == "Other Org" and "Switched to Other Org" in toasts(events)
    assert _current_org(db, orgs.ann) == orgs.other.id


@pytest.mark.parametrize("which", ["hidden", "foreign"])
def test_a_run_i_may_not_see_is_not_found_and_nothing_switches(db, orgs, as_user, which):
    run = _run(db, getattr(orgs, which))
    state, events = _open(as_user, RunProgressState, orgs.ann, f"/runs/{run.id}")
    assert (state.problem, state.run_status, toasts(events)) == ("Run not found.", "", "")
    assert _current_org(db, orgs.ann) == orgs.home.id
