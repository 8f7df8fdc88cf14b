"""Who wants what: a person's choice per event and channel, else the organization's default,
else the product's. Teams posts are shared by everyone in a channel, so one is sent when any
recipient wants it (the most eager choice wins)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from projecthub.core.errors import Invalid
from projecthub.models import (
    DeliveryMode,
    NotificationChannel,
    NotificationDefault,
    NotificationEvent,
    NotificationPreference,
    Organization,
    Role,
)
from projecthub.services import audit
from projecthub.services.principal import Actor, Principal, require_role

E = NotificationEvent
C = NotificationChannel
M = DeliveryMode
Key = tuple[NotificationEvent, NotificationChannel]

EVENT_LABELS: dict[NotificationEvent, str] = {
    E.HEALTH_CHANGED: "A project's health changes",
    E.RUN_FAILED: "A provisioning run fails",
    E.RUN_NEEDS_DECISION: "A run needs a decision",
    E.RUN_REJECTED: "A run I started is rejected",
    E.RUN_SUCCEEDED: "A run I started succeeds",
    E.CONNECTION_FAILING: "A tool connection starts failing",
    E.DRIFT_DETECTED: "A project drifts from its tools",
    E.INVITATION_ACCEPTED: "Someone accepts an invitation",
}
CHANNEL_LABELS: dict[NotificationChannel, str] = {C.EMAIL: "Email", C.TEAMS: "Teams channel"}
MODE_LABELS: dict[DeliveryMode, str] = {
    M.IMMEDIATE: "Immediately", M.DIGEST: "Daily digest", M.OFF: "Off"}

PRODUCT_DEFAULTS: dict[tuple[NotificationEvent, NotificationChannel], DeliveryMode] = {
    **{(event, C.EMAIL): M.IMMEDIATE for event in E},
    (E.DRIFT_DETECTED, C.EMAIL): M.DIGEST,
    (E.INVITATION_ACCEPTED, C.EMAIL): M.DIGEST,
    **{(event, C.TEAMS): M.OFF for event in E},
    (E.HEALTH_CHANGED, C.TEAMS): M.IMMEDIATE,
    (E.RUN_FAILED, C.TEAMS): M.IMMEDIATE,
}
_EAGERNESS = {M.OFF: 0, M.DIGEST: 1, M.IMMEDIATE: 2}
DEFAULT_COALESCE_MINUTES = 10


@dataclass(frozen=True)
class Choice:
    event: NotificationEvent
    channel: NotificationChannel
    mode: DeliveryMode


def parse_choices(raw: Iterable[dict[str, Any]]) -> list[Choice]:
    """Choices from an edge (JSON or a form); anything unknown is refused by name."""
    choices = []
    for item in raw:
        try:
            choices.append(Choice(NotificationEvent(str(item.get("event"))),
                                  NotificationChannel(str(item.get("channel"))),
                                  DeliveryMode(str(item.get("mode")))))
        except ValueError as exc:
            raise Invalid("Unknown event, channel or frequency.") from exc
    return choices


def org_defaults(session: Session, org_id: uuid.UUID) -> dict[Key, DeliveryMode]:
    chosen = dict(PRODUCT_DEFAULTS)
    for row in session.exec(select(NotificationDefault).where(
            NotificationDefault.organization_id == org_id)):
        chosen[(E(row.event), C(row.channel))] = M(row.mode)
    return chosen


def user_choices(session: Session, user_id: uuid.UUID) -> dict[Key, DeliveryMode]:
    return {(E(r.event), C(r.channel)): M(r.mode) for r in session.exec(
        select(NotificationPreference).where(NotificationPreference.user_id == user_id))}


def modes_for(session: Session, org_id: uuid.UUID, users: list[uuid.UUID],
              event: NotificationEvent,
              channel: NotificationChannel) -> dict[uuid.UUID, DeliveryMode]:
    """Each recipient's mode for one event and channel, in two queries."""
    default = org_defaults(session, org_id)[(event, channel)]
    rows = session.exec(select(NotificationPreference).where(
        col(NotificationPreference.user_id).in_(users), NotificationPreference.event == event,
        NotificationPreference.channel == channel)).all()
    own = {r.user_id: M(r.mode) for r in rows}
    return {user: own.get(user, default) for user in users}


def most_eager(modes: Iterable[DeliveryMode]) -> DeliveryMode:
    return max(modes, key=_EAGERNESS.__getitem__, default=M.OFF)


def effective_choices(session: Session, actor: Actor | Principal,
                      org_id: uuid.UUID | None = None) -> list[Choice]:
    """The account page's grid: the person's choices over the organization's defaults (the
    product's when they act in none)."""
    if isinstance(actor, Principal):
        org_id = actor.org_id
    base = org_defaults(session, org_id) if org_id else dict(PRODUCT_DEFAULTS)
    merged = {**base, **user_choices(session, actor.user_id)}
    return [Choice(event, channel, merged[(event, channel)]) for event in E for channel in C]


def set_user_choices(session: Session, actor: Actor, choices: list[Choice]) -> None:
    """Anyone may set their own choices; they apply in every organization they belong to."""
    existing = {(E(r.event), C(r.channel)): r for r in session.exec(
        select(NotificationPreference).where(NotificationPreference.user_id == actor.user_id))}
    for choice in choices:  # the same event and channel named twice: the last one counts
        row = existing.setdefault((choice.event, choice.channel), NotificationPreference(
            user_id=actor.user_id, event=choice.event, channel=choice.channel, mode=choice.mode))
        row.mode = choice.mode
        session.add(row)


def defaults_grid(session: Session, principal: Principal) -> list[Choice]:
    chosen = org_defaults(session, principal.org_id)
    return [Choice(event, channel, chosen[(event, channel)]) for event in E for channel in C]


def set_org_defaults(session: Session, principal: Principal, choices: list[Choice]) -> None:
    """Admins and owners set what members get until they choose for themselves."""
    require_role(principal, Role.ADMIN)
    existing = {(E(r.event), C(r.channel)): r for r in session.exec(select(
        NotificationDefault).where(NotificationDefault.organization_id == principal.org_id))}
    for choice in choices:  # the same event and channel named twice: the last one counts
        row = existing.setdefault((choice.event, choice.channel), NotificationDefault(
            organization_id=principal.org_id, event=choice.event, channel=choice.channel,
            mode=choice.mode))
        row.mode = choice.mode
        session.add(row)
    audit.record(session, principal, "notifications.defaults_changed",
                 target_type="organization", target_id=principal.org_id,
                 detail={"changed": len(choices)})


@dataclass(frozen=True)
class TeamsTarget:
    """The organization-wide alert channel (for events without a project team)."""

    connection_id: str = ""
    team_id: str = ""
    channel_id: str = ""


def notification_settings(org: Organization) -> dict[str, Any]:
    value = (org.settings or {}).get("notifications", {})
    return value if isinstance(value, dict) else {}


def coalesce_minutes(org: Organization) -> int:
    value = notification_settings(org).get("coalesce_minutes", DEFAULT_COALESCE_MINUTES)
    return value if isinstance(value, int) and value > 0 else DEFAULT_COALESCE_MINUTES


def alert_channel(org: Organization) -> TeamsTarget:
    teams = notification_settings(org).get("teams", {})
    if not isinstance(teams, dict):
        return TeamsTarget()
    return TeamsTarget(str(teams.get("connection_id") or ""), str(teams.get("team_id") or ""),
                       str(teams.get("channel_id") or ""))


def set_alert_channel(session: Session, principal: Principal, target: TeamsTarget,
                      coalesce: int | None = None) -> None:
    """Where organization-wide alerts go in Teams, and the flapping interval (admins)."""
    require_role(principal, Role.ADMIN)
    if coalesce is not None and not 1 <= coalesce <= 1440:
        raise Invalid("Choose an interval between 1 and 1440 minutes.",
                      {"coalesce_minutes": "Choose an interval between 1 and 1440 minutes."})
    if target.connection_id:
        try:
            uuid.UUID(target.connection_id)
        except ValueError as exc:
            raise Invalid("Choose a Graph connection.",
                          {"connection_id": "Choose a Graph connection."}) from exc
    org = session.get(Organization, principal.org_id)
    assert org is not None
    current = dict(notification_settings(org))
    current["teams"] = {"connection_id": target.connection_id, "team_id": target.team_id.strip(),
                        "channel_id": target.channel_id.strip()}
    if coalesce is not None:
        current["coalesce_minutes"] = coalesce
    org.settings = {**(org.settings or {}), "notifications": current}
    session.add(org)
    audit.record(session, principal, "notifications.alert_channel_changed",
                 target_type="organization", target_id=org.id, detail={})
