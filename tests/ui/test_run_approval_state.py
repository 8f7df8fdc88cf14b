"""The run page of a run awaiting approval: who must decide, Approve / Reject for approvers, a
plain refusal for the requester (four-eyes), and the decision shown afterwards."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from projecthub.models import ProvisioningRun, User
from projecthub.ui.state.dashboard import DashboardState
from projecthub.ui.state.run_progress import RunProgressState
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
    assert [r.status for r in admin_view.runs] == ["awaiting_approval"]
    for person in (member, viewer):  # the requester never; a viewer cannot approve
        view = as_user(DashboardState, db.get_one(User, person.user_id))
        view.load()
        assert view.approvals == []
