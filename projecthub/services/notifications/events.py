"""Emitting an event: one bell entry per recipient and the deliveries their choices ask for,
written in the caller's transaction so they exist only if the change they describe commits.

Coalescing: an event with a ``coalesce_key`` (a project's health) that arrives within the
organization's interval of an earlier one with the same key updates it instead of adding
another; when it returns to where it started (green → red → green) the pending entry and its
undelivered messages are dropped. Deliveries of such events wait for the interval to pass, so
a flapping health produces at most one message per interval."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlmodel import Session, col, delete, select

from projecthub.core.clock import utcnow
from projecthub.models import (
    DeliveryMode,
    DeliveryStatus,
    HealthLevel,
    Invitation,
    Membership,
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
    ToolConnection,
    User,
)
from projecthub.services.notifications.preferences import (
    coalesce_minutes,
    modes_for,
    most_eager,
)

DIGEST_HOUR = 7  # UTC: the daily digest leaves once a day, in the morning in Europe


@dataclass(frozen=True)
class Event:
    """What happened, for whom, and the app page that explains it (``link``, a path)."""

    kind: NotificationEvent
    org_id: uuid.UUID
    recipients: list[uuid.UUID]
    title: str
    body: str
    link: str
    reason: str  # why the person gets it: "you own project X"
    project_id: uuid.UUID | None = None
    coalesce_key: str = ""
    start: str = ""  # the coalesced value before the change (e.g. the previous health)
    end: str = ""  # and after it
    extra: dict[str, str] = field(default_factory=dict)


def next_digest(now: datetime) -> datetime:
    today = datetime.combine(now.date(), time(DIGEST_HOUR), tzinfo=now.tzinfo)
    return today if today > now else today + timedelta(days=1)


def emit(session: Session, event: Event, now: datetime | None = None) -> list[Notification]:
    """Record the event for each active member among its recipients (another organization's
    people never get it); returns the bell entries written or updated."""
    now = now or utcnow()
    recipients = _active_members(session, event.org_id, event.recipients)
    if not recipients:
        return []
    org = session.get(Organization, event.org_id)
    assert org is not None
    window = timedelta(minutes=coalesce_minutes(org)) if event.coalesce_key else timedelta(0)
    entries = []
    emails = modes_for(session, event.org_id, recipients, event.kind, NotificationChannel.EMAIL)
    teams = modes_for(session, event.org_id, recipients, event.kind, NotificationChannel.TEAMS)
    for user_id in recipients:
        entry = _coalesce(session, event, user_id, now, window)
        if entry is None:
            continue
        entries.append(entry)
        _deliver(session, event, user_id, NotificationChannel.EMAIL, emails[user_id], now, window)
    if entries or not event.coalesce_key:
        _deliver(session, event, None, NotificationChannel.TEAMS, most_eager(teams.values()),
                 now, window)
    return entries


def _active_members(session: Session, org_id: uuid.UUID,
                    users: list[uuid.UUID]) -> list[uuid.UUID]:
    found = set(session.exec(select(Membership.user_id).where(
        Membership.organization_id == org_id, col(Membership.user_id).in_(users),
        col(Membership.is_active).is_(True))).all())
    return [u for u in dict.fromkeys(users) if u in found]


def _coalesce(session: Session, event: Event, user_id: uuid.UUID, now: datetime,
              window: timedelta) -> Notification | None:
    """The user's entry for this event: a recent one with the same key updated, or a new one;
    None when the change undid itself within the interval (the entry is then dropped)."""
    entry = None
    if event.coalesce_key:
        entry = session.exec(select(Notification).where(
            Notification.organization_id == event.org_id, Notification.user_id == user_id,
            Notification.coalesce_key == event.coalesce_key,
            col(Notification.created_at) >= now - window)
            .order_by(col(Notification.created_at).desc())).first()
    if entry is not None and entry.payload.get("start", "") == event.end:
        _drop_pending(session, event, user_id)
        session.delete(entry)
        return None
    if entry is None:
        entry = Notification(organization_id=event.org_id, user_id=user_id, event=event.kind,
                             project_id=event.project_id, title="", created_at=now,
                             coalesce_key=event.coalesce_key,
                             payload={"start": event.start, **event.extra})
    entry.title, entry.body, entry.link = event.title[:300], event.body, event.link[:500]
    entry.payload = {**entry.payload, "end": event.end}
    entry.updated_at, entry.read_at = now, None
    session.add(entry)
    return entry


def _drop_pending(session: Session, event: Event, user_id: uuid.UUID) -> None:
    """Undelivered messages of a change that undid itself: the person's and the channel's."""
    session.execute(delete(NotificationDelivery).where(
        col(NotificationDelivery.organization_id) == event.org_id,
        col(NotificationDelivery.coalesce_key) == event.coalesce_key,
        col(NotificationDelivery.status) == DeliveryStatus.PENDING,
        (col(NotificationDelivery.user_id) == user_id)
        | col(NotificationDelivery.user_id).is_(None)))


def _deliver(session: Session, event: Event, user_id: uuid.UUID | None,
             channel: NotificationChannel, mode: DeliveryMode, now: datetime,
             window: timedelta) -> None:
    if mode == DeliveryMode.OFF:
        return
    row = None
    if event.coalesce_key:
        row = session.exec(select(NotificationDelivery).where(
            NotificationDelivery.organization_id == event.org_id,
            NotificationDelivery.coalesce_key == event.coalesce_key,
            NotificationDelivery.channel == channel,
            NotificationDelivery.status == DeliveryStatus.PENDING,
            col(NotificationDelivery.user_id).is_(None) if user_id is None
            else NotificationDelivery.user_id == user_id)).first()
    if row is None:
        due = now + window if mode == DeliveryMode.IMMEDIATE else next_digest(now)
        row = NotificationDelivery(organization_id=event.org_id, user_id=user_id,
                                   channel=channel, mode=mode, event=event.kind,
                                   project_id=event.project_id, title="", due_at=due,
                                   coalesce_key=event.coalesce_key, created_at=now)
    row.title, row.body, row.link = event.title[:300], event.body, event.link[:500]
    row.reason = event.reason[:300]
    session.add(row)


# --- the events, called where they happen -------------------------------------------------

_HEALTH_WORDS = {HealthLevel.GREEN: "green", HealthLevel.AMBER: "amber", HealthLevel.RED: "red",
                 HealthLevel.UNKNOWN: "unknown"}


def project_people(session: Session, project: Project) -> list[uuid.UUID]:
    """The owner and the members of a project."""
    members = session.exec(select(ProjectMember.user_id).where(
        ProjectMember.project_id == project.id)).all()
    return [u for u in [project.owner_id, *members] if u is not None]


def _admins(session: Session, org_id: uuid.UUID) -> list[uuid.UUID]:
    return list(session.exec(select(Membership.user_id).where(
        Membership.organization_id == org_id,
        col(Membership.role).in_([Role.OWNER, Role.ADMIN]))).all())


def health_changed(session: Session, project: Project, before: HealthLevel,
                   after: HealthLevel, reasons: list[Reason],
                   now: datetime | None = None) -> list[Notification]:
    """From the status roll-up: a project's colour moved (first colours are not news)."""
    if before == after or before == HealthLevel.UNKNOWN:
        return []
    why = [r.text for r in reasons] or ["No rule flags the project any more."]
    return emit(session, Event(
        NotificationEvent.HEALTH_CHANGED, project.organization_id, project_people(session, project),
        title=f"{project.name} ({project.key}) is now {_HEALTH_WORDS[after]}",
        body=f"Health went from {_HEALTH_WORDS[before]} to {_HEALTH_WORDS[after]}.\n"
             + "\n".join(f"- {text}" for text in why),
        link=f"/projects/{project.id}", project_id=project.id,
        reason=f"you own or are a member of project {project.key}",
        coalesce_key=f"health:{project.id}", start=before.value, end=after.value), now)


def run_finished(session: Session, run: ProvisioningRun,
                 now: datetime | None = None) -> list[Notification]:
    """From the provisioning runner: a failure goes to the starter and the project's owner, a
    success to whoever started the run."""
    project = session.get(Project, run.project_id)
    if project is None:
        return []
    starter = [run.created_by_id] if run.created_by_id else []
    if run.status == "succeeded":
        return emit(session, Event(
            NotificationEvent.RUN_SUCCEEDED, run.organization_id, starter,
            title=f"{project.name} is set up in its tools",
            body="Every step of the provisioning run finished.", link=f"/runs/{run.id}",
            project_id=project.id, reason="you started this provisioning run"), now)
    if run.status != "failed":
        return []
    return emit(session, Event(
        NotificationEvent.RUN_FAILED, run.organization_id,
        [*starter, *([project.owner_id] if project.owner_id else [])],
        title=f"Provisioning {project.name} failed",
        body=run.error or "A step failed; fix the cause and retry.", link=f"/runs/{run.id}",
        project_id=project.id, reason=f"you started the run or own project {project.key}"), now)


_RUN_WORDS = {"provision": "Setting up", "lifecycle": "A lifecycle change of",
              "edit": "A change to"}


def approval_requested(session: Session, run: ProvisioningRun, approvers: list[uuid.UUID],
                       who: str, now: datetime | None = None) -> list[Notification]:
    """A run waits for approval (services/provisioning/approvals.py): its approvers decide."""
    project = session.get(Project, run.project_id)
    if project is None:
        return []
    starter = session.get(User, run.created_by_id) if run.created_by_id else None
    by = f" by {starter.display_name or starter.email}" if starter else ""
    return emit(session, Event(
        NotificationEvent.RUN_NEEDS_DECISION, run.organization_id, approvers,
        title=f"{_RUN_WORDS.get(run.kind, 'A run of')} {project.name} awaits your approval",
        body=f"A run for {project.name} ({project.key}) was started{by} and waits for "
             f"{who} to approve or reject it. Nothing is created in any tool until then.",
        link=f"/runs/{run.id}", project_id=project.id,
        reason="you are one of the approvers of this project's template"), now)


def approval_decided(session: Session, run: ProvisioningRun, *, approved: bool,
                     now: datetime | None = None) -> list[Notification]:
    """Tell whoever started the run what was decided: an approval as a decision, a rejection
    as its own event ("rejected by X: comment"), so muting failures does not mute it."""
    project = session.get(Project, run.project_id)
    if project is None or run.created_by_id is None:
        return []
    decider = session.get(User, run.decided_by_id) if run.decided_by_id else None
    by = (decider.display_name or decider.email) if decider else "an approver"
    if approved:
        comment = f"\n\n{run.decision_comment}" if run.decision_comment else ""
        kind = NotificationEvent.RUN_NEEDS_DECISION
        title = f"Your run for {project.name} was approved"
        body = f"{by} approved the run for {project.name} ({project.key}). It starts now.{comment}"
    else:
        kind = NotificationEvent.RUN_REJECTED
        title = f"Your run for {project.name} was rejected by {by}"
        body = (f"Rejected by {by}: {run.decision_comment}\n\n"
                f"Nothing was created or changed in any tool for {project.name} ({project.key}).")
    return emit(session, Event(kind, run.organization_id, [run.created_by_id], title=title,
                               body=body, link=f"/runs/{run.id}", project_id=project.id,
                               reason="you started this run"), now)


def connection_failing(session: Session, connection: ToolConnection, message: str,
                       now: datetime | None = None) -> list[Notification]:
    """A connection that worked (or was never tested) is refused: admins must act."""
    return emit(session, Event(
        NotificationEvent.CONNECTION_FAILING, connection.organization_id,
        _admins(session, connection.organization_id),
        title=f"The {connection.tool} connection {connection.name} is failing",
        body=message, link="/org/connections",
        reason="you are an owner or admin of the organization",
        coalesce_key=f"connection:{connection.id}", start="ok", end="failing"), now)


def drift_detected(session: Session, project: Project, summary: str,
                   now: datetime | None = None) -> list[Notification]:
    """For the drift work: a project's tools no longer match what ProjectHub created."""
    return emit(session, Event(
        NotificationEvent.DRIFT_DETECTED, project.organization_id,
        project_people(session, project), title=f"{project.name} drifted from its tools",
        body=summary, link=f"/projects/{project.id}", project_id=project.id,
        reason=f"you own or are a member of project {project.key}",
        coalesce_key=f"drift:{project.id}", start="", end=summary[:80]), now)


def invitation_accepted(session: Session, invitation: Invitation,
                        now: datetime | None = None) -> list[Notification]:
    """Tell whoever invited the person (or, when that account is gone, the owners)."""
    people = [invitation.invited_by_id] if invitation.invited_by_id else []
    if not people:
        people = _admins(session, invitation.organization_id)
    user = session.get(User, invitation.accepted_by_id) if invitation.accepted_by_id else None
    who = f"{user.display_name} ({user.email})" if user else invitation.email
    return emit(session, Event(
        NotificationEvent.INVITATION_ACCEPTED, invitation.organization_id, people,
        title=f"{who} joined as {invitation.role}",
        body=f"{who} accepted the invitation and is now a {invitation.role}.",
        link="/org/members", reason="you invited this person"), now)
