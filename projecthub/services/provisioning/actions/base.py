"""What a provisioning action is: look the resource up by its natural key, adopt it if it is
there, create it otherwise. Actions are plain async functions over a context."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from projecthub.services.tool_clients import ToolClients


class StepFailed(Exception):
    """A readable reason the step cannot succeed as asked (not a transport error)."""


class PersonMissing(StepFailed):
    """A person has no account in the tool: the step fails with the fix (invite, then retry),
    and the run's report mails it to whoever started the run."""

    def __init__(self, tool: str, email: str) -> None:
        super().__init__(f"No {tool} account has the email {email}: invite {email} to {tool}, "
                         "then retry.")
        self.tool, self.email = tool, email


@dataclass(frozen=True)
class StepOutcome:
    external_id: str
    message: str
    url: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)
    resource_kind: str | None = None
    resource_key: str = ""
    resource_name: str = ""
    origin: str = "created"  # created | adopted | linked


@dataclass(frozen=True)
class StepContext:
    key: str
    connection_id: str | None
    inputs: dict[str, Any]
    idempotency_key: str
    dependencies: dict[str, dict[str, Any]]  # key → outputs of succeeded dependencies
    tools: ToolClients
    # What this step recorded before an interruption, and how to record more: a step that
    # starts something asynchronous (a Teams creation) notes its ids before waiting on it.
    saved: dict[str, Any] = field(default_factory=dict)
    checkpoint: Callable[[dict[str, Any]], None] = lambda _data: None

    def output(self, step_key: str, name: str) -> Any:
        try:
            return self.dependencies[step_key][name]
        except KeyError as exc:
            raise StepFailed(f"needs {name} from {step_key}, which has not succeeded") from exc


Action = Callable[[StepContext], Awaitable[StepOutcome]]


async def resolve_people(emails: list[str],
                         find: Callable[[str], Awaitable[str | None]]) -> tuple[list[str],
                                                                                list[str]]:
    """Each email's account id in a tool, and the emails the tool does not know (reported in
    the step's message rather than failing it: a missing guest should not block a project)."""
    found: list[str] = []
    missing: list[str] = []
    for email in emails:
        account = await find(email)
        if account is None:
            missing.append(email)
        else:
            found.append(account)
    return found, missing


def people_outcome(resource: str, count: int, missing: list[str], where: str) -> StepOutcome:
    note = f"; not in {where}: {', '.join(missing)}" if missing else ""
    return StepOutcome(f"{resource}:members", f"{count} people are members{note}",
                       outputs={"missing": missing})


def adopted_or_created(found: bool) -> str:
    return "adopted" if found else "created"
