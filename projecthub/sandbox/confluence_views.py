"""Confluence Cloud JSON shapes (v1 and v2) for the sandbox's state, checked against both specs.

Links are built from the mount the sandbox is reached at (``root`` is e.g. ``/sandbox/confluence``)
so that a next-page link, which Confluence makes relative to the host (``/wiki/api/v2/…``), leads
back into the sandbox the same way.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

from starlette.requests import Request

from projecthub.sandbox.common import SandboxHTTPError
from projecthub.sandbox.confluence_state import Account, ConfluenceSite, Page, Space

# Atlassian's edge answers Confluence with the same JSON content type and compact bodies as Jira.
from projecthub.sandbox.jira_views import JiraJSON as ConfluenceJSON

T = TypeVar("T")
V1 = "/wiki/rest/api"
V2 = "/wiki/api/v2"


def stamp(moment: datetime) -> str:
    """Confluence's timestamp format, ``YYYY-MM-DDTHH:mm:ss.sssZ``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def wiki_base(request: Request) -> str:
    """What Confluence calls ``_links.base``: the absolute URL of the site's ``/wiki``."""
    return f"{request.url.scheme}://{request.url.netloc}{root(request)}/wiki"


def _avatar(account: Account) -> dict[str, Any]:
    return {"path": f"/wiki/aa-avatar/{account.account_id}", "width": 48, "height": 48,
            "isDefault": False}


def user_v1(account: Account, request: Request) -> dict[str, Any]:
    base = wiki_base(request)
    return {
        "type": "known", "accountId": account.account_id, "accountType": "atlassian",
        "email": account.email if account.email_visible else "",
        "publicName": account.public_name, "profilePicture": _avatar(account),
        "displayName": account.display_name, "isExternalCollaborator": False,
        "_expandable": {"operations": "", "personalSpace": ""},
        "_links": {"self": f"{base}/rest/api/user?accountId={account.account_id}",
                   "base": base, "context": f"{root(request)}/wiki"},
    }


def user_v2(account: Account) -> dict[str, Any]:
    avatar = _avatar(account)
    return {
        "accountId": account.account_id, "accountType": "atlassian",
        "accountStatus": "active" if account.active else "inactive",
        "displayName": account.display_name, "publicName": account.public_name,
        "email": account.email if account.email_visible else "", "timeZone": "Europe/Berlin",
        "isExternalCollaborator": False,
        "profilePicture": {"path": avatar["path"], "isDefault": avatar["isDefault"]},
    }


def user_hit(account: Account, request: Request, modified: datetime) -> dict[str, Any]:
    """One result of ``/search/user``: a search hit wrapping the user."""
    return {"user": user_v1(account, request), "title": account.display_name, "excerpt": "",
            "url": f"/people/{account.account_id}", "breadcrumbs": [], "entityType": "user",
            "iconCssClass": "aui-icon content-type-profile", "lastModified": stamp(modified),
            "score": 0.0}


def space_v2(space: Space, *, description_format: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(space.id), "key": space.key, "name": space.name, "type": space.type,
        "status": space.status, "authorId": space.author_id, "createdAt": stamp(space.created_at),
        "homepageId": str(space.homepage_id), "spaceOwnerId": space.author_id,
        "currentActiveAlias": space.key, "_links": {"webui": f"/spaces/{space.key}"},
    }
    if description_format in ("plain", "view"):
        value = space.description
        if description_format == "view":
            value = f"<p>{value}</p>"
        body["description"] = {description_format: {"value": value,
                                                    "representation": description_format}}
    return body


def space_v1(space: Space, site: ConfluenceSite, request: Request) -> dict[str, Any]:
    base, home = wiki_base(request), site.pages.get(space.homepage_id or 0)
    body: dict[str, Any] = {
        "id": space.id, "key": space.key, "name": space.name,
        "icon": {"path": "/images/logo/default-space-logo.svg", "width": 48, "height": 48,
                 "isDefault": False},
        "description": {"plain": {"value": space.description, "representation": "plain",
                                  "embeddedContent": []}, "_expandable": {"view": ""}},
        "type": space.type, "status": space.status,
        "_expandable": {"settings": f"/rest/api/space/{space.key}/settings", "metadata": "",
                        "operations": "", "permissions": "", "history": "", "identifiers": "",
                        "theme": f"/rest/api/space/{space.key}/theme",
                        "lookAndFeel": f"/rest/api/settings/lookandfeel?spaceKey={space.key}"},
        "_links": {"webui": f"/spaces/{space.key}", "context": f"{root(request)}/wiki",
                   "self": f"{base}/rest/api/space/{space.key}", "base": base},
    }
    if home is not None:
        body["homepage"] = {"id": str(home.id), "type": "page", "status": home.status,
                            "title": home.title}
    return body


def page_v2(page: Page, site: ConfluenceSite, *, with_body: bool = False) -> dict[str, Any]:
    space = site.spaces[page.space_id]
    slug = "+".join(page.title.split())
    body: dict[str, Any] = {
        "id": str(page.id), "status": page.status, "title": page.title,
        "spaceId": str(page.space_id), "authorId": page.author_id, "ownerId": page.author_id,
        "lastOwnerId": None, "createdAt": stamp(page.created_at), "position": page.id % 1000,
        "version": {"createdAt": stamp(page.modified_at), "message": "", "number": page.version,
                    "minorEdit": False, "authorId": page.modified_by},
        "_links": {"webui": f"/spaces/{space.key}/pages/{page.id}/{slug}",
                   "editui": f"/pages/resumedraft.action?draftId={page.id}",
                   "tinyui": f"/x/{base64.urlsafe_b64encode(str(page.id).encode()).decode()}"},
    }
    if page.parent_id is not None:
        body.update(parentId=str(page.parent_id), parentType="page")
    if with_body:
        body["body"] = {"storage": {"representation": "storage", "value": page.body}}
    return body


def query_int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    try:
        return default if raw is None else int(raw)
    except ValueError:
        raise SandboxHTTPError(400, f"Invalid value for parameter '{name}'") from None


def _cursor_window(request: Request, scope: str) -> tuple[int, int]:
    """(offset, limit) of a v2 list request; the opaque cursor is bound to the list it came from."""
    limit = query_int(request, "limit", 25)
    if not 1 <= limit <= 250:
        raise SandboxHTTPError(400, "Limit must be between 1 and 250")
    token = request.query_params.get("cursor")
    if not token:
        return 0, limit
    try:
        offset, _, bound = base64.urlsafe_b64decode(token.encode()).decode().partition("|")
        if bound == scope:
            return int(offset), limit
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise SandboxHTTPError(400, "Invalid cursor")


def v2_list(request: Request, items: Sequence[T], render: Callable[[T], dict[str, Any]],
            scope: str) -> ConfluenceJSON:
    """One v2 page of ``items``: ``_links.next`` plus a ``Link`` header, both host-relative."""
    offset, limit = _cursor_window(request, scope)
    links: dict[str, Any] = {"base": wiki_base(request)}
    headers = {}
    if offset + limit < len(items):
        cursor = base64.urlsafe_b64encode(f"{offset + limit}|{scope}".encode()).decode()
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
        links["next"] = f"{request.url.path}?{urlencode([*query, ('cursor', cursor)])}"
        headers["Link"] = f'<{links["next"]}>; rel="next", <{links["base"]}>; rel="base"'
    results = [render(item) for item in items[offset:offset + limit]]
    return ConfluenceJSON({"results": results, "_links": links}, headers=headers)


__all__ = [
    "V1",
    "V2",
    "ConfluenceJSON",
    "page_v2",
    "query_int",
    "root",
    "space_v1",
    "space_v2",
    "stamp",
    "user_hit",
    "user_v1",
    "user_v2",
    "v2_list",
    "wiki_base",
]
