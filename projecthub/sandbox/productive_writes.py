"""Creating companies, projects, memberships, budgets (deals), their sections and services, with
Productive's validation.

Required fields mirror the vendor's resource schema (a test holds them equal). A missing field
gets one ``invalid_attribute`` entry, ``can't be blank``, pointing at ``data/attributes/<name>``
even for relationships, as recorded. Related ids may come as relationships (the schema) or as
``<name>_id`` attributes (the older docs); names are not unique, so a repeated create duplicates.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from projecthub.sandbox import productive_state as st
from projecthub.sandbox.productive_jsonapi import JsonApiError

BLANK = "can't be blank"
NOT_IN_LIST = "is not included in the list"
RELATED: dict[str, dict[str, str]] = {
    "projects": {"company": "companies", "project_manager": "people", "workflow": "workflows"},
    "memberships": {"person": "people", "project": "projects"},
    "deals": {"company": "companies", "responsible": "people", "subsidiary": "subsidiaries",
              "project": "projects"},
    "companies": {},
    "sections": {"deal": "deals"},
    "services": {"deal": "deals", "section": "sections", "service_type": "service_types"},
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "projects": ("name", "project_type_id", "company", "project_manager", "workflow"),
    "memberships": ("type_id", "access_type_id"),
    "deals": ("name", "deal_type_id", "budget", "company", "responsible", "subsidiary"),
    "companies": ("name",),
    "sections": ("name", "position", "deal"),
    "services": ("name", "position", "billable", "billing_type_id", "unit_id", "quantity",
                 "service_type", "deal", "section"),
}
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class Payload:
    """A create request's attributes, and its relationships reduced to ids."""

    attributes: dict[str, Any]
    relationships: dict[str, str | None]


def parse_payload(body: Any, kind: str) -> Payload:
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or not isinstance(data.get("attributes", {}), dict):
        raise JsonApiError.bad_request("Invalid request payload")
    if data.get("type") != kind:
        raise JsonApiError.bad_request(f"Resource type must be '{kind}'", 409)
    attributes = dict(data.get("attributes") or {})
    relationships: dict[str, str | None] = {}
    for name, expected in RELATED[kind].items():
        link = (data.get("relationships") or {}).get(name)
        if isinstance(link, dict) and "data" in link:
            target = link["data"]
            ok = isinstance(target, dict) and target.get("type") == expected
            relationships[name] = str(target["id"]) if ok and target.get("id") else None
        elif attributes.get(f"{name}_id") is not None:
            relationships[name] = str(attributes[f"{name}_id"])
    return Payload(attributes, relationships)


class _Checks:
    """Collects field errors in order; a field keeps its first error."""

    def __init__(self, state: st.ProductiveState, kind: str, payload: Payload) -> None:
        self.state, self.kind, self.payload = state, kind, payload
        self.errors: dict[str, str] = {}
        for name in REQUIRED[kind]:
            value = payload.relationships.get(name) if name in RELATED[kind] \
                else payload.attributes.get(name)
            if value is None or (isinstance(value, str) and not value.strip()):
                self.fail(name, BLANK)
        for name, related in RELATED[kind].items():
            ident = payload.relationships.get(name)
            if ident is not None and state.get(related, ident) is None:
                self.fail(name, BLANK)

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def choice(self, name: str, allowed: tuple[int, ...]) -> int:
        value = self.payload.attributes.get(name)
        number = int(value) if isinstance(value, int | str) and str(value).isdigit() else None
        if value is not None and number not in allowed:
            self.fail(name, NOT_IN_LIST)
        return number or 0

    def done(self) -> None:
        if self.errors:
            raise JsonApiError.invalid(self.errors)

    def id(self, name: str) -> str:
        return self.payload.relationships.get(name) or ""


def create_project(state: st.ProductiveState, payload: Payload) -> st.Project:
    checks = _Checks(state, "projects", payload)
    project_type = checks.choice("project_type_id", (1, 2))
    custom = payload.attributes.get("custom_fields")
    fields = {f.id for f in state.table("custom_fields").values()
              if f.customizable_type == "projects"}
    if custom is not None and (not isinstance(custom, dict) or not set(custom) <= fields):
        checks.fail("custom_fields", "is invalid")
    checks.done()
    return state.add_project(
        str(payload.attributes["name"]), company_id=checks.id("company"),
        project_manager_id=checks.id("project_manager"), workflow_id=checks.id("workflow"),
        project_type_id=project_type, custom_fields=dict(custom) if custom else None)


def create_membership(state: st.ProductiveState, payload: Payload) -> st.Membership:
    """Person memberships on projects only: what ProjectHub uses (teams and groups are not
    modelled). A second membership of the same person is refused as taken."""
    checks = _Checks(state, "memberships", payload)
    type_id = checks.choice("type_id", (1,))
    access = checks.choice("access_type_id", (5,))
    for name in ("person", "project"):
        if payload.relationships.get(name) is None:
            checks.fail(name, BLANK)
    person, project = checks.id("person"), checks.id("project")
    if any(m.person_id == person and m.project_id == project
           for m in state.table("memberships").values()):
        checks.fail("person", "has already been taken")
    checks.done()
    return state.add_membership(project, person, type_id=type_id, access_type_id=access)


def create_deal(state: st.ProductiveState, payload: Payload) -> st.Deal:
    checks = _Checks(state, "deals", payload)
    deal_type = checks.choice("deal_type_id", (1, 2))
    attributes = payload.attributes
    budget = attributes.get("budget")
    if budget is not None and not isinstance(budget, bool):
        checks.fail("budget", NOT_IN_LIST)
    currency = attributes.get("currency")
    if currency is not None and not (isinstance(currency, str) and _CURRENCY.match(currency)):
        checks.fail("currency", "is invalid")
    start, end = _date(attributes.get("date")), _date(attributes.get("end_date"))
    for name, value in (("date", start), ("end_date", end)):
        if attributes.get(name) is not None and value is None:
            checks.fail(name, "is invalid")
    if start and end and end < start:
        checks.fail("end_date", "must be after the start date")
    checks.done()
    return state.add_deal(
        str(attributes["name"]), company_id=checks.id("company"),
        responsible_id=checks.id("responsible"), subsidiary_id=checks.id("subsidiary"),
        project_id=payload.relationships.get("project"), budget=bool(budget),
        deal_type_id=deal_type, currency=currency, start=start, end_date=end)


def create_company(state: st.ProductiveState, payload: Payload) -> st.Company:
    """Company names are not unique in Productive either: a second create duplicates."""
    checks = _Checks(state, "companies", payload)
    checks.done()
    return state.add_company(str(payload.attributes["name"]).strip())


def create_section(state: st.ProductiveState, payload: Payload) -> st.Section:
    checks = _Checks(state, "sections", payload)
    position = _number(checks, "position")
    checks.done()
    return state.add_section(checks.id("deal"), str(payload.attributes["name"]),
                             int(position or 1))


def create_service(state: st.ProductiveState, payload: Payload) -> st.Service:
    """A budget line; its deal's totals follow (``budget_total`` = price x quantity)."""
    checks = _Checks(state, "services", payload)
    billing = checks.choice("billing_type_id", (1, 2, 3))
    unit = checks.choice("unit_id", (1, 2, 3))
    quantity = _number(checks, "quantity")
    price = _number(checks, "price")
    position = _number(checks, "position")
    if quantity is not None and quantity <= 0:
        checks.fail("quantity", "must be greater than 0")
    if price is not None and price < 0:
        checks.fail("price", "must be greater than or equal to 0")
    billable = payload.attributes.get("billable")
    if billable is not None and not isinstance(billable, bool):
        checks.fail("billable", NOT_IN_LIST)
    section: st.Section | None = state.get("sections", checks.id("section"))
    if section is not None and section.deal_id != checks.id("deal"):
        checks.fail("section", "does not belong to the deal")
    service_type = state.get("service_types", checks.id("service_type"))
    if service_type is not None and service_type.archived_at is not None:
        checks.fail("service_type", "is archived")
    checks.done()
    assert section is not None  # a missing section failed the checks above
    return state.add_service(
        section, str(payload.attributes["name"]), service_type_id=checks.id("service_type"),
        billing_type_id=billing, unit_id=unit, quantity=float(quantity or 0),
        price=round(price or 0), billable=bool(billable), position=int(position or 1))


def _number(checks: _Checks, name: str) -> float | None:
    value = checks.payload.attributes.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        checks.fail(name, "is not a number")
        return None
    return float(value)


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


WRITERS: dict[str, Callable[[st.ProductiveState, Payload], Any]] = {
    "projects": create_project, "memberships": create_membership, "deals": create_deal,
    "companies": create_company, "sections": create_section, "services": create_service,
}

__all__ = ["REQUIRED", "WRITERS", "Payload", "create_company", "create_deal",
           "create_membership", "create_project", "create_section", "create_service",
           "parse_payload"]
