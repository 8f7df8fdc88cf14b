"""Approval before a run touches any tool: the run waits, no worker takes it, an approver
(never the requester) approves or rejects it, and a rejected run creates nothing anywhere."""

from __future__ import annotations

import pytest
from sqlmodel import select

from projecthub.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from projecthub.models import (
    AuditEvent,
    DeliveryMode,
    Notification,
    NotificationChannel,
    NotificationDelivery,
    NotificationEvent,
    ProjectResource,
    Role,
    RunStatus,
    StepStatus,
)
from projecthub.services.notifications.preferences import Choice, set_user_choices
from projecthub.services.provisioning import decisions, ledger, lifecycle, service
from projecthub.services.provisioning.runner import drive_run
from projecthub.services.templates import library
from tests.factories import add_member, make_org, owner_principal, principal, user_of
from tests.services.provisioning.approval_world import (
    gated_template,
    people,
    start,
    tool_requests,
    waiting_archive,
)
from tests.services.provisioning.world import TENANT, build_world


@pytest.fixture
def world(db):
    return build_world(db)


async def test_a_run_waits_for_approval_and_no_worker_takes_it(world, db):
    member, _, _ = people(world)
    run = start(world, member, gated_template(world))
    view = service.get_run(db, member, run.id)
    assert view.status == RunStatus.AWAITING_APPROVAL
    assert view.approval is not None and view.approval.approvers == Role.ADMIN
    assert await drive_run(run.id, world.config()) is None
    assert run.id not in ledger.system_abandoned_runs(db)
    assert tool_requests(world) == 0
    [event] = db.exec(select(AuditEvent).where(
        AuditEvent.action == "run.approval_requested")).all()
    assert event.actor_id == member.user_id


async def test_approval_starts_the_run_and_it_completes(world, db):
    member, admin, _ = people(world)
    run = start(world, member, gated_template(world))
    decisions.approve_run(db, admin, run.id, comment="Budget confirmed")
    db.commit()
    assert service.get_run(db, admin, run.id).status == RunStatus.PENDING
    assert await drive_run(run.id, world.config()) == RunStatus.SUCCEEDED
    view = service.get_run(db, member, run.id)
    assert view.approval is not None
    assert (view.approval.decided_by_id, view.approval.comment) == (admin.user_id,
                                                                    "Budget confirmed")
    assert "WEBX" in world.sandbox.vendors["jira"].tenant(TENANT).projects
    actions = [e.action for e in db.exec(select(AuditEvent)).all()]
    assert "run.approved" in actions


async def test_a_rejected_run_creates_nothing_in_any_tool(world, db):
    member, admin, _ = people(world)
    run = start(world, member, gated_template(world))
    with pytest.raises(Invalid):
        decisions.reject_run(db, admin, run.id, comment="   ")
    decisions.reject_run(db, admin, run.id, comment="Not a client project")
    db.commit()
    assert await drive_run(run.id, world.config()) is None
    view = service.get_run(db, member, run.id)
    assert view.status == RunStatus.REJECTED
    assert {s.status for s in view.steps} == {StepStatus.CANCELLED}
    assert view.finished_at is not None
    assert tool_requests(world) == 0
    assert world.sandbox.vendors["jira"].tenant(TENANT).projects == {}
    assert db.exec(select(ProjectResource)).all() == []
    [event] = db.exec(select(AuditEvent).where(AuditEvent.action == "run.rejected")).all()
    assert event.detail["comment"] == "Not a client project"


def test_the_requester_cannot_approve_their_own_run(world, db):
    _, admin, _ = people(world)
    run = start(world, admin, gated_template(world))
    with pytest.raises(PermissionDenied, match="someone else"):
        decisions.approve_run(db, admin, run.id)
    assert decisions.pending_approvals(db, admin) == []
    assert [p.run_id for p in decisions.pending_approvals(db, world.owner_principal)] == [
        run.id]


def test_members_and_viewers_cannot_decide_on_an_admin_gate(world, db):
    member, admin, viewer = people(world)
    run = start(world, admin, gated_template(world),
                 members=[str(member.user_id), str(viewer.user_id)])
    with pytest.raises(PermissionDenied, match="owner or admin"):
        decisions.approve_run(db, member, run.id)
    with pytest.raises(PermissionDenied):
        decisions.reject_run(db, viewer, run.id, comment="no")
    assert decisions.pending_approvals(db, member) == []
    assert decisions.pending_approvals(db, viewer) == []


def test_a_member_gate_lets_a_project_member_decide(world, db):
    member, admin, _ = people(world)
    outsider = principal(db, user_of(db, add_member(db, world.org)), world.org)
    run = start(world, admin, gated_template(
        world, "approval: {required: true, approvers: member}\n"),
        members=[str(member.user_id)])
    assert decisions.pending_approvals(db, outsider) == []
    with pytest.raises(NotFound):  # a project the outsider cannot see
        decisions.approve_run(db, outsider, run.id)
    assert [p.run_id for p in decisions.pending_approvals(db, member)] == [run.id]
    decisions.approve_run(db, member, run.id)


def test_a_second_decision_is_a_conflict(world, db):
    member, admin, _ = people(world)
    run = start(world, member, gated_template(world))
    decisions.approve_run(db, admin, run.id)
    db.commit()
    with pytest.raises(Conflict):
        decisions.reject_run(db, world.owner_principal, run.id, comment="too late")
    with pytest.raises(Conflict):
        decisions.approve_run(db, admin, run.id)


def test_another_organizations_run_is_not_found(world, db):
    member, _, _ = people(world)
    run = start(world, member, gated_template(world))
    stranger_org = make_org(db, slug="globex")
    stranger = owner_principal(db, stranger_org)
    with pytest.raises(NotFound):
        decisions.approve_run(db, stranger, run.id)
    assert decisions.pending_approvals(db, stranger) == []


def test_approvers_are_notified_and_the_requester_hears_the_outcome(world, db):
    member, admin, _ = people(world)
    run = start(world, member, gated_template(world))
    asked = db.exec(select(Notification).where(
        Notification.event == NotificationEvent.RUN_NEEDS_DECISION)).all()
    assert {n.user_id for n in asked} == {admin.user_id, world.owner.id}
    mails = db.exec(select(NotificationDelivery).where(
        NotificationDelivery.event == NotificationEvent.RUN_NEEDS_DECISION)).all()
    assert {d.user_id for d in mails} >= {admin.user_id}
    decisions.reject_run(db, admin, run.id, comment="Use the retainer project")
    db.commit()
    [told] = db.exec(select(Notification).where(Notification.user_id == member.user_id)).all()
    assert told.event == NotificationEvent.RUN_REJECTED
    assert told.title == "Your run for Website relaunch was rejected by Ada Admin"
    assert told.body.startswith("Rejected by Ada Admin: Use the retainer project\n\n")


def _rejected_mails(world, db, muted: NotificationEvent) -> list[NotificationDelivery]:
    """Mails the requester gets for a rejection when she turned ``muted`` mail off."""
    member, admin, _ = people(world)
    set_user_choices(db, member.actor, [Choice(muted, NotificationChannel.EMAIL,
                                               DeliveryMode.OFF)])
    run = start(world, member, gated_template(world))
    decisions.reject_run(db, admin, run.id, comment="Use the retainer project")
    db.commit()
    return list(db.exec(select(NotificationDelivery).where(
        NotificationDelivery.user_id == member.user_id)).all())


def test_muting_failures_does_not_mute_rejections(world, db):
    [mail] = _rejected_mails(world, db, NotificationEvent.RUN_FAILED)
    assert mail.event == NotificationEvent.RUN_REJECTED


def test_muting_rejections_stops_their_mail_but_not_the_bell(world, db):
    assert _rejected_mails(world, db, NotificationEvent.RUN_REJECTED) == []
    assert db.exec(select(Notification.event)).all().count(NotificationEvent.RUN_REJECTED) == 1


def test_approval_can_depend_on_an_answer(world, db):
    member, _, _ = people(world)
    version = gated_template(world, "approval:\n  approvers: admin\n"
                                     "  when: {field: project_type, equals: client}\n")
    internal = start(world, member, version)
    assert service.get_run(db, member, internal.id).status == RunStatus.PENDING
    assert service.get_run(db, member, internal.id).approval is None


def test_cancelling_a_waiting_run_and_retrying_it_asks_again(world, db):
    member, admin, _ = people(world)
    run = start(world, member, gated_template(world))
    service.cancel_run(db, member, run.id)
    db.commit()
    assert service.retry_run(db, member, run.id).status == RunStatus.AWAITING_APPROVAL
    db.commit()
    decisions.approve_run(db, admin, run.id)


def test_a_template_names_an_unknown_role_with_its_line(world):
    with pytest.raises(Invalid) as caught:
        library.create_template(world.db, world.owner_principal,
                                source=library.default_source()
                                + "approval: {required: true, approvers: viewer}\n")
    assert caught.value.message.startswith("line ")
    assert "approval.approvers" in caught.value.message


async def test_a_lifecycle_change_of_a_gated_project_waits_too(world, db):
    member, admin, _ = people(world)
    archive = await waiting_archive(world, member, admin)
    assert await drive_run(archive.id, world.config()) is None
    with pytest.raises(Conflict):  # one run per project at a time, a waiting one included
        lifecycle.start_lifecycle_change(db, member, archive.project_id, "completed")
    decisions.approve_run(db, admin, archive.id)
    db.commit()
    assert await drive_run(archive.id, world.config()) == RunStatus.SUCCEEDED
