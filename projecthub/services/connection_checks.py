""""Test connection": call the tool's identity endpoint with the saved credentials and record
what happened, in the vendor's words when it refused."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from projecthub.connectors.errors import ConnectorError
from projecthub.core.clock import utcnow
from projecthub.core.crypto import DecryptionError
from projecthub.models import Tool, ToolConnection
from projecthub.services import audit
from projecthub.services.notifications import events as notifications
from projecthub.services.principal import Principal
from projecthub.services.scoping import get_scoped
from projecthub.services.tool_clients import ToolClients
from projecthub.services.tool_hosts import is_vendor_url


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str


async def _identity(tools: ToolClients, connection_id: str, tool: Tool) -> str:
    """Who the credentials belong to, as the tool reports it."""
    if tool == Tool.JIRA:
        async with tools.jira(connection_id) as jira:
            user = await jira.current_user()
            return f"Connected as {user.display_name or user.account_id}."
    if tool == Tool.CONFLUENCE:
        async with tools.confluence(connection_id) as wiki:
            person = await wiki.current_user()
            return f"Connected as {person.display_name or person.public_name or person.account_id}."
    if tool == Tool.PRODUCTIVE:
        async with tools.productive(connection_id) as prod:
            identity = await prod.current_identity()
            name = " ".join(filter(None, [identity.person.first_name, identity.person.last_name]))
            return f"Connected as {name or identity.person.email} in organization " \
                   f"{identity.organization_id}."
    async with tools.graph(connection_id) as graph:
        app = await graph.test_connection()
    roles = ", ".join(app.roles) or "no application permissions"
    return f"Connected to tenant {app.tenant_id} as {app.app_display_name or app.app_id} ({roles})."


async def check_connection(session: Session, principal: Principal, tools: ToolClients,
                          connection_id: uuid.UUID) -> CheckResult:
    """Any member may test; the result is stored on the connection for everyone to see."""
    row = get_scoped(session, principal, ToolConnection, connection_id, label="Connection")
    credential_refused = False
    try:
        result = CheckResult(True, await _identity(tools, str(row.id), Tool(row.tool)))
    except ConnectorError as exc:
        result = CheckResult(False, explain_failure(exc, shows_reply=is_vendor_connection(row)))
        credential_refused = exc.status in (401, 403)
    except DecryptionError:
        result = CheckResult(False, "The saved credentials cannot be read with the configured "
                                    "keys. Enter them again.")
        credential_refused = True
    if credential_refused and row.last_test_ok is not False:  # it starts failing: say so once
        notifications.connection_failing(session, row, result.message)
    row.last_tested_at, row.last_test_ok = utcnow(), result.ok
    row.last_test_message = result.message[:500]
    session.add(row)
    audit.record(session, principal, "connection.tested", target_type="connection",
                 target_id=row.id, detail={"ok": result.ok})
    return result


def system_credential_refused(session: Session, connection_id: uuid.UUID, message: str,
                              now: datetime) -> None:
    """From the status sync: the tool answered 401 (an expired or revoked credential). The
    connection shows as failing and its admins hear of it once, as after a refused test; a later
    successful test clears it. Without a principal: the sync reads every organization."""
    row = session.get(ToolConnection, connection_id)
    if row is None or row.last_test_ok is False:
        return
    text = f"The tool refused the saved credentials during a status sync: {message}"
    notifications.connection_failing(session, row, text, now)
    row.last_tested_at, row.last_test_ok, row.last_test_message = now, False, text[:500]
    session.add(row)


def is_vendor_connection(row: ToolConnection) -> bool:
    """Every host the connection talks to is the vendor's own (or the development sandbox)."""
    tool, login = Tool(row.tool), row.settings.get("authority_host")
    return is_vendor_url(tool, row.base_url) and (
        not login or is_vendor_url(tool, login, login=True))


def explain_failure(exc: ConnectorError, *, shows_reply: bool) -> str:
    """The result every member reads. An arbitrary host's reply is never echoed (it would make
    the test a way to read whatever that host serves); only its status is."""
    hints = {401: "The credentials were refused. Check the account email and token.",
             403: "The account may not do this. Check its permissions in the tool."}
    hint = hints.get(exc.status or 0, "")
    if shows_reply or exc.status is None:
        return f"{hint} {exc}".strip()
    return f"{hint} {exc.tool} answered HTTP {exc.status} (the reply of a host that is not " \
           f"the vendor's own is not shown).".strip()
