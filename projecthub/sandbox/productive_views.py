"""How each sandbox record looks as a Productive JSON:API resource, and how lists filter and sort.

Attribute sets follow the recorded replies (trimmed to what a client could rely on). As in real
traffic, a relationship carries ``data`` only when it was asked for with ``include=`` (the
``organization`` link always does); otherwise it is ``{"meta": {"included": false}}``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from projecthub.sandbox import productive_activities as act
from projecthub.sandbox import productive_state as st
from projecthub.sandbox.productive_jsonapi import JsonApiError, day, timestamp

Target = str | None | list[str]
Predicate = Callable[[Any, st.ProductiveState, str], bool]
Link = tuple[str, str | None]
"""A relationship: the related type, and the record's attribute holding the id(s) (or none)."""


@dataclass(frozen=True)
class View:
    kind: str
    attributes: Callable[[Any, st.ProductiveState], dict[str, Any]]
    links: dict[str, Link]
    filters: dict[str, Predicate] = field(default_factory=dict)
    sorts: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    newest_first: bool = False  # the order without ``sort=`` (activities: ``-created_at``)

    @property
    def relationships(self) -> set[str]:
        return set(self.links) | ({"organization"} if self.kind != "organizations" else set())


def render(view: View, record: Any, state: st.ProductiveState,
           include: Iterable[str] = ()) -> dict[str, Any]:
    wanted = {"organization", *include}
    relationships = {
        name: {"data": _linkage(kind, target)} if name in wanted else {"meta": {"included": False}}
        for name, (kind, target) in _links(view, record).items()}
    return {"id": record.id, "type": view.kind, "attributes": view.attributes(record, state),
            "relationships": relationships}


def included(view: View, records: Iterable[Any], state: st.ProductiveState,
             include: Iterable[str]) -> list[dict[str, Any]]:
    """The distinct related resources named by ``include``, for the top-level ``included``."""
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for record in records:
        links = _links(view, record)
        for name in include:
            kind, target = links[name]
            ids = target if isinstance(target, list) else [target] if target else []
            for ident in ids:
                related = state.get(kind, ident)
                if related is not None and kind in VIEWS:
                    seen.setdefault((kind, ident), render(VIEWS[kind], related, state))
    return list(seen.values())


def _links(view: View, record: Any) -> dict[str, tuple[str, Target]]:
    """Every record but the organization itself links to its organization, always with data."""
    own: dict[str, tuple[str, Target]] = {} if view.kind == "organizations" else {
        "organization": ("organizations", st.ORGANIZATION_ID)}
    return {**own, **{name: (kind, None if attr is None else getattr(record, attr))
                      for name, (kind, attr) in view.links.items()}}


def _linkage(kind: str, target: Target) -> Any:
    if isinstance(target, list):
        return [{"type": kind, "id": t} for t in target]
    return None if target is None else {"type": kind, "id": target}


def _eq(name: str) -> Predicate:
    return lambda record, _state, value: str(getattr(record, name)) == value


def _contains(*names: str) -> Predicate:
    return lambda record, _state, value: any(
        value.casefold() in str(getattr(record, n) or "").casefold() for n in names)


def _archivable(name: str = "archived_at") -> Predicate:
    """``status`` 1 is active, 2 archived (or deactivated, for people)."""
    return lambda record, _state, value: (getattr(record, name) is None) == (value == "1")


def _person(p: st.Person, _state: st.ProductiveState) -> dict[str, Any]:
    return {"agent": False, "avatar_url": None, "contact": {},
            "deactivated_at": timestamp(p.deactivated_at), "email": p.email,
            "first_name": p.first_name, "last_name": p.last_name, "nickname": None,
            "title": p.title, "archived_at": timestamp(p.archived_at), "autotracking": False,
            "joined_at": timestamp(p.created_at), "last_seen_at": None, "is_user": p.is_user,
            "tag_list": [], "virtual": False, "custom_fields": None,
            "created_at": timestamp(p.created_at), "placeholder": False,
            "hrm_type_id": 1}


def _company(c: st.Company, _state: st.ProductiveState) -> dict[str, Any]:
    return {"name": c.name, "billing_name": c.name, "vat": None,
            "default_currency": c.default_currency, "created_at": timestamp(c.created_at),
            "last_activity_at": timestamp(c.created_at), "archived_at": timestamp(c.archived_at),
            "avatar_url": None, "custom_fields": None, "company_code": c.company_code,
            "domain": c.domain, "due_days": None, "tag_list": [], "contact": {},
            "parent_company_id": None}


def _project(p: st.Project, _state: st.ProductiveState) -> dict[str, Any]:
    return {"name": p.name, "number": p.number, "project_number": p.number,
            "project_type_id": p.project_type_id, "project_color_id": p.project_color_id,
            "last_activity_at": timestamp(p.created_at), "archived_at": timestamp(p.archived_at),
            "created_at": timestamp(p.created_at), "template": False,
            "custom_fields": p.custom_fields, "preferences": {}, "tag_colors": {},
            "sample_data": False}


def _deal(d: st.Deal, _state: st.ProductiveState) -> dict[str, Any]:
    money = {"revenue": d.budget_total, "budget_total": d.budget_total,
             "budget_used": d.budget_used, "cost": d.budget_used,
             "profit": d.budget_total - d.budget_used, "invoiced": 0,
             "pending_invoicing": d.budget_total}
    return {"name": d.name, "date": day(d.date), "end_date": day(d.end_date), "number": d.number,
            "deal_number": d.number, "suffix": None, "time_approval": False,
            "expense_approval": False, "client_access": False, "deal_type_id": d.deal_type_id,
            "budget": d.budget, "tag_list": [], "purchase_order_number": None,
            "custom_fields": None, "tracking_type_id": 1, "editor_config": {},
            "man_day_minutes": 480, "billable_time": d.worked_time, "budget_warning": None,
            "estimated_time": d.budgeted_time, "budgeted_time": d.budgeted_time,
            "worked_time": d.worked_time, "probability": 100, "note": None,
            "closed_at": timestamp(d.closed_at), "last_activity_at": timestamp(d.created_at),
            "created_at": timestamp(d.created_at), "currency": d.currency,
            "currency_default": d.currency, "currency_normalized": d.currency, **money}


def _service(s: st.Service, _state: st.ProductiveState) -> dict[str, Any]:
    return {"name": s.name, "position": s.position, "billable": s.billable,
            "description": None, "billing_type_id": s.billing_type_id, "unit_id": s.unit_id,
            "quantity": s.quantity, "price": s.price, "budget_total": s.budget_total,
            "budget_used": s.budget_used, "budgeted_time": s.budgeted_time,
            "worked_time": s.worked_time, "billable_time": s.worked_time if s.billable else 0,
            "estimated_time": s.budgeted_time, "booked_time": 0, "revenue": s.budget_used,
            "cost": 0, "profit": s.budget_used, "time_tracking_enabled": True,
            "expense_tracking_enabled": False, "booking_tracking_enabled": True,
            "budget_cap_enabled": False, "custom_fields": None}


def _task(t: st.Task, state: st.ProductiveState) -> dict[str, Any]:
    return {"title": t.title, "description": None, "number": t.number,
            "task_number": t.number, "private": False, "due_date": None, "start_date": None,
            "closed_at": timestamp(t.closed_at), "created_at": timestamp(t.created_at),
            "updated_at": timestamp(t.created_at), "type_id": 1,
            "closed": state.task_category(t) == st.CLOSED, "tag_list": [],
            "last_activity_at": timestamp(t.created_at), "initial_estimate": None,
            "remaining_time": None, "worked_time": None}


def _about(name: str) -> Predicate:
    return lambda activity, _state, value: activity.about.get(name) == value


def _moment(value: str) -> tuple[datetime, bool]:
    """A filter's date or time (UTC unless it says otherwise), and whether it was a bare date."""
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(), UTC), True
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise JsonApiError.bad_request(f"Invalid date '{value}'") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)), False


def _after(activity: act.Activity, _state: st.ProductiveState, value: str) -> bool:
    """Created at or after a time; a bare date counts its whole day, as ``time_entries``'
    ``after`` is recorded to (UNVERIFIED for activities, and whether a time of day is honoured
    rather than cut to its date: cut, the window only grows)."""
    moment, whole_day = _moment(value)
    created = activity.created_at.astimezone(UTC)
    return created.date() >= moment.date() if whole_day else created >= moment


def _before(activity: act.Activity, _state: st.ProductiveState, value: str) -> bool:
    moment, whole_day = _moment(value)
    created = activity.created_at.astimezone(UTC)
    return created.date() <= moment.date() if whole_day else created < moment


def _task_category(task: st.Task, state: st.ProductiveState, value: str) -> bool:
    return str(state.task_category(task)) == value


def _stage(deal: st.Deal, _state: st.ProductiveState, value: str) -> bool:
    return value == ("2" if deal.budget else "1")


VIEWS: dict[str, View] = {view.kind: view for view in (
    View("organizations",
         lambda o, _s: {"name": o.name, "time_zone": o.time_zone, "currency": o.currency},
         {"company": ("companies", "company_id")}),
    View("organization_memberships",
         lambda m, _s: {"updated_at": timestamp(m.updated_at), "position": None,
                        "tasks_layout_id": 1, "time_reminders": True,
                        "email_notifications": True, "weekly_emails": True},
         {"person": ("people", "person_id"), "user": ("users", "person_id")}),
    View("people", _person,
         {"company": ("companies", "company_id"), "manager": ("people", None),
          "subsidiary": ("subsidiaries", None), "custom_role": ("roles", None)},
         {"email": lambda p, _s, v: (p.email or "").casefold() == v.casefold(),
          "status": _archivable("deactivated_at"), "company_id": _eq("company_id")},
         {"email": lambda p: (p.email or "").casefold(), "title": lambda p: p.title or ""}),
    View("companies", _company,
         {"default_subsidiary": ("subsidiaries", None), "parent_company": ("companies", None)},
         {"name": _contains("name"), "status": _archivable()},
         {"name": lambda c: c.name.casefold(), "created_at": lambda c: c.created_at}),
    View("subsidiaries", lambda s, _s: {"name": s.name, "archived_at": None},
         {}, {}, {"name": lambda s: s.name.casefold()}),
    View("workflows",
         lambda w, _s: {"name": w.name, "archived_at": timestamp(w.archived_at)},
         {"workflow_statuses": ("workflow_statuses", "status_ids")},
         {"name": _contains("name")}, {"name": lambda w: w.name.casefold()}),
    View("workflow_statuses",
         lambda w, _s: {"name": w.name, "position": w.position, "category_id": w.category_id,
                        "color_id": w.category_id},
         {"workflow": ("workflows", "workflow_id")},
         {"workflow_id": _eq("workflow_id"), "category_id": _eq("category_id")},
         {"position": lambda w: w.position, "name": lambda w: w.name.casefold()}),
    View("custom_fields",
         lambda f, _s: {"name": f.name, "description": None, "data_type_id": f.data_type_id,
                        "customizable_type": f.customizable_type, "global": True,
                        "required": False, "position": f.position, "sensitive": False,
                        "archived_at": None},
         {"project": ("projects", None), "section": ("custom_field_sections", None)},
         {"customizable_type": _eq("customizable_type")}),
    View("projects", _project,
         {"company": ("companies", "company_id"),
          "project_manager": ("people", "project_manager_id"),
          "last_actor": ("people", "project_manager_id"),
          "workflow": ("workflows", "workflow_id")},
         {"query": _contains("name", "number"), "status": _archivable(),
          "company_id": _eq("company_id"), "project_type": _eq("project_type_id"),
          "workflow_id": _eq("workflow_id"), "responsible_id": _eq("project_manager_id")},
         {"name": lambda p: p.name.casefold(), "created_at": lambda p: p.created_at,
          "project_number": lambda p: int(p.number)}),
    View("memberships",
         lambda m, _s: {"type_id": m.type_id, "access_type_id": m.access_type_id,
                        "dynamic_group_id": None, "options": None, "target_type": "project",
                        "target_id": m.project_id, "created_at": timestamp(m.created_at)},
         {"person": ("people", "person_id"), "project": ("projects", "project_id"),
          "team": ("teams", None)},
         {"project_id": _eq("project_id"), "person_id": _eq("person_id"),
          "type_id": _eq("type_id"), "access_type_id": _eq("access_type_id")}),
    View("deals", _deal,
         {"creator": ("people", "responsible_id"), "company": ("companies", "company_id"),
          "responsible": ("people", "responsible_id"), "project": ("projects", "project_id"),
          "subsidiary": ("subsidiaries", "subsidiary_id")},
         {"project_id": _eq("project_id"), "type": _stage, "company_id": _eq("company_id"),
          "status": _archivable("closed_at"), "name": _contains("name"),
          "responsible_id": _eq("responsible_id")},
         {"name": lambda d: d.name.casefold(), "created_at": lambda d: d.created_at,
          "date": lambda d: d.date}),
    View("service_types",
         lambda t, _s: {"name": t.name, "description": None,
                        "archived_at": timestamp(t.archived_at)},
         {}, {"status": _archivable(), "name": _contains("name")},
         {"name": lambda t: t.name.casefold()}),
    View("sections", lambda s, _s: {"name": s.name, "position": s.position},
         {"deal": ("deals", "deal_id")}, {"deal_id": _eq("deal_id")}),
    View("services", _service,
         {"deal": ("deals", "deal_id"), "section": ("sections", "section_id"),
          "service_type": ("service_types", "service_type_id")},
         {"deal_id": _eq("deal_id"), "section_id": _eq("section_id"),
          "service_type_id": _eq("service_type_id"), "billing_type": _eq("billing_type_id"),
          "query": _contains("name")},
         {"name": lambda s: s.name.casefold()}),
    View("tasks", _task,
         {"project": ("projects", "project_id"), "assignee": ("people", None),
          "task_list": ("task_lists", None),
          "workflow_status": ("workflow_statuses", "workflow_status_id")},
         {"project_id": _eq("project_id"), "workflow_status_id": _eq("workflow_status_id"),
          "workflow_status_category_id": _task_category, "title": _contains("title")},
         {"created_at": lambda t: t.created_at, "title": lambda t: t.title.casefold(),
          "task_number": lambda t: int(t.number)}),
    View("activities", lambda a, _s: act.render(a),
         {"creator": ("people", None), "comment": ("comments", None),
          "email": ("emails", None), "attachment": ("attachments", None)},
         {"after": _after, "before": _before,
          **{name: _about(name) for name in ("project_id", "deal_id", "task_id", "company_id",
                                             "person_id")}},
         newest_first=True),
)}

__all__ = ["VIEWS", "View", "included", "render"]
