"""Changing and deleting records in the Productive sandbox: ``PATCH /projects/{id}`` (name and
project manager, which Productive accepts even on an archived project), ``PATCH /deals/{id}``
(a deal's or budget's name) and ``DELETE /memberships/{id}`` (204), with Productive's
validation and error shapes. Each change is recorded in the activity feed (``state.changed``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from projecthub.sandbox import productive_state as st
from projecthub.sandbox.productive_jsonapi import JsonApiError
from projecthub.sandbox.productive_writes import BLANK, Payload


def update_project(state: st.ProductiveState, record: st.Project, payload: Payload) -> None:
    """Only the attributes sent change; a blank name or an unknown manager is refused."""
    errors: dict[str, str] = {}
    if "name" in payload.attributes:
        name = str(payload.attributes.get("name") or "").strip()
        if not name:
            errors["name"] = BLANK
    manager = payload.relationships.get("project_manager")
    if "project_manager" in payload.relationships and (
            manager is None or state.get("people", manager) is None):
        errors["project_manager"] = BLANK
    if errors:
        raise JsonApiError.invalid(errors)
    changes: dict[str, list[Any]] = {}
    if "name" in payload.attributes:
        changes["name"] = [record.name, str(payload.attributes["name"]).strip()]
        record.name = changes["name"][1]
    if manager is not None:
        changes["project_manager_id"] = [record.project_manager_id, manager]
        record.project_manager_id = manager
    state.changed(record, {k: v for k, v in changes.items() if v[0] != v[1]})


def update_deal(state: st.ProductiveState, record: st.Deal, payload: Payload) -> None:
    """A deal's (or budget's) name; a blank one is refused like at creation."""
    if "name" not in payload.attributes:
        return
    name = str(payload.attributes.get("name") or "").strip()
    if not name:
        raise JsonApiError.invalid({"name": BLANK})
    before, record.name = record.name, name
    state.changed(record, {"name": [before, name]} if before != name else {})


UPDATERS: dict[str, Callable[[st.ProductiveState, Any, Payload], None]] = {
    "projects": update_project,
    "deals": update_deal,
}
# Kinds whose records the sandbox deletes (what ProjectHub removes: a person from a project).
DELETABLE = frozenset({"memberships"})

__all__ = ["DELETABLE", "UPDATERS", "update_project"]
