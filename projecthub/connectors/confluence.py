"""Confluence Cloud (REST v2, plus v1 where v2 has gaps) over basic auth: email and API token.

Only the calls ProjectHub needs: who am I, find people, find or create a space, create pages, list
a space's pages and read its activity. v1 serves the current user, user search, and space creation
on sites without role-based access control, where v2 ``POST /spaces`` answers 404.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Collection
from typing import Any

import httpx

from projecthub.connectors.base import Connector, ConnectorClient, VendorError
from projecthub.connectors.clock import Clock
from projecthub.connectors.confluence_models import (
    ChangedPage,
    ConfluencePage,
    ConfluenceSpace,
    ConfluenceUser,
    LastChange,
    SpaceActivity,
    SpacePermission,
    UserSearchHit,
)
from projecthub.connectors.errors import Conflict, Invalid, NotFound
from projecthub.connectors.pagination import (
    iter_context_cursor,
    iter_link_cursor,
    iter_start_limit,
)
from projecthub.connectors.ratelimit import Window
from projecthub.connectors.retry import RetryPolicy
from projecthub.connectors.throttle_store import ThrottleStore

TOOL = "confluence"
V1 = "/wiki/rest/api"
V2 = "/wiki/api/v2"
# Confluence's rule for space keys: letters and digits only, at most 255 of them.
SPACE_KEY = re.compile(r"^[A-Za-z0-9]{1,255}$")
# v1 names the Java exception in front of the message; it tells the user nothing.
_JAVA_EXCEPTION = re.compile(r"^[\w.]+(?:Exception|Error):\s*")
# Atlassian publishes no numbers for API-token traffic (burst limits only); stay well below.
DEFAULT_LIMITS = (Window(20, 1),)
MAX_PAGE_SIZE = 250


def parse_confluence_error(_status: int, body: Any) -> VendorError:
    """v2 ``errors[{status, code, title, detail}]``, v1 ``{statusCode, data, message}``, or the
    plain text Atlassian's edge answers with (e.g. a rejected API token)."""
    if isinstance(body, str):
        return VendorError(body.splitlines()[0] if body else "")
    if not isinstance(body, dict):
        return VendorError("")
    if isinstance(body.get("errors"), list):
        entries = [e for e in body["errors"] if isinstance(e, dict)]
        texts = [": ".join(str(e[k]) for k in ("title", "detail") if e.get(k)) for e in entries]
        code = next((str(e["code"]) for e in entries if e.get("code")), None)
        return VendorError("; ".join(t for t in texts if t), code=code)
    message = str(body.get("message") or "")
    data: dict[str, Any] = body["data"] if isinstance(body.get("data"), dict) else {}
    details = [str(e["message"].get("translation")) for e in data.get("errors") or []
               if isinstance(e, dict) and isinstance(e.get("message"), dict)
               and e["message"].get("translation")]
    exception = _JAVA_EXCEPTION.match(message)
    code = exception.group(0).rstrip(": ").rsplit(".", 1)[-1] if exception else None
    return VendorError("; ".join([_JAVA_EXCEPTION.sub("", message), *details]).strip("; "),
                       code=code)


class ConfluenceConnector(Connector):
    """One Confluence site as seen by one account; use as an async context manager."""

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
            tool=TOOL, base_url=site_url.rstrip("/"), error_parser=parse_confluence_error,
            request_id_headers=("atl-request-id", "atl-traceid"),
            auth=httpx.BasicAuth(email, api_token), secrets=(api_token,),
            headers={"Accept": "application/json"}, transport=transport, clock=clock,
            retry=retry, rate_limits=rate_limits, max_concurrency=4, share_key=share_key,
            throttle_store=throttle_store,
        )

    async def current_user(self) -> ConfluenceUser:
        """The account the credentials belong to; the cheapest proof that they work."""
        response = await self._client.request("GET", f"{V1}/user/current")
        return response.model(ConfluenceUser)

    async def find_users_by_email(self, email: str) -> list[ConfluenceUser]:
        """Accounts whose visible email is exactly ``email``.

        Cloud's user search has no email field (only ``user``, ``user.fullname``,
        ``user.accountid``); we ask ``user.fullname~`` for the address and keep exact matches.
        Hidden emails never match; the same account ids can be found through Jira's user search.
        """
        term = email.replace("\\", "").replace('"', "")
        users = iter_start_limit(self._client, f"{V1}/search/user", UserSearchHit,
                                 params={"cql": f'user.fullname~"{term}"'}, page_size=50)
        return [hit.user async for hit in users
                if (hit.user.email or "").casefold() == email.casefold()]

    async def find_space(self, key: str) -> ConfluenceSpace | None:
        """The space with ``key``, or ``None``: how a provisioning step adopts what exists."""
        spaces = iter_link_cursor(self._client, f"{V2}/spaces", ConfluenceSpace,
                                  params={"keys": _key(key)}, page_size=1)
        async for space in spaces:
            if space.key == key:
                return space
        return None

    def iter_spaces(self, *, page_size: int = MAX_PAGE_SIZE) -> AsyncIterator[ConfluenceSpace]:
        """The site's current spaces, oldest first (v2 pages them by cursor)."""
        return iter_link_cursor(self._client, f"{V2}/spaces", ConfluenceSpace,
                                params={"status": "current", "sort": "id"}, page_size=page_size)

    async def get_space(self, key: str) -> ConfluenceSpace:
        space = await self.find_space(key)
        if space is None:
            raise NotFound(TOOL, 404, None, f"no space with key {key}")
        return space

    async def create_space(
        self, *, key: str, name: str, description: str | None = None,
    ) -> ConfluenceSpace:
        """Create a space through v2, or v1 where v2 answers 404 (no RBAC on the site, or no
        right to create spaces; v1 then tells the two apart with a 403). A taken key raises
        ``Conflict``. Never retried on an ambiguous failure: after a timeout, call ``find_space``.
        """
        v2_body: dict[str, Any] = {"name": name, "key": _key(key)}
        v1_body = dict(v2_body)
        if description:
            v2_body["description"] = {"value": description, "representation": "plain"}
            v1_body["description"] = {"plain": {"value": description, "representation": "plain"}}
        try:
            try:
                response = await self._client.request("POST", f"{V2}/spaces", json_body=v2_body)
            except NotFound:
                response = await self._client.request("POST", f"{V1}/space", json_body=v1_body)
        except Invalid as exc:
            _raise_if_taken(exc)
            raise
        return response.model(ConfluenceSpace)

    async def archive_space(self, key: str) -> ConfluenceSpace:
        """Archive the space. v2 reads a space's ``status`` (current | archived) but has no
        write for it; v1's ``PUT /space/{spaceKey}`` takes ``SpaceUpdate.status``. Idempotent:
        an archived space is left alone."""
        return await self._set_space_status(key, "archived")

    async def restore_space(self, key: str) -> ConfluenceSpace:
        """Bring an archived space back (status ``current``); a current space is left alone."""
        return await self._set_space_status(key, "current")

    async def delete_space(self, key: str) -> bool:
        """Delete the space (v1 ``DELETE /space/{spaceKey}``: 202 and a long task that empties
        it; v2 has no space deletion). ``False`` when it is already gone."""
        try:
            await self._client.request("DELETE", f"{V1}/space/{_key(key)}")
        except NotFound:
            return False
        return True

    async def _set_space_status(self, key: str, status: str) -> ConfluenceSpace:
        space = await self.get_space(key)
        if space.status == status:
            return space
        response = await self._client.request("PUT", f"{V1}/space/{_key(key)}",
                                              json_body={"status": status})
        return response.model(ConfluenceSpace)

    async def rename_space(self, key: str, name: str) -> ConfluenceSpace:
        """Give the space a new name (v1 ``PUT /space/{key}``; v2 has no write for it). A space
        that has the name already is left alone, so a repeated step changes nothing."""
        space = await self.get_space(key)
        if space.name == name:
            return space
        response = await self._client.request("PUT", f"{V1}/space/{_key(key)}",
                                              json_body={"name": name})
        return response.model(ConfluenceSpace)

    def iter_space_permissions(self, space_id: str) -> AsyncIterator[SpacePermission]:
        """Every grant on the space (v2 lists them; v1 only writes them)."""
        return iter_link_cursor(self._client, f"{V2}/spaces/{_id(space_id)}/permissions",
                                SpacePermission, page_size=MAX_PAGE_SIZE)

    async def grant_space_permissions(self, key: str, account_id: str,
                                      operations: tuple[tuple[str, str], ...]) -> int:
        """Give a user each (operation, target) on the space that they lack; v1 grants one
        per call and refuses a duplicate, so what is held is read first. Returns how many
        were added."""
        space = await self.get_space(key)
        held = {(p.operation, p.target) async for p in self.iter_space_permissions(space.id)
                if p.principal_type == "user" and p.principal_id == account_id}
        missing = [op for op in operations if op not in held]
        for operation, target in missing:
            await self._client.request(
                "POST", f"{V1}/space/{_key(key)}/permission",
                json_body={"subject": {"type": "user", "identifier": account_id},
                           "operation": {"key": operation, "target": target}})
        return len(missing)

    async def revoke_space_permissions(self, key: str, account_id: str) -> int:
        """Take every grant the user holds on the space away; returns how many there were."""
        space = await self.get_space(key)
        held = [p async for p in self.iter_space_permissions(space.id)
                if p.principal_type == "user" and p.principal_id == account_id]
        for permission in held:
            try:
                await self._client.request(
                    "DELETE", f"{V1}/space/{_key(key)}/permission/{_id(permission.id)}")
            except NotFound:
                continue  # removed meanwhile: the goal
        return len(held)

    async def create_page(
        self, *, space_id: str, title: str, body: str, parent_id: str | None = None,
    ) -> ConfluencePage:
        """Publish a page whose ``body`` is storage format (XHTML); without ``parent_id`` it goes
        under the space homepage. A title already used in the space raises ``Conflict``."""
        payload: dict[str, Any] = {"spaceId": _id(space_id), "status": "current", "title": title,
                                   "body": {"representation": "storage", "value": body}}
        if parent_id is not None:
            payload["parentId"] = _id(parent_id)
        try:
            response = await self._client.request("POST", f"{V2}/pages", json_body=payload)
        except Invalid as exc:
            _raise_if_taken(exc)
            raise
        return response.model(ConfluencePage)

    def iter_pages(
        self, space_id: str, *, newest_first: bool = False, page_size: int = MAX_PAGE_SIZE,
    ) -> AsyncIterator[ConfluencePage]:
        """The space's current (published, not archived) pages by id or, with ``newest_first``,
        last edited first. The status is explicit because the spec states no default."""
        sort = "-modified-date" if newest_first else "id"
        return iter_link_cursor(self._client, f"{V2}/spaces/{_id(space_id)}/pages",
                                ConfluencePage, page_size=page_size,
                                params={"sort": sort, "status": "current"})

    async def space_activity(self, space_id: str) -> SpaceActivity:
        """Page count and the last edit (who and when). v2 has no totals, so this walks the
        pages newest first, 250 a request; the first one is the last edit."""
        count, latest = 0, None
        async for page in self.iter_pages(space_id, newest_first=True):
            count += 1
            latest = latest or page
        if latest is None or latest.version is None:
            return SpaceActivity(space_id=space_id, page_count=count)
        author = latest.version.author_id
        change = LastChange(page_id=latest.id, page_title=latest.title,
                            at=latest.version.created_at, by_account_id=author,
                            by_display_name=await self._display_name(author))
        return SpaceActivity(space_id=space_id, page_count=count, last_change=change)

    async def changed_space_keys(self, keys: Collection[str], *, minutes: int) -> set[str]:
        """Which of the spaces ``keys`` had a page created or edited in the last ``minutes``:
        one paged v1 content search (CQL), each hit's space asked for. The window is
        ``now("-Nm")``, taken on Confluence's clock, so our clock's skew does not matter. No
        ``space in (…)`` clause, as for Jira: a deleted space must not stop the others. A page
        moved to the trash leaves no trace here; the full pass counts pages again."""
        wanted = set(keys)
        if not wanted:
            return set()
        cql = f'type = page AND lastmodified >= now("-{max(int(minutes), 1)}m")'
        pages = iter_context_cursor(self._client, f"{V1}/content/search", ChangedPage,
                                    params={"cql": cql, "expand": "space"}, page_size=100)
        return {page.space_key async for page in pages if page.space_key in wanted}

    async def get_user(self, account_id: str) -> ConfluenceUser | None:
        """One account by id (v2 ``users-bulk``), or ``None`` when unknown to this caller;
        ``email`` stays ``None`` when the person's privacy settings hide it."""
        try:
            response = await self._client.request(
                "POST", f"{V2}/users-bulk", json_body={"accountIds": [account_id]}, read=True)
        except NotFound:
            return None
        results = (response.body or {}).get("results", [])
        found = [response.model(ConfluenceUser, u) for u in results]
        return next((u for u in found if u.account_id == account_id), None)

    async def _display_name(self, account_id: str | None) -> str | None:
        """The account's name, or ``None`` when unknown or hidden from this caller."""
        user = await self.get_user(account_id) if account_id else None
        return (user.display_name or None) if user else None


def _raise_if_taken(exc: Invalid) -> None:
    """Confluence answers 400, not 409, for a taken space key or page title."""
    if "already exists" in exc.message:
        raise Conflict(exc.tool, exc.status, exc.request_id, exc.message) from exc


def _key(key: str) -> str:
    """Refuse anything but a space key before it reaches a query."""
    if not SPACE_KEY.fullmatch(key):
        raise ValueError(f"not a Confluence space key: {key!r}")
    return key


def _id(value: str) -> str:
    """Space and page ids are numbers; refuse anything else before it reaches a URL path."""
    if not value.isdigit():
        raise ValueError(f"not a Confluence id: {value!r}")
    return value


__all__ = ["ConfluenceConnector", "parse_confluence_error"]
