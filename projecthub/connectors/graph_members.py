"""A team's people and name in Microsoft Graph: list memberships, give a person the owner or
member role, end a membership, rename the team. Part of :class:`GraphConnector` (a mixin over
its client), kept apart because creation and archiving are a concept of their own.

Each write reads first and acts only on a difference, so a repeated provisioning step changes
nothing: Graph refuses a second membership of one person and the last owner's removal.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

from projecthub.connectors.base import ConnectorClient
from projecthub.connectors.errors import NotFound
from projecthub.connectors.graph_models import GraphTeam, TeamMember
from projecthub.connectors.pagination import iter_odata

MEMBER_TYPE = "#microsoft.graph.aadUserConversationMember"


def team_segment(value: str) -> str:
    """One percent-encoded path segment; never a slash."""
    if not value or len(value) > 256 or "/" in value or "\\" in value or value in (".", ".."):
        raise ValueError(f"not a Graph id: {value!r}")
    return quote(value, safe="@:=+")


class TeamMembership:
    _client: ConnectorClient

    async def get_team(self, team_id: str) -> GraphTeam:
        response = await self._client.request("GET", f"/teams/{team_segment(team_id)}")
        return response.model(GraphTeam)

    def iter_team_members(self, team_id: str) -> AsyncIterator[TeamMember]:
        return iter_odata(self._client, f"/teams/{team_segment(team_id)}/members", TeamMember)

    async def rename_team(self, team_id: str, name: str) -> GraphTeam:
        """``PATCH /teams/{id}`` with the new display name (204); a team that has the name
        already is left alone."""
        team = await self.get_team(team_id)
        if team.display_name == name:
            return team
        await self._client.request("PATCH", f"/teams/{team_segment(team_id)}",
                                   json_body={"displayName": name})
        return team.model_copy(update={"display_name": name})

    async def team_member(self, team_id: str, user_id: str) -> TeamMember | None:
        return await anext((m async for m in self.iter_team_members(team_id)
                            if m.user_id == user_id), None)

    async def set_team_role(self, team_id: str, user_id: str, *, owner: bool) -> TeamMember:
        """Make the person a member (or owner) of the team: added when absent, their roles
        changed (``PATCH`` the membership) when they differ, else left alone."""
        member = await self.team_member(team_id, user_id)
        roles = ["owner"] if owner else []
        if member is None:
            response = await self._client.request(
                "POST", f"/teams/{team_segment(team_id)}/members",
                json_body={**_member_type(roles),
                           "user@odata.bind": f"https://graph.microsoft.com/v1.0/users"
                                              f"('{team_segment(user_id)}')"})
            return response.model(TeamMember)
        if ("owner" in member.roles) == owner:
            return member
        response = await self._client.request(
            "PATCH", f"/teams/{team_segment(team_id)}/members/{team_segment(member.id)}",
            json_body=_member_type(roles))
        return response.model(TeamMember)

    async def remove_team_member(self, team_id: str, user_id: str) -> bool:
        """End the person's membership; False when they were not a member (nothing to do)."""
        member = await self.team_member(team_id, user_id)
        if member is None:
            return False
        try:
            await self._client.request(
                "DELETE", f"/teams/{team_segment(team_id)}/members/{team_segment(member.id)}")
        except NotFound:
            return False  # gone meanwhile: the goal
        return True


def _member_type(roles: list[str]) -> dict[str, Any]:
    return {"@odata.type": MEMBER_TYPE, "roles": roles}


__all__ = ["MEMBER_TYPE", "TeamMembership", "team_segment"]
