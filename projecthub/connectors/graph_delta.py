"""Which groups changed since the last look, from Graph's delta query (``GET /groups/delta``).
Part of :class:`GraphConnector` (a mixin over its client); a team is a group with the same id.

Graph hands out a delta link at the end of each round, and the next round from it lists only
the groups created, changed or deleted since. Only the ``$select``ed properties are tracked:
the name and description, which a team read (``GET /teams/{id}``) answers too; a deletion is
always listed. Without a link there is nothing to compare with, and Graph forgets a link after
seven days (400 ``syncStateNotFound``; other delta APIs answer 410 ``resyncRequired``): then
every group may have changed, and a fresh link comes from ``$deltatoken=latest``, which skips
the listing of every group in the directory.
"""

from __future__ import annotations

import httpx

from projecthub.connectors.base import ConnectorClient
from projecthub.connectors.errors import Invalid, NotFound, ServerError
from projecthub.connectors.graph_models import GroupChanges, GroupDeltaPage

DELTA_PATH = "/groups/delta"
TRACKED = "displayName,description"
RESYNC_CODES = ("syncStateNotFound", "resyncRequired")


class GroupDelta:
    _client: ConnectorClient

    async def changed_groups(self, delta_link: str | None) -> GroupChanges:
        """Ids of the groups changed since ``delta_link``, and the link to ask from next time;
        ``group_ids`` is ``None`` (any may have changed) when there is no link, Graph has
        forgotten it, or it points elsewhere than this connection's Graph."""
        if delta_link is not None and self._client.is_own(httpx.URL(delta_link)):
            try:
                return await self._round(httpx.URL(delta_link))
            except (Invalid, NotFound) as exc:
                if not any(code in exc.message for code in RESYNC_CODES):
                    raise
        response = await self._client.request(
            "GET", DELTA_PATH, params={"$select": TRACKED, "$deltatoken": "latest"})
        page = response.model(GroupDeltaPage)
        if page.delta_link is None:
            raise ServerError(self._client.tool, response.status, response.request_id,
                              "a delta request for the latest state answered without a link")
        return GroupChanges(group_ids=None, delta_link=page.delta_link)

    async def _round(self, url: httpx.URL) -> GroupChanges:
        changed: set[str] = set()
        seen: set[str] = set()
        while True:
            response = await self._client.request("GET", url)
            page = response.model(GroupDeltaPage)
            changed.update(group.id for group in page.value)
            if page.delta_link is not None:
                return GroupChanges(group_ids=frozenset(changed), delta_link=page.delta_link)
            if page.next_link is None or page.next_link in seen:
                raise ServerError(self._client.tool, response.status, response.request_id,
                                  "a delta page had neither a new next link nor a delta link")
            seen.add(page.next_link)
            url = self._client.resolve_link(page.next_link, response)


__all__ = ["RESYNC_CODES", "TRACKED", "GroupDelta"]
