"""Microsoft Graph v1.0, app-only: people, groups, Teams (team, members, channels) and Planner.

Creating a team is asynchronous: ``POST /teams`` answers 202 with no body and the new team's id
only in a relative ``Location: /teams('{id}')/operations('{op}')``; we poll that operation on the
injected clock, honouring ``Retry-After``. Display names are not unique, so a repeated create
makes a second team: a provisioning step records ``TeamCreation.team_id`` before it waits.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, Literal

import httpx
import msal

from projecthub.connectors.base import Connector, ConnectorClient, VendorError
from projecthub.connectors.clock import Clock, SystemClock
from projecthub.connectors.errors import Conflict, Invalid, NotFound, ServerError, Timeout
from projecthub.connectors.graph_auth import (
    PUBLIC_CLOUD,
    GraphAuth,
    GraphTokens,
    MsalApplications,
    read_claims,
)
from projecthub.connectors.graph_delta import GroupDelta
from projecthub.connectors.graph_members import TeamMembership
from projecthub.connectors.graph_members import team_segment as _segment
from projecthub.connectors.graph_models import (
    ChatMessage,
    GraphChannel,
    GraphGroup,
    GraphIdentity,
    GraphSubscription,
    GraphTeam,
    GraphUser,
    PlannerPlan,
    PlannerTask,
    PlannerTaskCounts,
    TeamCreation,
    TeamMember,
    TeamsAsyncOperation,
)
from projecthub.connectors.pagination import iter_odata
from projecthub.connectors.ratelimit import Window
from projecthub.connectors.retry import RetryPolicy, server_wait_hint
from projecthub.connectors.throttle_store import ThrottleStore

TOOL = "graph"
GRAPH_URL = "https://graph.microsoft.com/v1.0"
STANDARD_TEMPLATE = "https://graph.microsoft.com/v1.0/teamsTemplates('standard')"
USER_FIELDS = "id,displayName,mail,userPrincipalName,accountEnabled"
GROUP_FIELDS = "id,displayName,mailNickname,mail,visibility,resourceProvisioningOptions"
# Graph publishes no fixed numbers (limits vary per service); Teams writes are the tightest.
DEFAULT_LIMITS = (Window(15, 1),)
_OPERATION = re.compile(r"teams\('([^']+)'\)/operations\('([^']+)'\)")


def parse_graph_error(_status: int, body: Any) -> VendorError:
    """Graph's ``{"error": {code, message, details[], innerError{request-id}}}``.

    ``details`` become field errors (target → code), e.g. ``mailNickname: ObjectConflict``.
    """
    if isinstance(body, str):
        return VendorError(body.splitlines()[0])
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return VendorError("")
    code = str(error.get("code") or "") or None
    message = str(error.get("message") or "")
    details = {str(d.get("target") or d.get("code")): str(d.get("code") or d.get("message"))
               for d in error.get("details") or [] if isinstance(d, dict)}
    inner = error.get("innerError")
    request_id = inner.get("request-id") if isinstance(inner, dict) else None
    return VendorError(f"{code}: {message}" if code else message, details, code,
                       str(request_id) if request_id else None)


class GraphConnector(TeamMembership, GroupDelta, Connector):
    """One app registration in one Microsoft 365 directory; use as an async context manager.

    ``login_url`` and ``login_transport`` say where Entra ID is reached (the sandbox serves a
    fake one); ``token_cache`` may be shared between connectors of the same credentials.
    """

    def __init__(
        self,
        *,
        tenant_id: str,
        client_id: str,
        client_secret: str,
        graph_url: str = GRAPH_URL,
        authority: str = PUBLIC_CLOUD,
        login_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        login_transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
        rate_limits: tuple[Window, ...] = DEFAULT_LIMITS,
        token_cache: msal.TokenCache | None = None,
        msal_applications: MsalApplications | None = None,
        poll_interval: float = 10.0,
        poll_timeout: float = 900.0,
        share_key: str | None = None,
        throttle_store: ThrottleStore | None = None,
    ) -> None:
        self._clock = clock or SystemClock()
        self._tenant_id = tenant_id
        self._tokens = GraphTokens(
            tool=TOOL, tenant_id=tenant_id, client_id=client_id, client_secret=client_secret,
            clock=self._clock, authority=authority, login_url=login_url,
            transport=login_transport, token_cache=token_cache,
            applications=msal_applications, share_key=share_key or "")
        self._client = ConnectorClient(
            tool=TOOL, base_url=graph_url.rstrip("/"), error_parser=parse_graph_error,
            request_id_headers=("request-id", "client-request-id"), auth=GraphAuth(self._tokens),
            secrets=(client_secret,), headers={"Accept": "application/json"},
            transport=transport, clock=self._clock, retry=retry, rate_limits=rate_limits,
            max_concurrency=4, share_key=share_key,
            throttle_store=throttle_store,
        )
        self._poll_interval = poll_interval
        self._poll_timeout = poll_timeout

    async def aclose(self) -> None:
        await super().aclose()
        await self._tokens.aclose()

    async def test_connection(self) -> GraphIdentity:
        """Prove the whole chain works (a token from Entra ID, then one directory read) and say
        which app and which consented application permissions the connection carries."""
        await self._client.request("GET", "/users", params={"$top": 1, "$select": "id"})
        claims = read_claims(await self._tokens.token())
        roles = claims.get("roles")
        return GraphIdentity(
            tenant_id=str(claims.get("tid") or self._tenant_id),
            app_id=_text(claims.get("appid")),
            app_display_name=_text(claims.get("app_displayname")),
            roles=tuple(sorted(str(r) for r in roles)) if isinstance(roles, list) else ())

    async def get_user(self, id_or_upn: str) -> GraphUser:
        """A user by object id or sign-in name; a missing one raises ``NotFound``."""
        response = await self._client.request("GET", f"/users/{_segment(id_or_upn)}",
                                              params={"$select": USER_FIELDS})
        return response.model(GraphUser)

    async def find_users_by_email(self, email: str) -> list[GraphUser]:
        """Users whose mail or sign-in name is ``email`` (Graph compares case-insensitively)."""
        literal = _odata_string(email)
        found = iter_odata(self._client, "/users", GraphUser, params={
            "$filter": f"mail eq {literal} or userPrincipalName eq {literal}",
            "$select": USER_FIELDS})
        return [user async for user in found]

    async def create_subscription(self, *, resource: str, change_type: str,
                                  notification_url: str, client_state: str,
                                  expires: datetime) -> GraphSubscription:
        """Subscribe ``notification_url`` to changes of ``resource``. Graph first posts a
        ``validationToken`` there and creates the subscription only if it is echoed within
        10 s; every notification then carries ``client_state``."""
        response = await self._client.request("POST", "/subscriptions", json_body={
            "changeType": change_type, "notificationUrl": notification_url,
            "resource": resource, "clientState": client_state,
            "expirationDateTime": _graph_time(expires)})
        return response.model(GraphSubscription)

    async def renew_subscription(self, subscription_id: str,
                                 expires: datetime) -> GraphSubscription:
        response = await self._client.request(
            "PATCH", f"/subscriptions/{_segment(subscription_id)}",
            json_body={"expirationDateTime": _graph_time(expires)})
        return response.model(GraphSubscription)

    async def delete_subscription(self, subscription_id: str) -> None:
        """Remove a subscription; one already gone (expired) is fine."""
        try:
            await self._client.request("DELETE", f"/subscriptions/{_segment(subscription_id)}")
        except NotFound:
            return

    async def find_group_by_mail_nickname(self, nickname: str) -> GraphGroup | None:
        """The group with this mail nickname, the one name Graph keeps unique; or ``None``."""
        found = iter_odata(self._client, "/groups", GraphGroup, params={
            "$filter": f"mailNickname eq {_odata_string(nickname)}", "$select": GROUP_FIELDS})
        groups = [group async for group in found]
        return groups[0] if groups else None

    async def start_team_creation(
        self, display_name: str, *, owner_id: str, description: str | None = None,
        visibility: Literal["private", "public"] = "private",
    ) -> TeamCreation:
        """Ask for a team from the ``standard`` template; app-only calls must name an owner."""
        body: dict[str, Any] = {
            "template@odata.bind": STANDARD_TEMPLATE, "displayName": display_name,
            "visibility": visibility, "members": [_member_body(owner_id, owner=True)]}
        if description:
            body["description"] = description
        response = await self._client.request("POST", "/teams", json_body=body)
        match = _OPERATION.search(response.headers.get("location", ""))
        if match is None:
            raise ServerError(TOOL, response.status, response.request_id,
                              "team creation answered without an operation Location")
        return self._started(match, response.headers)

    def _started(self, location: re.Match[str], headers: httpx.Headers) -> TeamCreation:
        return TeamCreation(team_id=location.group(1), operation_id=location.group(2),
                            retry_after=server_wait_hint(headers, self._clock.now()))

    async def wait_for_team(self, creation: TeamCreation) -> str:
        """Poll the creation until it succeeds (→ the team id) or fails (``ServerError``).

        Waits ``Retry-After`` when Graph sends it, else ``poll_interval``; past ``poll_timeout``
        raises ``Timeout``, and the caller may wait again later with the same ``creation``.
        """
        operation = await self.wait_for_operation(creation, "team creation")
        return operation.target_resource_id or creation.team_id

    async def wait_for_operation(self, started: TeamCreation,
                                 what: str) -> TeamsAsyncOperation:
        """Poll a team's async operation (creation, archiving) until it has succeeded."""
        path = (f"/teams/{_segment(started.team_id)}"
                f"/operations/{_segment(started.operation_id)}")
        give_up = self._clock.monotonic() + self._poll_timeout
        wait = started.retry_after or self._poll_interval
        while True:
            await self._clock.sleep(wait)
            response = await self._client.request("GET", path)
            operation = response.model(TeamsAsyncOperation)
            if operation.status == "succeeded":
                return operation
            if operation.status in ("failed", "invalid"):
                reason = operation.error.message if operation.error else None
                raise ServerError(TOOL, response.status, response.request_id,
                                  f"{what} failed: {reason or operation.status}")
            wait = server_wait_hint(response.headers, self._clock.now()) or self._poll_interval
            if self._clock.monotonic() + wait > give_up:
                raise Timeout(TOOL, None, response.request_id,
                              f"{what} of team {started.team_id} still {operation.status} "
                              f"after {self._poll_timeout:g}s")

    async def archive_team(self, team_id: str) -> GraphTeam:
        """Archive the team (``POST /teams/{id}/archive``: 202 and an operation to poll) and
        wait until Teams has. Idempotent: an archived team is read and left alone."""
        return await self._set_archived(team_id, archived=True)

    async def unarchive_team(self, team_id: str) -> GraphTeam:
        """Restore an archived team (``POST /teams/{id}/unarchive``), waiting for it."""
        return await self._set_archived(team_id, archived=False)

    async def _set_archived(self, team_id: str, *, archived: bool) -> GraphTeam:
        team = await self.get_team(team_id)
        if bool(team.is_archived) == archived:
            return team
        action = "archive" if archived else "unarchive"
        body = {"shouldSetSpoSiteReadOnlyForMembers": False} if archived else None
        response = await self._client.request(
            "POST", f"/teams/{_segment(team_id)}/{action}", json_body=body)
        match = _OPERATION.search(response.headers.get("location", ""))
        if match is None:
            raise ServerError(TOOL, response.status, response.request_id,
                              f"{action} answered without an operation Location")
        await self.wait_for_operation(self._started(match, response.headers), action)
        return team.model_copy(update={"is_archived": archived})

    async def wait_for_existing_team(self, team_id: str) -> GraphTeam:
        """Wait for a team whose creation was started but whose operation id was lost (the
        reply to ``POST /teams`` never arrived): Teams finishes it on its own."""
        give_up = self._clock.monotonic() + self._poll_timeout
        while True:
            try:
                return await self.get_team(team_id)
            except NotFound:
                if self._clock.monotonic() + self._poll_interval > give_up:
                    raise
            await self._clock.sleep(self._poll_interval)

    async def create_team(
        self, display_name: str, *, owner_id: str, description: str | None = None,
        visibility: Literal["private", "public"] = "private",
    ) -> str:
        """Create a team and wait for it; returns its id (which is also its group's id)."""
        creation = await self.start_team_creation(
            display_name, owner_id=owner_id, description=description, visibility=visibility)
        return await self.wait_for_team(creation)

    async def delete_group(self, group_id: str) -> bool:
        """Delete the team's Microsoft 365 group (``DELETE /groups/{id}``, 204): the team, its
        channels, plans and site go with it; Entra ID keeps it restorable for 30 days. ``False``
        when it is already gone."""
        try:
            await self._client.request("DELETE", f"/groups/{_segment(group_id)}")
        except NotFound:
            return False
        return True

    async def team_web_url(self, team_id: str) -> str:
        """The link that opens the team in Teams (web or desktop)."""
        team = await self.get_team(team_id)
        if not team.web_url:
            raise ServerError(TOOL, None, None, f"team {team_id} has no webUrl yet")
        return team.web_url

    async def add_member(self, team_id: str, user_id: str, *, owner: bool = False) -> TeamMember:
        """Add a person to a team (as owner if asked); adding a present member is harmless."""
        response = await self._client.request(
            "POST", f"/teams/{_segment(team_id)}/members", json_body=_member_body(user_id, owner))
        return response.model(TeamMember)

    async def create_channel(
        self, team_id: str, display_name: str, *, description: str | None = None,
    ) -> GraphChannel:
        """A standard channel; a name already used in the team raises ``Conflict``."""
        body = {"displayName": display_name, "membershipType": "standard"}
        if description:
            body["description"] = description
        try:
            response = await self._client.request(
                "POST", f"/teams/{_segment(team_id)}/channels", json_body=body)
        except Invalid as exc:
            if "already existed" in exc.message:
                raise Conflict(exc.tool, exc.status, exc.request_id, exc.message) from exc
            raise
        return response.model(GraphChannel)

    async def post_channel_message(self, team_id: str, channel_id: str, *, html: str,
                                   subject: str | None = None) -> ChatMessage:
        """``POST /teams/{team-id}/channels/{channel-id}/messages`` with an HTML body.

        Not retried after an ambiguous failure (the connector base never repeats a write), so a
        notification is posted at most once; the caller records a failure and moves on."""
        body: dict[str, Any] = {"body": {"contentType": "html", "content": html}}
        if subject:
            body["subject"] = subject[:250]
        response = await self._client.request(
            "POST", f"/teams/{_segment(team_id)}/channels/{_segment(channel_id)}/messages",
            json_body=body)
        return response.model(ChatMessage)

    def iter_teams(self) -> AsyncIterator[GraphTeam]:
        """Every team in the tenant (``GET /teams``), page by page."""
        return iter_odata(self._client, "/teams", GraphTeam)

    def iter_team_members(self, team_id: str) -> AsyncIterator[TeamMember]:
        """Who is in a team, with the email Teams knows them by."""
        return iter_odata(self._client, f"/teams/{_segment(team_id)}/members", TeamMember)

    def iter_channels(self, team_id: str) -> AsyncIterator[GraphChannel]:
        """A team's channels: how a repeated step finds the channel it made before."""
        return iter_odata(self._client, f"/teams/{_segment(team_id)}/channels", GraphChannel)

    def iter_group_plans(self, group_id: str) -> AsyncIterator[PlannerPlan]:
        """The Planner plans a group (a team) owns."""
        return iter_odata(self._client, f"/groups/{_segment(group_id)}/planner/plans",
                          PlannerPlan)

    async def create_plan(self, group_id: str, title: str) -> PlannerPlan:
        """A Planner plan owned by a group (a team's plan: pass the team id)."""
        body = {"container": {"url": f"{GRAPH_URL}/groups/{_segment(group_id)}"},
                "title": title}
        response = await self._client.request("POST", "/planner/plans", json_body=body)
        return response.model(PlannerPlan)

    async def get_plan(self, plan_id: str) -> PlannerPlan:
        response = await self._client.request("GET", f"/planner/plans/{_segment(plan_id)}")
        return response.model(PlannerPlan)

    async def rename_plan(self, plan_id: str, title: str) -> PlannerPlan:
        """``PATCH /planner/plans/{id}``: Planner takes a change only with the plan's current
        etag (``If-Match``); if someone changed the plan between our read and our write (412),
        read it again and try once more. A plan with the title already is left alone."""
        try:
            return await self._retitle(await self.get_plan(plan_id), title)
        except Conflict:
            return await self._retitle(await self.get_plan(plan_id), title)

    async def _retitle(self, plan: PlannerPlan, title: str) -> PlannerPlan:
        if plan.title == title:
            return plan
        response = await self._client.request(
            "PATCH", f"/planner/plans/{_segment(plan.id)}", json_body={"title": title},
            headers={"If-Match": plan.etag, "Prefer": "return=representation"})
        return response.model(PlannerPlan)

    def iter_plan_tasks(self, plan_id: str) -> AsyncIterator[PlannerTask]:
        return iter_odata(self._client, f"/planner/plans/{_segment(plan_id)}/tasks", PlannerTask)

    async def plan_task_counts(self, plan_id: str) -> PlannerTaskCounts:
        """Tasks by progress, and open ones past due as of the connector's clock."""
        now = self._clock.now()
        counts = {"not_started": 0, "in_progress": 0, "done": 0, "overdue": 0}
        async for task in self.iter_plan_tasks(plan_id):
            if task.done:
                counts["done"] += 1
                continue
            counts["in_progress" if task.percent_complete > 0 else "not_started"] += 1
            if task.due_date_time is not None and task.due_date_time < now:
                counts["overdue"] += 1
        return PlannerTaskCounts(**counts)


def _member_body(user_id: str, owner: bool) -> dict[str, Any]:
    return {"@odata.type": "#microsoft.graph.aadUserConversationMember",
            "roles": ["owner"] if owner else [],
            "user@odata.bind": f"{GRAPH_URL}/users('{_segment(user_id)}')"}


def _graph_time(at: datetime) -> str:
    """Graph's ``DateTimeOffset`` in UTC with a ``Z``."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")


def _odata_string(value: str) -> str:
    """An OData string literal: single quotes, doubled inside."""
    return "'" + value.replace("'", "''") + "'"


def _text(value: object) -> str | None:
    return str(value) if value else None


__all__ = ["GRAPH_URL", "STANDARD_TEMPLATE", "GraphConnector", "parse_graph_error"]
