"""The run page of a run awaiting approval: who must decide, Approve / Reject for approvers, a
plain refusal for the requester (four-eyes), and the decision shown afterwards."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from projecthub.models import ProvisioningRun, RunStatus, User
from projecthub.services.provisioning import decisions
from projecthub.ui.state.dashboard import DashboardState
from projecthub.ui.state.project_status import ProjectState
from projecthub.ui.state.run_progress import RunProgressState
from projecthub.ui.state.status_format import run_label
from tests.services.provisioning.approval_world import gated_template, people, start
from tests.services.provisioning.world import World, build_world


@pytest.fixture
def world(db: Session) -> World:
    return build_world(db)


def _page(db: Session, as_user: Any, user_id: Any, run: ProvisioningRun) -> RunProgressState:
    state = as_user(RunProgressState, db.get_one(User, user_id), path=f"/runs/{run.id}")
    state.load()
    return state


def test_the_requester_sees_who_must_approve_and_cannot_decide(world, db, as_user):
    member, _, _ = people(world)
    run = start(world, member, gated_template(world))
    state = _page(db, as_user, member.user_id, run)
    assert state.run_status == "awaiting_approval" and state.live
    assert state.run_status_text == "Awaiting approval"
    assert (state.waiting_for, state.can_decide, state.own_request) == (
        "an owner or admin", False, True)
    state.approve()  # a client may call the handler anyway: the service refuses
    assert "someone else" in state.errors["run"]
    assert state.run_status == "awaiting_approval"


def test_an_admin_approves_with_a_comment(world, db, as_user):
    member, admin, _ = people(world)
    run = start(world, member, gated_template(world))
    state = _page(db, as_user, admin.user_id, run)
    assert state.can_decide and not state.own_request
    state.set_decision_comment("Budget signed")
    state.approve()
    assert state.errors == {}
    assert state.run_status == "pending" and state.waiting_for == ""
    assert state.decision.startswith("Approved by Ada Admin on ")
    assert state.decision.endswith(": Budget signed")
    assert state.decision_comment == ""


def test_a_rejection_needs_a_comment(world, db, as_user):
    member, admin, _ = people(world)
    run = start(world, member, gated_template(world))
    state = _page(db, as_user, admin.user_id, run)
    state.reject()
    assert state.errors and state.run_status == "awaiting_approval"
    state.set_decision_comment("Not a client project")
    state.reject()
    assert state.run_status == "rejected" and not state.live
    assert state.run_status_text == "Rejected"
    assert state.decision.startswith("Rejected by Ada Admin")
    assert {s.status for s in state.steps} == {"cancelled"}


def test_the_dashboard_lists_runs_awaiting_the_persons_approval(world, db, as_user):
    member, admin, viewer = people(world)
    run = start(world, member, gated_template(world))
    admin_view = as_user(DashboardState, db.get_one(User, admin.user_id))
    admin_view.load()
    [line] = admin_view.approvals
    assert (line.project, line.requested_by, line.href) == (
        "Website relaunch", "Mia Member", f"/runs/{run.id}")
    assert [(r.status, r.status_label) for r in admin_view.runs] == [
        ("awaiting_approval", "Awaiting approval")]
    for person in (member, viewer):  # the requester never; a viewer cannot approve
        view = as_user(DashboardState, db.get_one(User, person.user_id))
        view.load()
        assert view.approvals == []


def test_the_project_history_names_a_waiting_run_in_words(world, db, as_user):
    member, _, _ = people(world)
    run = start(world, member, gated_template(world))
    page = as_user(ProjectState, db.get_one(User, member.user_id),
                   path=f"/projects/{run.project_id}")
    page.load()
    assert [(r.status, r.status_label) for r in page.runs] == [
        ("awaiting_approval", "Awaiting approval")]


def test_every_run_status_reads_as_words():
    assert {run_label(s.value) for s in RunStatus} == {
        "Waiting to start", "Running", "Succeeded", "Failed", "Cancelled", "Awaiting approval",
        "Rejected"}


def test_a_project_whose_creation_was_rejected_reads_as_not_approved(world, db, as_user):
    member, admin, _ = people(world)
    run = start(world, member, gated_template(world))
    decisions.reject_run(db, admin, run.id, comment="Not a client project")
    db.commit()
    page = as_user(ProjectState, db.get_one(User, member.user_id),
                   path=f"/projects/{run.project_id}")
    page.load()
    assert (page.lifecycle, page.lifecycle_text) == ("not_approved", "Not approved")
    assert page.rejection.startswith("Rejected by Ada Admin on ")
    assert page.rejection.endswith(": Not a client project")
    assert page.can_delete and not page.can_change_lifecycle
    board = as_user(DashboardState, db.get_one(User, member.user_id))
    board.load()
    assert [(r.lifecycle, r.lifecycle_label) for r in board.rows] == [
        ("not_approved", "Not approved")]
    assert board.runs == []  # a decided run is not waiting for anything
