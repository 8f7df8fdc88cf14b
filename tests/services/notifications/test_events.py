"""Each event reaches the right people, honouring their choices and their organization's
defaults; a flapping health becomes one message; nothing crosses organizations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from projecthub.core.errors import NotFound
from projecthub.models import (
    DeliveryMode,
    HealthLevel,
    Invitation,
    Notification,
    NotificationChannel,
    NotificationDelivery,
    NotificationEvent,
    Organization,
    Project,
    ProjectMember,
    ProvisioningRun,
    Reason,
    Role,
    RunStatus,
    ToolConnection,
    User,
)
from projecthub.services.notifications import events, inbox, preferences
from projecthub.services.notifications.preferences import Choice
from tests.factories import add_member, make_org, make_user, principal, user_of

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
RED = [Reason(level=HealthLevel.RED, rule="overdue", text="6 Jira issues are overdue")]
GREEN = [Reason(level=HealthLevel.GREEN, rule="all_clear", text="No rule found a problem.")]


@pytest.fixture
def team(db: Session) -> tuple[Organization, Project, User, User, User]:
    """An organization whose project has an owner and a member, plus a bystander member."""
    owner = make_user(db, name="Olive Owner")
    org = make_org(db, owner)
    member = user_of(db, add_member(db, org))
    bystander = user_of(db, add_member(db, org))
    project = Project(organization_id=org.id, key="WEB", name="Website", owner_id=owner.id)
    db.add(project)
    db.flush()
    db.add(ProjectMember(organization_id=org.id, project_id=project.id, user_id=member.id))
    db.commit()
    return org, project, owner, member, bystander


def _bell(db: Session, user: User) -> list[Notification]:
    return list(db.exec(select(Notification).where(Notification.user_id == user.id)).all())


def _mails(db: Session, user: User) -> list[NotificationDelivery]:
    return list(db.exec(select(NotificationDelivery).where(
        NotificationDelivery.user_id == user.id,
        NotificationDelivery.channel == NotificationChannel.EMAIL)).all())


def _teams(db: Session) -> list[NotificationDelivery]:
    return list(db.exec(select(NotificationDelivery).where(
        NotificationDelivery.channel == NotificationChannel.TEAMS)).all())


def test_a_health_change_reaches_the_projects_people_with_its_reasons(db, team):
    _org, project, owner, member, bystander = team
    events.health_changed(db, project, HealthLevel.GREEN, HealthLevel.RED, RED, NOW)
    db.commit()
    for person in (owner, member):
        [entry] = _bell(db, person)
        assert entry.title == "Website (WEB) is now red"
        assert "6 Jira issues are overdue" in entry.body
        assert entry.link == f"/projects/{project.id}" and entry.read_at is None
        [mail] = _mails(db, person)
        assert mail.mode == DeliveryMode.IMMEDIATE and "member of project WEB" in mail.reason
    assert _bell(db, bystander) == [] and _mails(db, bystander) == []
    [post] = _teams(db)  # one channel post for the event, not one per person
    assert post.user_id is None and post.project_id == project.id


def test_first_colours_and_unchanged_colours_are_not_news(db, team):
    _org, project, owner, _member, _ = team
    events.health_changed(db, project, HealthLevel.UNKNOWN, HealthLevel.GREEN, GREEN, NOW)
    events.health_changed(db, project, HealthLevel.RED, HealthLevel.RED, RED, NOW)
    assert _bell(db, owner) == []


def test_flapping_within_the_interval_is_one_message(db, team):
    _org, project, owner, _member, _ = team
    events.health_changed(db, project, HealthLevel.GREEN, HealthLevel.RED, RED, NOW)
    events.health_changed(db, project, HealthLevel.RED, HealthLevel.AMBER, RED,
                          NOW + timedelta(minutes=2))
    db.commit()
    [entry] = _bell(db, owner)
    assert entry.title.endswith("is now amber") and "from red to amber" in entry.body
    [mail] = _mails(db, owner)
    assert mail.title.endswith("is now amber")
    assert mail.due_at == NOW + timedelta(minutes=preferences.DEFAULT_COALESCE_MINUTES)
    assert len(_teams(db)) == 1


def test_a_change_that_undoes_itself_within_the_interval_sends_nothing(db, team):
    _org, project, owner, member, _ = team
    events.health_changed(db, project, HealthLevel.GREEN, HealthLevel.RED, RED, NOW)
    events.health_changed(db, project, HealthLevel.RED, HealthLevel.GREEN, GREEN,
                          NOW + timedelta(minutes=3))
    db.commit()
    assert _bell(db, owner) == _bell(db, member) == []
    assert _mails(db, owner) == [] and _teams(db) == []


def test_after_the_interval_a_new_change_is_new_news(db, team):
    _org, project, owner, _member, _ = team
    events.health_changed(db, project, HealthLevel.GREEN, HealthLevel.RED, RED, NOW)
    events.health_changed(db, project, HealthLevel.RED, HealthLevel.GREEN, GREEN,
                          NOW + timedelta(minutes=30))
    assert len(_bell(db, owner)) == 2


def test_personal_choices_override_the_organizations_defaults(db, team):
    org, project, owner, member, _ = team
    preferences.set_user_choices(db, principal(db, member, org).actor, [
        Choice(NotificationEvent.HEALTH_CHANGED, NotificationChannel.EMAIL, DeliveryMode.OFF)])
    preferences.set_org_defaults(db, principal(db, owner, org), [
        Choice(NotificationEvent.HEALTH_CHANGED, NotificationChannel.EMAIL, DeliveryMode.DIGEST),
        Choice(NotificationEvent.HEALTH_CHANGED, NotificationChannel.TEAMS, DeliveryMode.OFF)])
    events.health_changed(db, project, HealthLevel.GREEN, HealthLevel.RED, RED, NOW)
    db.commit()
    assert _mails(db, member) == [] and len(_bell(db, member)) == 1  # the bell stays
    [digest] = _mails(db, owner)
    assert digest.mode == DeliveryMode.DIGEST
    assert digest.due_at == datetime(2026, 3, 3, events.DIGEST_HOUR, tzinfo=UTC)
    assert _teams(db) == []


def test_members_cannot_set_the_organizations_defaults(db, team):
    org, _project, _owner, member, _ = team
    with pytest.raises(Exception, match="admin"):
        preferences.set_org_defaults(db, principal(db, member, org), [])


def test_runs_tell_the_starter_of_success_and_starter_and_owner_of_failure(db, team):
    org, project, owner, member, bystander = team
    run = ProvisioningRun(organization_id=org.id, project_id=project.id,
                          status=RunStatus.SUCCEEDED, created_by_id=member.id)
    db.add(run)
    db.flush()
    events.run_finished(db, run, NOW)
    assert [n.event for n in _bell(db, member)] == [NotificationEvent.RUN_SUCCEEDED]
    assert _bell(db, owner) == []
    run.status, run.error = RunStatus.FAILED, "1 step(s) failed; fix the cause and retry."
    events.run_finished(db, run, NOW)
    assert {n.event for n in _bell(db, owner)} == {NotificationEvent.RUN_FAILED}
    [failed] = _bell(db, owner)
    assert failed.link == f"/runs/{run.id}" and "fix the cause" in failed.body
    assert _bell(db, bystander) == []


def test_a_failing_connection_tells_the_admins(db, team):
    org, _project, owner, member, _ = team
    admin = user_of(db, add_member(db, org, role=Role.ADMIN))
    connection = ToolConnection(organization_id=org.id, tool="jira", name="Jira",
                                base_url="https://acme.atlassian.net", auth_kind="token")
    db.add(connection)
    db.flush()
    events.connection_failing(db, connection, "The credentials were refused.", NOW)
    assert len(_bell(db, owner)) == len(_bell(db, admin)) == 1
    assert _bell(db, member) == []
    assert _bell(db, owner)[0].link == "/org/connections"


def test_an_accepted_invitation_tells_the_inviter(db, team):
    org, _project, owner, _member, _ = team
    newcomer = make_user(db, name="Nina New")
    db.add(add_member(db, org, newcomer))
    invitation = Invitation(organization_id=org.id, email=newcomer.email, role=Role.MEMBER,
                            token_hash="x" * 64, invited_by_id=owner.id, expires_at=NOW,
                            accepted_by_id=newcomer.id, accepted_at=NOW)
    db.add(invitation)
    db.flush()
    events.invitation_accepted(db, invitation, NOW)
    [entry] = _bell(db, owner)
    assert "Nina New" in entry.title and entry.link == "/org/members"
    assert _mails(db, owner)[0].mode == DeliveryMode.DIGEST  # the product's default


def test_people_of_another_organization_never_get_an_event(db, team):
    org, project, _owner, _member, _ = team
    stranger = make_user(db)
    make_org(db, stranger)
    db.add(ProjectMember(organization_id=org.id, project_id=project.id, user_id=stranger.id))
    db.commit()  # a stale project membership without an organization membership
    events.health_changed(db, project, HealthLevel.GREEN, HealthLevel.RED, RED, NOW)
    assert _bell(db, stranger) == [] and _mails(db, stranger) == []


def test_the_bell_lists_counts_and_marks_read_within_the_tenant(db, team):
    org, project, owner, member, _ = team
    events.health_changed(db, project, HealthLevel.GREEN, HealthLevel.RED, RED, NOW)
    db.commit()
    mine, theirs = principal(db, owner, org), principal(db, member, org)
    assert inbox.unread_count(db, mine) == 1
    [view] = inbox.list_notifications(db, mine)
    with pytest.raises(NotFound):
        inbox.mark_read(db, theirs, view.id)  # someone else's is not found
    other_org = make_org(db, owner)
    with pytest.raises(NotFound):
        inbox.mark_read(db, principal(db, owner, other_org), view.id)
    assert inbox.list_notifications(db, principal(db, owner, other_org)) == []
    inbox.mark_read(db, mine, view.id)
    assert inbox.unread_count(db, mine) == 0
    assert inbox.list_notifications(db, mine)[0].read
    assert inbox.mark_all_read(db, theirs) == 1 and inbox.unread_count(db, theirs) == 0
