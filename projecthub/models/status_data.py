"""What status rows hold, typed: one summary per (tool, kind) of resource, the per-project
figures the dashboard reads, and the reasons behind a health. Stored as JSON in
``models.status``; these models are what is written and what is read back.

Rows written before the payloads were typed still read: a snapshot without its tool/kind tag is
recognised by the one key only its shape has, missing optional keys take their defaults and
unknown keys are dropped."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    Tag,
    TypeAdapter,
    model_serializer,
    model_validator,
)

from projecthub.models.base import PydanticJSON
from projecthub.models.connections import Tool


class HealthLevel(enum.StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    UNKNOWN = "unknown"


# Inside payloads, times keep the ``isoformat()`` spelling the stored JSON has always had.
IsoDatetime = Annotated[datetime, PlainSerializer(datetime.isoformat, return_type=str,
                                                  when_used="json")]


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Summary(_Payload):
    """One resource's figures. ``tool`` and ``kind`` belong to the class: the stored JSON carries
    them as its tag, the figures themselves do not."""

    tool: ClassVar[Tool]
    kind: ClassVar[str]
    slot: ClassVar[str]  # its key in the project's figures
    # False for a summary that only locates the resource (a team's web address): its page shows
    # such a resource as a link, not as a card of figures.
    has_figures: ClassVar[bool] = True

    @classmethod
    def tag(cls) -> str:
        return f"{cls.tool.value}/{cls.kind}"


class Sprint(_Payload):
    name: str
    start: IsoDatetime | None = None
    end: IsoDatetime | None = None
    goal: str | None = None
    to_do: int
    in_progress: int
    done: int
    percent_done: float | None = None


class JiraSummary(Summary):
    tool, kind, slot = Tool.JIRA, "project", "jira"
    to_do: int
    in_progress: int
    done: int
    overdue: int | None = None
    sprint: Sprint | None = None

    @property
    def open(self) -> int:
        return self.to_do + self.in_progress


class ConfluenceSummary(Summary):
    tool, kind, slot = Tool.CONFLUENCE, "space", "confluence"
    page_count: int
    last_edit_at: IsoDatetime | None = None
    last_edit_by: str | None = None
    last_page_title: str | None = None


class ProductiveSummary(Summary):
    """Budgets in the first budget's currency. Figures an older row lacks read as zero, as the
    screens have always shown them."""

    tool, kind, slot = Tool.PRODUCTIVE, "project", "productive"
    currency: str = ""
    budget_total_cents: int = 0
    budget_used_cents: int = 0
    budget_remaining_cents: int = 0
    budgeted_minutes: int = 0
    worked_minutes: int = 0
    burn_percent: float | None = None
    tasks_not_started: int = 0
    tasks_started: int = 0
    tasks_closed: int = 0


class PlannerSummary(Summary):
    tool, kind, slot = Tool.GRAPH, "plan", "planner"
    not_started: int
    in_progress: int
    done: int
    overdue: int

    @property
    def open(self) -> int:
        return self.not_started + self.in_progress


class TeamSummary(Summary):
    tool, kind, slot = Tool.GRAPH, "team", "teams"
    has_figures = False
    web_url: str


SUMMARY_TYPES: dict[tuple[str, str], type[Summary]] = {
    (s.tool.value, s.kind): s
    for s in (JiraSummary, ConfluenceSummary, ProductiveSummary, PlannerSummary, TeamSummary)}
# Untagged rows (written before the tag): the key only that shape has.
_LEGACY_MARKERS: dict[str, type[Summary]] = {
    "to_do": JiraSummary, "page_count": ConfluenceSummary,
                   "budget_total_cents": ProductiveSummary, "not_started": PlannerSummary,
                   "web_url": TeamSummary}


def _tag_of(value: Any) -> str | None:
    if isinstance(value, Summary):
        return value.tag()
    if not isinstance(value, dict):
        return None
    if "tool" in value and "kind" in value:
        return f"{value['tool']}/{value['kind']}"
    return next((s.tag() for key, s in _LEGACY_MARKERS.items() if key in value), None)


def _empty_is_none(value: Any) -> Any:
    """A snapshot never fetched has always been stored as ``{}``."""
    return None if value == {} else value


AnySummary = Annotated[
    Annotated[JiraSummary, Tag("jira/project")]
    | Annotated[ConfluenceSummary, Tag("confluence/space")]
    | Annotated[ProductiveSummary, Tag("productive/project")]
    | Annotated[PlannerSummary, Tag("graph/plan")]
    | Annotated[TeamSummary, Tag("graph/team")],
    Discriminator(_tag_of)]
MaybeSummary = Annotated[AnySummary | None, BeforeValidator(_empty_is_none)]


def tagged(summary: Summary | None) -> dict[str, Any]:
    """The stored form of a summary: its figures with its tool and kind."""
    if summary is None:
        return {}
    return {"tool": summary.tool.value, "kind": summary.kind, **summary.model_dump(mode="json")}


class Reason(_Payload):
    level: HealthLevel
    rule: str
    text: str


S = TypeVar("S", bound=Summary)


class ToolFigures(_Payload, Generic[S]):
    """One tool's entry in a project's figures: its summary (None until first fetched), whether
    the last fetch failed, and when the summary was fetched. Flat in JSON, as it always was."""

    summary: S | None = None
    stale: bool = False
    fetched_at: IsoDatetime | None = None

    @model_validator(mode="before")
    @classmethod
    def _unflatten(cls, value: Any) -> Any:
        if not isinstance(value, dict) or "summary" in value:
            return value
        rest = {k: v for k, v in value.items() if k not in ("stale", "fetched_at")}
        return {"stale": value.get("stale", False), "fetched_at": value.get("fetched_at"),
                "summary": rest or None}

    @model_serializer(mode="wrap")
    def _flatten(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = handler(self)
        return {**(data.pop("summary") or {}), **data}


class Figures(_Payload):
    """The compact per-tool figures a dashboard row shows; a tool without a resource has no key."""

    jira: ToolFigures[JiraSummary] | None = None
    confluence: ToolFigures[ConfluenceSummary] | None = None
    productive: ToolFigures[ProductiveSummary] | None = None
    planner: ToolFigures[PlannerSummary] | None = None
    teams: ToolFigures[TeamSummary] | None = None

    def entries(self) -> dict[str, ToolFigures[Any]]:
        return {name: entry for name in type(self).model_fields
                if (entry := getattr(self, name)) is not None}

    @model_serializer(mode="wrap")
    def _present(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        return {k: v for k, v in handler(self).items() if v is not None}


class SummaryJSON(PydanticJSON):
    cache_ok = True
    adapter = TypeAdapter(MaybeSummary)

    def dump(self, value: Any) -> Any:
        return tagged(value)


class ReasonsJSON(PydanticJSON):
    cache_ok = True
    adapter = TypeAdapter(list[Reason])


class FiguresJSON(PydanticJSON):
    cache_ok = True
    adapter = TypeAdapter(Figures)
