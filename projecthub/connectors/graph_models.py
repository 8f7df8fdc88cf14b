"""Typed results of the Microsoft Graph connector, parsed from Graph v1.0 JSON (camelCase)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AliasPath, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

OperationStatus = Literal["invalid", "notStarted", "inProgress", "succeeded", "failed",
                          "unknownFutureValue"]


class _GraphModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True,
                              extra="ignore")


class GraphIdentity(_GraphModel):
    """Who the connection acts as: an app in a directory, with its consented app roles.

    Read from the access token's claims (``tid``, ``appid``, ``roles``); Microsoft does not
    promise Graph tokens stay readable, so everything but the tenant may come back empty.
    """

    tenant_id: str
    app_id: str | None = None
    app_display_name: str | None = None
    roles: tuple[str, ...] = ()


class GraphSubscription(_GraphModel):
    """A change-notification subscription: Graph deletes it at ``expiration_date_time`` unless
    renewed (``PATCH /subscriptions/{id}``)."""

    id: str
    resource: str = ""
    change_type: str = ""
    expiration_date_time: datetime


class GraphUser(_GraphModel):
    id: str
    display_name: str | None = None
    mail: str | None = None
    user_principal_name: str | None = None
    account_enabled: bool | None = None


class GraphGroup(_GraphModel):
    """A Microsoft 365 group; a team is a group whose provisioning options include ``Team``."""

    id: str
    display_name: str | None = None
    mail_nickname: str | None = None
    mail: str | None = None
    visibility: str | None = None
    resource_provisioning_options: tuple[str, ...] = ()

    @property
    def is_team(self) -> bool:
        return "Team" in self.resource_provisioning_options


class DeltaGroup(_GraphModel):
    """A group as a delta page lists it; only its id is read (a deleted one has ``@removed``)."""

    id: str


class GroupDeltaPage(_GraphModel):
    """One page of ``/groups/delta``: the groups created, changed or deleted (a deleted one
    carries ``@removed``; only ids are read here), then the next page's link or, on the last
    page, the next round's."""

    value: tuple[DeltaGroup, ...] = ()
    next_link: str | None = Field(default=None, alias="@odata.nextLink")
    delta_link: str | None = Field(default=None, alias="@odata.deltaLink")


class GroupChanges(_GraphModel):
    """Groups changed since a delta link (``None``: Graph cannot say, so any may have: there
    was no link, or Graph had forgotten it) and the link the next call starts from."""

    group_ids: frozenset[str] | None
    delta_link: str


class TeamCreation(_GraphModel):
    """What ``POST /teams`` answers before the team exists: its id and the operation to poll.

    Record ``team_id`` before polling: a retried create makes a second team, since display names
    are not unique.
    """

    team_id: str
    operation_id: str
    # Seconds the 202 asked us to wait before the first poll (``Retry-After``), if it did.
    retry_after: float | None = None


class OperationError(_GraphModel):
    code: str | None = None
    message: str | None = None


class TeamsAsyncOperation(_GraphModel):
    id: str
    status: OperationStatus
    operation_type: str | None = None
    target_resource_id: str | None = None
    attempts_count: int | None = None
    error: OperationError | None = None


class GraphTeam(_GraphModel):
    id: str
    display_name: str | None = None
    description: str | None = None
    web_url: str | None = None
    is_archived: bool | None = None


class TeamMember(_GraphModel):
    """An ``aadUserConversationMember``: ``id`` is the membership, ``user_id`` the person."""

    id: str
    user_id: str | None = None
    display_name: str | None = None
    email: str | None = None
    roles: tuple[str, ...] = ()


class GraphChannel(_GraphModel):
    id: str
    display_name: str
    description: str | None = None
    membership_type: str | None = None
    web_url: str | None = None


class ChatMessage(_GraphModel):
    """A message posted in a channel (``chatMessage``); only what a sender needs back."""

    id: str
    web_url: str | None = None
    subject: str | None = None


class PlannerPlan(_GraphModel):
    id: str
    title: str
    etag: str = Field(default="", validation_alias="@odata.etag")  # Planner's If-Match
    group_id: str | None = Field(default=None,
                                 validation_alias=AliasPath("container", "containerId"))


class PlannerTask(_GraphModel):
    """Planner's progress is three-valued: ``percent_complete`` is 0, 50 or 100."""

    id: str
    title: str
    percent_complete: int = 0
    due_date_time: datetime | None = None
    completed_date_time: datetime | None = None

    @property
    def done(self) -> bool:
        return self.percent_complete >= 100


class PlannerTaskCounts(_GraphModel):
    """Tasks of one plan by progress; ``overdue`` counts open tasks whose due time has passed."""

    not_started: int
    in_progress: int
    done: int
    overdue: int

    @property
    def open(self) -> int:
        return self.not_started + self.in_progress

    @property
    def total(self) -> int:
        return self.open + self.done


__all__ = [
    "DeltaGroup",
    "GraphChannel",
    "GraphGroup",
    "GraphIdentity",
    "GraphTeam",
    "GraphUser",
    "GroupChanges",
    "GroupDeltaPage",
    "OperationError",
    "OperationStatus",
    "PlannerPlan",
    "PlannerTask",
    "PlannerTaskCounts",
    "TeamCreation",
    "TeamMember",
    "TeamsAsyncOperation",
]
