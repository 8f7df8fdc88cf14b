"""What changed in a sandbox tenant's groups, in order: the log ``/groups/delta`` answers from.

Each change to a group is one entry: the group appeared, it was deleted, or the group
properties it touched. A delta round reads the entries between two places in
the log; its tokens (``$skiptoken`` within a round, ``$deltatoken`` between rounds) are opaque
random strings kept here with the round they continue. Directory delta links live seven days
(Microsoft's announcement of 2020-07-03); an older or unknown token is forgotten.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

TOKEN_LIFETIME = timedelta(days=7)


def _wall_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Change:
    group_id: str
    properties: frozenset[str]
    appeared: bool = False
    removed: bool = False


@dataclass(frozen=True)
class GroupDelta:
    """A group's changes within a round, merged: every property touched, and whether it ends
    deleted."""

    properties: frozenset[str]
    appeared: bool
    removed: bool


@dataclass(frozen=True)
class SyncState:
    """Where a token leaves off. A round lists the changes after ``since`` (``None``: every
    current group) up to ``upto``, of which ``offset`` items were sent; a delta token's round has
    not begun (``since == upto``). ``select``/``ids`` are the round's ``$select`` (``None``:
    every property is tracked) and ``$filter`` by id (``None``: every group)."""

    since: int | None
    upto: int
    offset: int
    select: frozenset[str] | None
    id_filter: str | None
    issued: datetime


@dataclass
class ChangeLog:
    """``now`` is the tenant's clock for token expiry (tests pass a fake clock's ``now``)."""

    entries: list[Change] = field(default_factory=list)
    tokens: dict[str, SyncState] = field(default_factory=dict)
    now: Callable[[], datetime] = _wall_clock

    @property
    def position(self) -> int:
        return len(self.entries)

    def appeared(self, group_id: str) -> None:
        self.entries.append(Change(group_id, frozenset(), appeared=True))

    def touched(self, group_id: str, *properties: str) -> None:
        self.entries.append(Change(group_id, frozenset(properties)))

    def removed(self, group_id: str) -> None:
        self.entries.append(Change(group_id, frozenset(), removed=True))

    def between(self, since: int, upto: int) -> dict[str, GroupDelta]:
        """Each group changed in ``(since, upto]``, in the order of its first change."""
        merged: dict[str, GroupDelta] = {}
        for change in self.entries[since:upto]:
            before = merged.get(change.group_id, GroupDelta(frozenset(), False, False))
            merged[change.group_id] = GroupDelta(
                before.properties | change.properties,
                before.appeared or change.appeared,
                change.removed)
        return merged

    def issue(self, state: SyncState) -> str:
        token = secrets.token_urlsafe(32)
        self.tokens[token] = state
        return token

    def redeem(self, token: str) -> SyncState | None:
        """The token's state, or ``None`` when it is unknown or past its lifetime."""
        state = self.tokens.get(token)
        if state is None or self.now() - state.issued > TOKEN_LIFETIME:
            return None
        return state

    def forget_tokens(self) -> None:
        """Lose every sync state, as Graph may after maintenance of the tenant: the next delta
        request with an old token must start over."""
        self.tokens.clear()


__all__ = ["TOKEN_LIFETIME", "Change", "ChangeLog", "GroupDelta", "SyncState"]
