"""Typed results of the Confluence connector, parsed from Confluence Cloud's JSON (camelCase).

One model serves v1 and v2 where the two describe the same thing (a space created through the v1
fallback is the same space), so callers never learn which API answered.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import AliasChoices, AliasPath, BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel


class _ConfluenceModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True,
                              extra="ignore")


class ConfluenceUser(_ConfluenceModel):
    """An Atlassian account as Confluence shows it; the same account id is valid in Jira.

    ``email`` is ``None`` when the user's privacy settings hide it (Confluence sends ``""``).
    """

    account_id: str
    display_name: str = ""
    public_name: str = ""
    email: str | None = None
    account_type: str = "atlassian"

    @field_validator("display_name", "public_name", mode="before")
    @classmethod
    def _null_is_empty(cls, value: object) -> object:
        return "" if value is None else value

    @field_validator("email", mode="before")
    @classmethod
    def _hidden_email(cls, value: object) -> object:
        return value or None


class UserSearchHit(_ConfluenceModel):
    """One result of v1 ``/search/user``, which wraps the user in a search hit."""

    user: ConfluenceUser


class ConfluenceSpace(_ConfluenceModel):
    """A space; ``id`` is always a string, although v1 sends it as a number."""

    id: str
    key: str
    name: str
    type: str = "global"
    status: str = "current"
    homepage_id: str | None = Field(
        default=None, validation_alias=AliasChoices("homepageId", AliasPath("homepage", "id")))
    web_path: str | None = Field(default=None, validation_alias=AliasPath("_links", "webui"))

    @field_validator("id", "homepage_id", mode="before")
    @classmethod
    def _number_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value


class PageVersion(_ConfluenceModel):
    """One saved version: its number, when it was saved and by whom (an account id)."""

    number: int
    created_at: datetime
    author_id: str | None = None


class ConfluencePage(_ConfluenceModel):
    """A page; ``parent_id`` is ``None`` only for pages at the root of the space tree."""

    id: str
    title: str
    space_id: str
    status: str = "current"
    parent_id: str | None = None
    author_id: str | None = None
    created_at: datetime | None = None
    version: PageVersion | None = None
    web_path: str | None = Field(default=None, validation_alias=AliasPath("_links", "webui"))


class ChangedPage(_ConfluenceModel):
    """A page a change query found: only which space it is in (``expand=space``)."""

    id: str
    space_key: str = Field(validation_alias=AliasPath("space", "key"))


class LastChange(_ConfluenceModel):
    """The latest edit in a space: which page, when, and who (a name when Confluence shows it)."""

    page_id: str
    page_title: str
    at: datetime
    by_account_id: str | None = None
    by_display_name: str | None = None


class SpacePermission(_ConfluenceModel):
    """One grant on a space (v2 ``SpacePermissionAssignment``): who it names (a user's account
    id, a group or a role), the operation and what it applies to."""

    id: str
    principal_type: str = Field(validation_alias=AliasPath("principal", "type"))
    principal_id: str = Field(validation_alias=AliasPath("principal", "id"))
    operation: str = Field(validation_alias=AliasPath("operation", "key"))
    target: str = Field(validation_alias=AliasPath("operation", "targetType"))


class SpaceActivity(_ConfluenceModel):
    """How much a space holds and when it last changed; ``last_change`` is ``None`` when empty."""

    space_id: str
    page_count: int
    last_change: LastChange | None = None


__all__ = [
    "ChangedPage",
    "ConfluencePage",
    "ConfluenceSpace",
    "ConfluenceUser",
    "LastChange",
    "PageVersion",
    "SpaceActivity",
    "SpacePermission",
    "UserSearchHit",
]
