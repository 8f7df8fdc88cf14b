"""Preflight for Productive: what the run will need there, asked before anything is created.

The run needs the "ProjectHub ID" project custom field (its marker), a subsidiary to bill from
and an active service type for the budget's service, and the token's person must be allowed to
read them: Productive answers 403 when their permission set lacks a resource. Whether that
person may *create* projects and budgets cannot be asked without creating one, so that remains
the step's to report. The company must exist, or the person must have chosen to create it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from projecthub.connectors.errors import ConnectorError, PermissionDenied
from projecthub.connectors.productive import ProductiveConnector
from projecthub.services.provisioning.actions.productive import MARKER_FIELD, MISSING_MARKER
from projecthub.services.tool_clients import ToolClients

if TYPE_CHECKING:
    from projecthub.services.provisioning.preflight import ToolCheck

CREATE = "create"  # the company_mode answer that adds a "create company" step
COMPANY_CHOICES = 8  # companies a search offers at once


async def _first(items: AsyncIterator[Any], what: str, check: ToolCheck) -> Any | None:
    """The first item, or None; a 403 becomes a problem naming the permission to grant."""
    try:
        return await anext(items, None)
    except PermissionDenied:
        check.problems.append(f"The Productive token's person may not read {what}; give their "
                              "permission set access to it (Settings → Permission sets).")
        return False


async def prerequisites(prod: ProductiveConnector, check: ToolCheck) -> None:
    """The marker field, a subsidiary and a service type, each readable by the token."""
    try:
        fields = [f async for f in prod.iter_project_custom_fields()]
    except PermissionDenied:
        check.problems.append("The Productive token's person may not read custom fields; give "
                              "their permission set access to settings.")
    else:
        if not any(f.name == MARKER_FIELD and f.archived_at is None for f in fields):
            check.problems.append(MISSING_MARKER)
    if await _first(prod.iter_subsidiaries(), "subsidiaries", check) is None:
        check.problems.append("Productive has no subsidiary to bill the budget from.")
    if await _first(prod.iter_service_types(), "service types", check) is None:
        check.problems.append("Productive has no active service type for the budget's service; "
                              "add one (Settings → Service types).")


async def search_companies(prod: ProductiveConnector, query: str,
                           limit: int = COMPANY_CHOICES) -> list[str]:
    """Active companies whose name contains ``query``, as Productive names them."""
    names: list[str] = []
    async for company in prod.iter_companies(name=query.strip() or None):
        if not company.archived and company.name not in names:
            names.append(company.name)
        if len(names) >= limit:
            break
    return names


async def find_companies(tools: ToolClients, connection_id: str | None,
                         query: str) -> tuple[list[str], str]:
    """Productive's companies matching ``query`` for the wizard's company picker, and a reason
    when none could be asked for (no connection chosen yet, or Productive refused)."""
    if not connection_id:
        return [], "Choose a Productive connection above to pick from its companies."
    try:
        async with tools.productive(connection_id) as prod:
            return await search_companies(prod, query[:200]), ""
    except ConnectorError as exc:
        return [], f"Productive's companies could not be listed: {exc}"


async def company(prod: ProductiveConnector, a: dict[str, Any], check: ToolCheck) -> str:
    """The company part of the summary; a missing company is a problem with a way forward:
    the closest of Productive's names, or creating it as a step of the run."""
    name = str(a.get("client_company") or "").strip()
    existing = await prod.find_company_by_name(name) if name else None
    if a.get("company_mode") == CREATE:
        if existing is not None:
            check.warnings.append(f"Productive already has a company named {existing.name}; "
                                  "the run will use it instead of creating another.")
            return f" for {existing.name}"
        return f" for {name}, a company the run creates first"
    if existing is not None:
        return f" for {existing.name}"
    check.problems.append(f"No company named {name} in Productive. Pick one of Productive's "
                          "companies, or choose to create it in Productive.")
    close = await search_companies(prod, name, 1) if name else []  # "Acme" → "Acme Retail GmbH"
    check.suggestion.update({"client_company": close[0]} if close
                            else {"company_mode": CREATE})
    return ""


__all__ = ["CREATE", "company", "find_companies", "prerequisites", "search_companies"]
