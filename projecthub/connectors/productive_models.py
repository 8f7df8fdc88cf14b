"""Typed results of the Productive connector, parsed from JSON:API resources.

Productive wraps every record as ``{id, type, attributes, relationships}``. The base model flattens
that into plain fields (attributes by name, each to-one relationship that carries data as
``<name>_id``) so a result declares only what ProjectHub reads. Money stays in integer cents and
time in minutes, as Productive sends them, so nothing is rounded on the way through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import IntEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class ProjectType(IntEnum):
    """Productive's ``project_type_id``: internal overhead or billable client work."""

    INTERNAL = 1
    CLIENT = 2


class DealType(IntEnum):
    """Productive's ``deal_type_id`` for deals and budgets."""

    INTERNAL = 1
    CLIENT = 2


class BillingType(IntEnum):
    """A service's ``billing_type_id``: fixed fee, time & materials ("actuals"), or none."""

    FIXED = 1
    ACTUALS = 2
    NONE = 3


class Unit(IntEnum):
    """A service's ``unit_id``: what its quantity counts."""

    HOUR = 1
    PIECE = 2
    DAY = 3


@dataclass(frozen=True)
class Money:
    """An amount in the currency's minor unit (Productive sends cents) and an ISO currency."""

    amount_cents: int
    currency: str

    @property
    def amount(self) -> Decimal:
        return Decimal(self.amount_cents) / 100

    def __str__(self) -> str:
        return f"{self.amount:.2f} {self.currency}"


class _Resource(BaseModel):
    """One JSON:API resource, flattened; unknown attributes are ignored, never passed on."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str

    @model_validator(mode="before")
    @classmethod
    def _flatten(cls, value: Any) -> Any:
        if not isinstance(value, dict) or "attributes" not in value:
            return value
        flat: dict[str, Any] = {"id": value.get("id"), **(value.get("attributes") or {})}
        for name, link in (value.get("relationships") or {}).items():
            data = link.get("data") if isinstance(link, dict) else None
            if isinstance(data, dict):
                flat.setdefault(f"{name}_id", data.get("id"))
        return flat


class Person(_Resource):
    """A person in the organization; ``email`` is empty for placeholders and some contacts."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    title: str | None = None
    is_user: bool = False
    archived_at: datetime | None = None
    deactivated_at: datetime | None = None

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or (self.email or "")

    @property
    def active(self) -> bool:
        return self.archived_at is None and self.deactivated_at is None


class Activity(_Resource):
    """An entry of the activity feed: what happened (``event``) to which item, and the root
    record it belongs to (a task's project, a budget line's deal). Ids come as numbers."""

    event: str = ""
    created_at: datetime | None = None
    item_type: str | None = None
    item_id: str | None = None
    root_type: str | None = None
    root_id: str | None = None
    deal_is_budget: bool | None = None

    @field_validator("item_id", "root_id", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return None if value is None else str(value)


@dataclass(frozen=True)
class Identity:
    """Who the API token acts as, in the organization the connection is for."""

    organization_id: str
    person: Person


class OrganizationMembership(_Resource):
    organization_id: str | None = None
    person_id: str | None = None


class Company(_Resource):
    name: str
    default_currency: str | None = None
    archived_at: datetime | None = None

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class Subsidiary(_Resource):
    """A legal entity of the organization; every budget must name one."""

    name: str


class ServiceType(_Resource):
    """A kind of work; every service on a budget must name one."""

    name: str
    archived_at: datetime | None = None


class Section(_Resource):
    name: str
    deal_id: str | None = None


class Service(_Resource):
    """A line on a budget. Productive computes ``budget_total`` as price x quantity."""

    name: str
    billing_type_id: BillingType
    unit_id: Unit
    quantity: Decimal
    price: Decimal = Decimal(0)
    budget_total: int = 0
    deal_id: str | None = None

    @field_validator("price", "budget_total", mode="before")
    @classmethod
    def _zero_when_null(cls, value: Any) -> Any:
        return 0 if value is None else value


class Workflow(_Resource):
    name: str
    archived_at: datetime | None = None


class CustomField(_Resource):
    name: str
    customizable_type: str | None = None
    data_type_id: int | None = None
    archived_at: datetime | None = None


class Project(_Resource):
    """A project. The related ids are known only when the reply included those relationships."""

    name: str
    project_number: str | None = None
    project_type_id: ProjectType
    created_at: datetime | None = None
    archived_at: datetime | None = None
    company_id: str | None = None
    project_manager_id: str | None = None
    workflow_id: str | None = None
    custom_fields: dict[str, str] = {}

    @field_validator("custom_fields", mode="before")
    @classmethod
    def _custom_values(cls, value: Any) -> dict[str, str]:
        """``null`` when a project has none; values are kept as text (ids, numbers, dates)."""
        if not isinstance(value, dict):
            return {}
        return {str(k): str(v) for k, v in value.items() if v is not None}

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class Membership(_Resource):
    type_id: int
    access_type_id: int
    person_id: str | None = None
    project_id: str | None = None


class Budget(_Resource):
    """A budget is a deal in the budget stage; its totals are computed by Productive."""

    name: str
    currency: str
    deal_type_id: DealType | None = None
    project_id: str | None = None
    budget_total: int = 0
    budget_used: int = 0
    budgeted_minutes: int = Field(0, validation_alias="budgeted_time")
    worked_minutes: int = Field(0, validation_alias="worked_time")
    closed_at: datetime | None = None

    @field_validator("budget_total", "budget_used", "budgeted_minutes", "worked_minutes",
                     mode="before")
    @classmethod
    def _zero_when_null(cls, value: Any) -> Any:
        return 0 if value is None else value

    @property
    def total(self) -> Money:
        return Money(self.budget_total, self.currency)

    @property
    def used(self) -> Money:
        return Money(self.budget_used, self.currency)

    @property
    def remaining(self) -> Money:
        return Money(self.budget_total - self.budget_used, self.currency)

    @property
    def open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class TaskCounts:
    """Tasks of a project per workflow status category (exact counts from ``total_count``)."""

    not_started: int
    started: int
    closed: int

    @property
    def total(self) -> int:
        return self.not_started + self.started + self.closed


__all__ = [
    "Activity",
    "BillingType",
    "Budget",
    "Company",
    "CustomField",
    "DealType",
    "Identity",
    "Membership",
    "Money",
    "OrganizationMembership",
    "Person",
    "Project",
    "ProjectType",
    "Section",
    "Service",
    "ServiceType",
    "Subsidiary",
    "TaskCounts",
    "Unit",
    "Workflow",
]
