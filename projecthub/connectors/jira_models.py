"""Typed results of the Jira connector, parsed from Jira Cloud's JSON (camelCase on the wire)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import AliasPath, BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

StatusCategoryKey = Literal["new", "indeterminate", "done", "undefined"]


class _JiraModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True,
                              extra="ignore")


class JiraUser(_JiraModel):
    """A Jira account; ``email_address`` is absent when the user's privacy settings hide it."""

    account_id: str
    display_name: str = ""
    email_address: str | None = None
    active: bool = True
    account_type: str = "atlassian"


class JiraProject(_JiraModel):
    id: str
    key: str
    name: str
    project_type_key: str | None = None
    self_url: str | None = Field(default=None, alias="self")
    lead_account_id: str | None = Field(default=None,
                                        validation_alias=AliasPath("lead", "accountId"))
    lead_email: str | None = Field(default=None,
                                   validation_alias=AliasPath("lead", "emailAddress"))
    archived: bool = False


class CreatedProject(_JiraModel):
    """What ``POST /project`` answers: the new id (an integer here, unlike elsewhere) and key."""

    id: int
    key: str
    self_url: str = Field(alias="self")


class JiraWebhook(_JiraModel):
    """An admin webhook as ``/rest/webhooks/1.0/webhook`` answers it; its id ends ``self``."""

    self_url: str = Field(alias="self")
    name: str = ""
    url: str = ""

    @property
    def id(self) -> str:
        return self.self_url.rstrip("/").rsplit("/", 1)[-1]


class ProjectRole(_JiraModel):
    id: int
    name: str
    actor_account_ids: tuple[str, ...] = ()

    @classmethod
    def from_wire(cls, body: dict[str, Any]) -> ProjectRole:
        """Keep only user actors' account ids; group actors are not ours to manage."""
        users = tuple(a["actorUser"]["accountId"] for a in body.get("actors", [])
                      if isinstance(a.get("actorUser"), dict) and "accountId" in a["actorUser"])
        return cls(id=body["id"], name=body["name"], actor_account_ids=users)


class KeyCheck(_JiraModel):
    """Result of checking a project key: ``problem`` is Jira's own words, ``None`` if usable."""

    key: str
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


class IssueCounts(_JiraModel):
    """Approximate issue counts per status category (Jira's search counts are eventually
    consistent, so a just-created issue may be missing)."""

    to_do: int
    in_progress: int
    done: int

    @property
    def total(self) -> int:
        return self.to_do + self.in_progress + self.done


class JiraIssue(_JiraModel):
    id: str
    key: str
    summary: str | None = Field(default=None, validation_alias=AliasPath("fields", "summary"))
    status: str | None = Field(default=None, validation_alias=AliasPath("fields", "status", "name"))
    status_category: StatusCategoryKey | None = Field(
        default=None, validation_alias=AliasPath("fields", "status", "statusCategory", "key"))
    created: datetime | None = Field(default=None,
                                     validation_alias=AliasPath("fields", "created"))
    due_date: date | None = Field(default=None, validation_alias=AliasPath("fields", "duedate"))

    @field_validator("created", mode="before")
    @classmethod
    def _jira_offset(cls, value: object) -> object:
        """Jira writes offsets as ``+0000``; Python's ISO parser wants ``+00:00``."""
        if isinstance(value, str) and len(value) > 5 and value[-5] in "+-" and value[-3] != ":":
            return f"{value[:-2]}:{value[-2:]}"
        return value


class ChangedIssue(_JiraModel):
    """An issue a change query found: only which project it is in (``fields=project``)."""

    id: str
    key: str
    project_key: str = Field(validation_alias=AliasPath("fields", "project", "key"))


class JiraBoard(_JiraModel):
    id: int
    name: str
    type: str
    project_key: str | None = Field(default=None,
                                    validation_alias=AliasPath("location", "projectKey"))


class JiraSprint(_JiraModel):
    id: int
    name: str
    state: Literal["future", "active", "closed"]
    start_date: datetime | None = None
    end_date: datetime | None = None
    complete_date: datetime | None = None
    goal: str | None = None
    origin_board_id: int | None = None


class SprintProgress(IssueCounts):
    """A board's active sprint with its issues per status category (approximate counts)."""

    id: int
    board_id: int
    name: str
    start: datetime | None = None
    end: datetime | None = None
    goal: str | None = None

    @property
    def percent_done(self) -> float | None:
        """Done issues as a share of all the sprint's issues (0-100, one decimal); ``None`` for
        a sprint without issues, where no share exists."""
        return round(100 * self.done / self.total, 1) if self.total else None


__all__ = [
    "ChangedIssue",
    "CreatedProject",
    "IssueCounts",
    "JiraBoard",
    "JiraIssue",
    "JiraProject",
    "JiraSprint",
    "JiraUser",
    "KeyCheck",
    "ProjectRole",
    "SprintProgress",
]
