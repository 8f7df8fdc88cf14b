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

from projecthub.connectors.base import ConnectorClient, JsonResponse
from projecthub.connectors.errors import Invalid, NotFound, ServerError
from projecthub.connectors.graph_models import DeltaGroup, GroupChanges, GroupDeltaPage
from projecthub.connectors.pagination import iter_odata

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
        """Every page of one round from ``url``; the last one carries the next round's link."""
        last: list[JsonResponse] = []
        changed = frozenset([group.id async for group in iter_odata(
            self._client, url, DeltaGroup, on_last=last.append)])
        page = last[0].model(GroupDeltaPage)
        if page.delta_link is None:
            raise ServerError(self._client.tool, last[0].status, last[0].request_id,
                              "the last delta page had no delta link")
        return GroupChanges(group_ids=changed, delta_link=page.delta_link)


__all__ = ["RESYNC_CODES", "TRACKED", "GroupDelta"]
