"""The bell and notification choices over the API: a person's notifications in an
organization, marking them read, their own choices, and the organization's defaults."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from projecthub.api.deps import DbDep, PrincipalDep
from projecthub.models import DeliveryMode, NotificationChannel, NotificationEvent
from projecthub.services.notifications import inbox, preferences
from projecthub.services.notifications.inbox import NotificationView

router = APIRouter(prefix="/orgs/{org_slug}", tags=["notifications"])


class NotificationPublic(NotificationView):
    """``link`` is the app page (a path) that explains the event."""


class UnreadCount(BaseModel):
    unread: int


class MarkedRead(BaseModel):
    marked: int


class ChoicePublic(BaseModel):
    event: NotificationEvent
    channel: NotificationChannel
    mode: DeliveryMode


class ChoicesUpdate(BaseModel):
    choices: list[ChoicePublic] = Field(max_length=100)


def _choices(items: list[preferences.Choice]) -> list[ChoicePublic]:
    return [ChoicePublic(event=c.event, channel=c.channel, mode=c.mode) for c in items]


def _parsed(body: ChoicesUpdate) -> list[preferences.Choice]:
    return [preferences.Choice(c.event, c.channel, c.mode) for c in body.choices]


@router.get("/notifications", response_model=list[NotificationPublic])
def list_notifications(db: DbDep, principal: PrincipalDep,
                       unread: bool = False) -> list[NotificationPublic]:
    """Newest first (at most 50)."""
    return [NotificationPublic.model_validate(v)
            for v in inbox.list_notifications(db, principal, unread_only=unread)]


@router.get("/notifications/unread-count", response_model=UnreadCount)
def count_unread(db: DbDep, principal: PrincipalDep) -> UnreadCount:
    return UnreadCount(unread=inbox.unread_count(db, principal))


@router.post("/notifications/{notification_id}/read", status_code=status.HTTP_204_NO_CONTENT)
def mark_read(notification_id: uuid.UUID, db: DbDep, principal: PrincipalDep) -> None:
    inbox.mark_read(db, principal, notification_id)


@router.post("/notifications/read-all", response_model=MarkedRead)
def mark_all_read(db: DbDep, principal: PrincipalDep) -> MarkedRead:
    return MarkedRead(marked=inbox.mark_all_read(db, principal))


@router.get("/notification-preferences", response_model=list[ChoicePublic])
def read_my_choices(db: DbDep, principal: PrincipalDep) -> list[ChoicePublic]:
    """The caller's choice for each event and channel, over this organization's defaults."""
    return _choices(preferences.effective_choices(db, principal))


@router.put("/notification-preferences", response_model=list[ChoicePublic])
def update_my_choices(body: ChoicesUpdate, db: DbDep,
                      principal: PrincipalDep) -> list[ChoicePublic]:
    preferences.set_user_choices(db, principal.actor, _parsed(body))
    return _choices(preferences.effective_choices(db, principal))


@router.get("/notification-defaults", response_model=list[ChoicePublic])
def read_org_defaults(db: DbDep, principal: PrincipalDep) -> list[ChoicePublic]:
    return _choices(preferences.defaults_grid(db, principal))


@router.put("/notification-defaults", response_model=list[ChoicePublic])
def update_org_defaults(body: ChoicesUpdate, db: DbDep,
                        principal: PrincipalDep) -> list[ChoicePublic]:
    """Admins and owners only."""
    preferences.set_org_defaults(db, principal, _parsed(body))
    return _choices(preferences.defaults_grid(db, principal))
