"""Jira Cloud (platform REST v3 and Agile 1.0) over basic auth with an email and an API token.

Only the calls ProjectHub needs: who am I, find people, pick a project key, create or adopt a
project, add people to its roles, and read its status (issue counts, overdue issues, issues,
boards, sprints and the active sprint's progress).
Issue search uses ``/search/jql`` and ``/search/approximate-count``; the old ``/search`` is gone
(410 since 2025, CHANGE-2046).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Collection, Sequence
from typing import Any

import httpx

from projecthub.connectors.base import Connector, ConnectorClient, VendorError, all_of
from projecthub.connectors.clock import Clock
from projecthub.connectors.errors import Conflict, Invalid, NotFound
from projecthub.connectors.jira_models import (
    ChangedIssue,
    CreatedProject,
    IssueCounts,
    JiraBoard,
    JiraIssue,
    JiraProject,
    JiraSprint,
    JiraUser,
    JiraWebhook,
    KeyCheck,
    ProjectRole,
    SprintProgress,
)
from projecthub.connectors.pagination import iter_next_page_token, iter_start_at
from projecthub.connectors.ratelimit import Window
from projecthub.connectors.retry import RetryPolicy
from projecthub.connectors.throttle_store import ThrottleStore

TOOL = "jira"
API = "/rest/api/3"
AGILE = "/rest/agile/1.0"
# Admin webhooks: the registration an admin's API token may make (``/rest/api/3/webhook`` is
# for Connect and OAuth apps only, per the platform spec), and the only kind Jira signs.
WEBHOOKS = "/rest/webhooks/1.0/webhook"
SCRUM_TEMPLATE = "com.pyxis.greenhopper.jira:gh-simplified-scrum-classic"
# Jira's rule for keys (spec): an uppercase letter, then 1-9 uppercase letters or digits.
PROJECT_KEY = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
STATUS_CATEGORIES = {"to_do": "To Do", "in_progress": "In Progress", "done": "Done"}
# Jira's 400 for the sprints of a board without them (kanban, or a team board with sprints off).
NO_SPRINTS = "does not support sprints"
# Atlassian publishes no numbers for API-token traffic (burst limits only); stay well below.
DEFAULT_LIMITS = (Window(20, 1),)


def parse_jira_error(_status: int, body: Any) -> VendorError:
    """Jira's ``ErrorCollection``: ``errorMessages`` (list) and ``errors`` (field → message)."""
    if isinstance(body, str):
        return VendorError(body.splitlines()[0])
    if not isinstance(body, dict):
        return VendorError("")
    messages = [str(m) for m in body.get("errorMessages") or []]
    fields = {str(k): str(v) for k, v in (body.get("errors") or {}).items()}
    if not messages and "message" in body:
        messages = [str(body["message"])]
    return VendorError("; ".join(messages + list(fields.values())), fields)


class JiraConnector(Connector):
    """One Jira site as seen by one account; use as an async context manager."""

    def __init__(
        self,
        *,
        site_url: str,
        email: str,
        api_token: str,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
        rate_limits: tuple[Window, ...] = DEFAULT_LIMITS,
        share_key: str | None = None,
        throttle_store: ThrottleStore | None = None,
    ) -> None:
        self._client = ConnectorClient(
            tool=TOOL, base_url=site_url.rstrip("/"), error_parser=parse_jira_error,
            request_id_headers=("x-arequestid", "atl-request-id", "atl-traceid"),
            auth=httpx.BasicAuth(email, api_token), secrets=(api_token,),
            headers={"Accept": "application/json"}, transport=transport, clock=clock,
            retry=retry, rate_limits=rate_limits, max_concurrency=4, share_key=share_key,
            throttle_store=throttle_store,
        )

    async def current_user(self) -> JiraUser:
        """The account the credentials belong to; the cheapest proof that they work."""
        response = await self._client.request("GET", f"{API}/myself")
        return response.model(JiraUser)

    async def find_users_by_email(self, email: str) -> list[JiraUser]:
        """Accounts whose visible email is exactly ``email``; Jira's query also matches prefixes."""
        response = await self._client.request(
            "GET", f"{API}/user/search", params={"query": email, "maxResults": 20})
        users = [response.model(JiraUser, item) for item in response.body or []]
        return [u for u in users if (u.email_address or "").casefold() == email.casefold()]

    async def check_project_key(self, key: str) -> KeyCheck:
        """Whether ``key`` can be used for a new project, in Jira's own words if not."""
        response = await self._client.request("GET", f"{API}/projectvalidate/key",
                                              params={"key": key})
        problems = list((response.body or {}).get("errors", {}).values())
        problems += (response.body or {}).get("errorMessages", [])
        return KeyCheck(key=key, problem="; ".join(problems) or None)

    async def suggest_project_key(self, wanted: str) -> str:
        """A key Jira would accept, derived from ``wanted`` when that is taken or invalid."""
        response = await self._client.request("GET", f"{API}/projectvalidate/validProjectKey",
                                              params={"key": wanted})
        return str(response.body)

    async def suggest_project_name(self, wanted: str) -> str:
        """``wanted`` if unused, else Jira's variant of it (usually with a sequence number)."""
        response = await self._client.request("GET", f"{API}/projectvalidate/validProjectName",
                                              params={"name": wanted})
        return str(response.body)

    async def get_project(self, key: str) -> JiraProject:
        response = await self._client.request("GET", f"{API}/project/{_key(key)}")
        return response.model(JiraProject)

    def iter_projects(self, *, query: str | None = None,
                      page_size: int = 50) -> AsyncIterator[JiraProject]:
        """Every project the account can browse, by key, with its lead (``query`` matches the
        key exactly or part of the name, as Jira's project search does)."""
        params: dict[str, str | int | bool] = {"orderBy": "key", "expand": "lead"}
        if query:
            params["query"] = query
        return iter_start_at(self._client, f"{API}/project/search", JiraProject, params=params,
                             page_size=page_size)

    async def find_project(self, key: str) -> JiraProject | None:
        """The project with ``key``, or ``None``: how a provisioning step adopts what exists."""
        try:
            return await self.get_project(key)
        except NotFound:
            return None

    async def create_project(
        self, *, key: str, name: str, lead_account_id: str, project_type_key: str = "software",
        template_key: str = SCRUM_TEMPLATE, description: str | None = None,
    ) -> CreatedProject:
        """Create a project; a key or name already in use raises ``Conflict``, not ``Invalid``.

        Never retried on an ambiguous failure: after a timeout or 5xx, call ``find_project``.
        """
        body = {"key": _key(key), "name": name, "leadAccountId": lead_account_id,
                "projectTypeKey": project_type_key, "projectTemplateKey": template_key}
        if description:
            body["description"] = description
        try:
            response = await self._client.request("POST", f"{API}/project", json_body=body)
        except Invalid as exc:
            if any("already exists" in m or "uses this project key" in m
                   for m in exc.field_errors.values()):
                raise Conflict(exc.tool, exc.status, exc.request_id, exc.message) from exc
            raise
        return response.model(CreatedProject)

    async def archive_project(self, key: str) -> JiraProject:
        """Archive the project (``POST /project/{key}/archive``, 204). Idempotent: the project
        is read first and left alone when already archived, so a retried step does not fail on
        Jira's 400 for archiving twice."""
        project = await self.get_project(key)
        if project.archived:
            return project
        await self._client.request("POST", f"{API}/project/{_key(key)}/archive")
        return project.model_copy(update={"archived": True})

    async def restore_project(self, key: str) -> JiraProject:
        """Restore an archived project (``POST /project/{key}/restore``); a live one is left
        alone (Jira answers 400 to restoring it)."""
        project = await self.get_project(key)
        if not project.archived:
            return project
        response = await self._client.request("POST", f"{API}/project/{_key(key)}/restore")
        return response.model(JiraProject)

    async def delete_project(self, key: str) -> bool:
        """Move the project to Jira's trash (``DELETE /project/{key}?enableUndo=true``: an admin
        can restore it for 60 days). ``False`` when it is already gone, so a retry succeeds."""
        try:
            await self._client.request("DELETE", f"{API}/project/{_key(key)}",
                                       params={"enableUndo": "true"})
        except NotFound:
            return False
        return True

    async def project_roles(self, key: str) -> dict[str, int]:
        """Role name → role id for a project (ids differ between sites and project styles)."""
        response = await self._client.request("GET", f"{API}/project/{_key(key)}/role")
        roles: dict[str, int] = {}
        for name, url in (response.body or {}).items():
            roles[str(name)] = int(str(url).rstrip("/").rsplit("/", 1)[-1])
        return roles

    async def add_role_actors(
        self, key: str, role_id: int, account_ids: Sequence[str],
    ) -> ProjectRole:
        """Ensure the accounts hold the role; members already in it are not re-added (Jira
        answers 400 to a duplicate actor), so a retried step is harmless."""
        path = f"{API}/project/{_key(key)}/role/{int(role_id)}"
        current = ProjectRole.from_wire((await self._client.request("GET", path)).body)
        missing = [a for a in dict.fromkeys(account_ids) if a not in current.actor_account_ids]
        if not missing:
            return current
        response = await self._client.request("POST", path, json_body={"user": missing})
        return ProjectRole.from_wire(response.body)

    async def role_actors(self, key: str, role_id: int) -> ProjectRole:
        """Who holds a project role (user actors only)."""
        path = f"{API}/project/{_key(key)}/role/{int(role_id)}"
        return ProjectRole.from_wire((await self._client.request("GET", path)).body)

    async def remove_role_actor(self, key: str, role_id: int, account_id: str) -> None:
        """Take an account out of a role; one that no longer holds it is left alone, so a
        repeated step is harmless."""
        if account_id not in (await self.role_actors(key, role_id)).actor_account_ids:
            return
        await self._client.request("DELETE", f"{API}/project/{_key(key)}/role/{int(role_id)}",
                                   params={"user": account_id})

    async def rename_project(self, key: str, name: str) -> JiraProject:
        """Set the project's name (Jira answers 400 when another project has it)."""
        response = await self._client.request("PUT", f"{API}/project/{_key(key)}",
                                              json_body={"name": name})
        return response.model(JiraProject)

    async def find_user_by_account_id(self, account_id: str) -> JiraUser | None:
        response = await self._client.request(
            "GET", f"{API}/user/search", params={"accountId": account_id})
        users = [response.model(JiraUser, item) for item in response.body or []]
        return next((u for u in users if u.account_id == account_id), None)

    async def count_issues(self, jql: str) -> int:
        response = await self._client.request(
            "POST", f"{API}/search/approximate-count", json_body={"jql": jql}, read=True)
        return int((response.body or {}).get("count", 0))

    async def issue_counts(self, key: str) -> IssueCounts:
        """Issues of a project per status category, three approximate counts in parallel."""
        return IssueCounts(**await self._category_counts(f'project = "{_key(key)}"'))

    async def overdue_issue_count(self, key: str) -> int:
        """Open issues of a project due before today (approximate). Jira reads "today" in the
        time zone of the account behind the token, so it may differ from ours near midnight."""
        return await self.count_issues(
            f'project = "{_key(key)}" AND duedate < startOfDay() AND statusCategory != Done')

    async def active_sprint(self, key: str) -> SprintProgress | None:
        """The active sprint on the project's first board with its issues per status category;
        ``None`` without a board, on a board without sprints (kanban), or with no sprint active.
        With parallel sprints on, Jira's first active one is taken."""
        board = await anext(aiter(self.iter_boards(key, page_size=1)), None)
        if board is None:
            return None
        try:
            sprint = await anext(aiter(self.iter_sprints(board.id, states=("active",),
                                                         page_size=1)), None)
        except Invalid as exc:
            if NO_SPRINTS in exc.message.casefold():
                return None
            raise
        if sprint is None:
            return None
        counts = await self._category_counts(f"sprint = {int(sprint.id)}")
        return SprintProgress(id=sprint.id, board_id=board.id, name=sprint.name,
                              start=sprint.start_date, end=sprint.end_date,
                              goal=sprint.goal or None, **counts)

    async def _category_counts(self, scope: str) -> dict[str, int]:
        """``scope`` (a bounded JQL restriction) per status category, counted in parallel."""
        counts = await all_of(*(
            self.count_issues(f'{scope} AND statusCategory = "{name}"')
            for name in STATUS_CATEGORIES.values()))
        return dict(zip(STATUS_CATEGORIES, counts, strict=True))

    async def register_webhook(self, *, name: str, url: str, events: Sequence[str],
                               secret: str) -> JiraWebhook:
        """Register an admin webhook signed with ``secret`` (``X-Hub-Signature``); needs a
        Jira administrator's token. Not retried on an ambiguous failure (a second copy would
        double every delivery); the caller offers the manual instructions instead."""
        response = await self._client.request("POST", WEBHOOKS, json_body={
            "name": name, "url": url, "events": list(events), "excludeBody": False,
            "secret": secret})
        return response.model(JiraWebhook)

    async def delete_webhook(self, webhook_id: str) -> None:
        """Remove an admin webhook; one already gone is fine."""
        if not webhook_id.isdigit():
            raise ValueError("not a Jira webhook id")
        try:
            await self._client.request("DELETE", f"{WEBHOOKS}/{webhook_id}")
        except NotFound:
            return

    def iter_issues(self, jql: str, *, page_size: int = 100) -> AsyncIterator[JiraIssue]:
        """Issues matching a bounded JQL query, with summary, status, creation and due dates."""
        body = {"jql": jql, "fields": ["summary", "status", "created", "duedate"]}
        return iter_next_page_token(self._client, f"{API}/search/jql", JiraIssue,
                                    items_key="issues", body=body, page_size=page_size)

    async def changed_project_keys(self, keys: Collection[str], *, minutes: int) -> set[str]:
        """Which of the projects ``keys`` have figures that may differ from ``minutes`` ago: an
        issue updated since (created, moved, edited, transitioned), or an open issue whose due
        date passed since (it became overdue with no change of its own). One paged search over
        the whole site, only each hit's project asked for.

        No ``project in (...)`` clause: Jira refuses the whole query with a 400 when one listed
        project was deleted, and a deleted project must not stop the others' changes (the full
        pass reports it as drift). The window is a period (``-90m``) that Jira takes from its
        own clock, so our clock's skew does not matter, and a due date's day is read in the
        searcher's time zone, as the overdue count reads ``startOfDay()``. Deleted issues and
        sprint changes leave no trace here: the status sync's full pass covers them."""
        wanted = {_key(k) for k in keys}
        if not wanted:
            return set()
        since = f'"-{max(int(minutes), 1)}m"'
        jql = (f"updated >= {since} OR duedate >= {since} AND duedate < startOfDay() "
               "AND statusCategory != Done")
        body = {"jql": jql, "fields": ["project"]}
        issues = iter_next_page_token(self._client, f"{API}/search/jql", ChangedIssue,
                                      items_key="issues", body=body, page_size=100)
        return {issue.project_key async for issue in issues if issue.project_key in wanted}

    def iter_project_issues(self, key: str, *, page_size: int = 100) -> AsyncIterator[JiraIssue]:
        return self.iter_issues(f'project = "{_key(key)}" ORDER BY created ASC',
                                page_size=page_size)

    def iter_boards(self, project_key: str, *, page_size: int = 50) -> AsyncIterator[JiraBoard]:
        return iter_start_at(self._client, f"{AGILE}/board", JiraBoard,
                             params={"projectKeyOrId": _key(project_key)}, page_size=page_size)

    def iter_sprints(
        self, board_id: int, *, states: Sequence[str] = ("active", "future", "closed"),
        page_size: int = 50,
    ) -> AsyncIterator[JiraSprint]:
        return iter_start_at(self._client, f"{AGILE}/board/{int(board_id)}/sprint", JiraSprint,
                             params={"state": ",".join(states)}, page_size=page_size)


def _key(key: str) -> str:
    """Refuse anything but a project key before it reaches a URL path or a JQL string."""
    if not PROJECT_KEY.fullmatch(key):
        raise ValueError(f"not a Jira project key: {key!r}")
    return key


__all__ = ["SCRUM_TEMPLATE", "JiraConnector", "parse_jira_error"]
