"""Confluence steps: create (or adopt) the space and give the project's people access to it,
its starter pages, link an existing space, and write the "Project links" page that points at
everything the run made."""

from __future__ import annotations

from html import escape

from projecthub.connectors.confluence import ConfluenceConnector
from projecthub.connectors.confluence_models import ConfluencePage, ConfluenceSpace
from projecthub.connectors.errors import NotFound
from projecthub.models import Tool
from projecthub.services.provisioning.actions.base import (
    StepContext,
    StepFailed,
    StepOutcome,
    resolve_people,
)

# What a project member may do in the space: read it and write pages (drift compares these).
SPACE_GRANTS = (("read", "space"), ("create", "page"))

STARTER_BODIES = {
    "Project charter": "<h2>Goal</h2><p></p><h2>Scope</h2><p></p><h2>Stakeholders</h2><p></p>",
    "Meeting notes": "<p>One child page per meeting: date, attendees, decisions, actions.</p>",
    "Decision log": "<table><tbody><tr><th>Date</th><th>Decision</th><th>Why</th><th>Who</th>"
                    "</tr></tbody></table>",
    "Risks and issues": "<table><tbody><tr><th>Risk</th><th>Impact</th><th>Owner</th>"
                        "<th>Mitigation</th></tr></tbody></table>",
}


def wiki_url(site: str, web_path: str | None) -> str:
    """Where a person opens a space or page (``web_path`` is v2's ``_links.webui``)."""
    return f"{site.rstrip('/')}/wiki{web_path}" if web_path else ""


def _web(ctx: StepContext, web_path: str | None) -> str:
    return wiki_url(ctx.tools.credentials(ctx.connection_id, Tool.CONFLUENCE).base_url, web_path)


def _space_outcome(ctx: StepContext, space: ConfluenceSpace, origin: str,
                   note: str = "") -> StepOutcome:
    url = _web(ctx, space.web_path)
    return StepOutcome(space.id, f"{origin} space {space.key}{note}", url,
                       {"space_id": space.id, "key": space.key, "url": url}, "space", space.key,
                       space.name, origin)


async def create_space(ctx: StepContext) -> StepOutcome:
    """The space (adopted when ours already), then the project's people may read it and write
    pages; someone without a Confluence account is named in the message, not a failure."""
    key, name = ctx.inputs["key"], ctx.inputs["name"]
    async with ctx.tools.confluence(ctx.connection_id) as wiki:
        space = await wiki.find_space(key)
        origin = "adopted"
        if space is not None and space.name != name:
            raise StepFailed(f"The space key {key} is used by another space "
                             f"({space.name}). Choose another key.")
        if space is None:
            space = await wiki.create_space(key=key, name=name,
                                            description=ctx.inputs.get("description") or None)
            origin = "created"
        note = await _grant_people(wiki, key, ctx.inputs.get("emails", []))
    return _space_outcome(ctx, space, origin, note)


async def _grant_people(wiki: ConfluenceConnector, key: str, emails: list[str]) -> str:
    async def find(email: str) -> str | None:
        users = await wiki.find_users_by_email(email)
        return users[0].account_id if users else None

    accounts, missing = await resolve_people(emails, find)
    for account_id in accounts:
        await wiki.grant_space_permissions(key, account_id, SPACE_GRANTS)
    if not emails:
        return ""
    return f"; {len(accounts)} people may read it" + (
        f" (no Confluence account: {', '.join(missing)})" if missing else "")


async def link_space(ctx: StepContext) -> StepOutcome:
    async with ctx.tools.confluence(ctx.connection_id) as wiki:
        try:
            space = await wiki.get_space(ctx.inputs["key"])
        except NotFound as exc:
            raise StepFailed(f"No Confluence space has the key {ctx.inputs['key']}.") from exc
    return _space_outcome(ctx, space, "linked")


async def _find_page(wiki: ConfluenceConnector, space_id: str, title: str) -> ConfluencePage | None:
    async for page in wiki.iter_pages(space_id):
        if page.title == title:
            return page
    return None


async def _ensure_page(ctx: StepContext, title: str, body: str) -> StepOutcome:
    space_id = ctx.output("confluence.create_space", "space_id")
    async with ctx.tools.confluence(ctx.connection_id) as wiki:
        page = await _find_page(wiki, space_id, title)
        origin = "adopted" if page else "created"
        if page is None:
            page = await wiki.create_page(space_id=space_id, title=title, body=body)
    url = _web(ctx, page.web_path)
    return StepOutcome(page.id, f"{origin} page “{title}”", url, {"url": url}, "page", page.id,
                       title, origin)


async def create_page(ctx: StepContext) -> StepOutcome:
    title = ctx.inputs["title"]
    return await _ensure_page(ctx, title, STARTER_BODIES.get(title, "<p></p>"))


async def create_links_page(ctx: StepContext) -> StepOutcome:
    """One page linking every resource this run created or linked, for people who start in
    Confluence."""
    items = [(key.split(".")[0], outputs.get("url", "")) for key, outputs in
             ctx.dependencies.items() if outputs.get("url")]
    rows = "".join(f'<li>{escape(tool.title())}: <a href="{escape(url)}">{escape(url)}</a></li>'
                   for tool, url in items)
    return await _ensure_page(ctx, ctx.inputs["title"], f"<ul>{rows}</ul>")
