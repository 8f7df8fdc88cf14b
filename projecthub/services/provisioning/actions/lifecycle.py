"""Lifecycle steps: archive or restore one project resource in its tool.

Each step is safe to repeat (exactly-once in effect): the connector reads the resource first and
acts only when its state differs, so a retried or resumed step never archives twice or fails on
the tool's "already archived" answer. The four tools differ only in which client, input and
connector call they use and how the result reads, so one table describes them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from projecthub.services.provisioning.actions.base import Action, StepContext, StepOutcome
from projecthub.services.tool_clients import ToolClients


def _state(archived: bool) -> str:
    return "archived" if archived else "active"


@dataclass(frozen=True)
class Switch:
    """One tool's archive and restore: the client, the input naming the resource, the two
    connector calls, and the outcome read from what the call returns."""

    client: Callable[[ToolClients, str | None], AbstractAsyncContextManager[Any]]
    input: str
    archive: Callable[[Any, str], Awaitable[Any]]
    restore: Callable[[Any, str], Awaitable[Any]]
    outcome: Callable[[Any], StepOutcome]


SWITCHES: dict[str, Switch] = {
    "jira": Switch(
        lambda t, c: t.jira(c), "key",
        lambda j, v: j.archive_project(v), lambda j, v: j.restore_project(v),
        lambda p: StepOutcome(p.id, f"Jira project {p.key} is {_state(p.archived)}",
                              outputs={"archived": p.archived})),
    "confluence": Switch(
        lambda t, c: t.confluence(c), "key",
        lambda w, v: w.archive_space(v), lambda w, v: w.restore_space(v),
        lambda s: StepOutcome(s.id, f"Confluence space {s.key} is {s.status}",
                              outputs={"status": s.status})),
    "graph": Switch(
        lambda t, c: t.graph(c), "team_id",
        lambda g, v: g.archive_team(v), lambda g, v: g.unarchive_team(v),
        lambda team: StepOutcome(
            team.id, f"Teams team is {_state(bool(team.is_archived))}"
            + (" (read-only)" if team.is_archived else ""),
            outputs={"archived": bool(team.is_archived)})),
    "productive": Switch(
        lambda t, c: t.productive(c), "project_id",
        lambda p, v: p.archive_project(v), lambda p, v: p.restore_project(v),
        lambda p: StepOutcome(p.id, f"Productive project {p.name} is {_state(p.archived)}",
                              outputs={"archived": p.archived})),
}


def switch_step(tool: str, *, archive: bool) -> Action:
    """The step that archives (or restores) ``tool``'s resource."""
    spec = SWITCHES[tool]

    async def step(ctx: StepContext) -> StepOutcome:
        async with spec.client(ctx.tools, ctx.connection_id) as client:
            call = spec.archive if archive else spec.restore
            return spec.outcome(await call(client, ctx.inputs[spec.input]))

    return step


__all__ = ["SWITCHES", "Switch", "switch_step"]
