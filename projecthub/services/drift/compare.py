"""The differences between ProjectHub's side and a tool's, as plain values (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from projecthub.models import DriftField
from projecthub.services.drift.people import MEMBER, OWNER
from projecthub.services.drift.reality import Desired, Reality

DELETED = "deleted in the tool"
ARCHIVED, LIVE = "archived", "not archived"


@dataclass(frozen=True)
class Difference:
    field: DriftField
    subject: str
    desired: str
    actual: str


def differences(desired: Desired, reality: Reality) -> list[Difference]:
    """A deleted resource is one difference (nothing else can be compared); members count only
    people who have an account in the tool."""
    if reality.deleted:
        return [Difference(DriftField.DELETED, "", desired.name, DELETED)]
    found = []
    if reality.name != desired.name:
        found.append(Difference(DriftField.NAME, "", desired.name, reality.name))
    if reality.archived is not None and reality.archived != desired.archived:
        found.append(Difference(DriftField.ARCHIVED, "", ARCHIVED if desired.archived else LIVE,
                                ARCHIVED if reality.archived else LIVE))
    if reality.members is None:
        return found
    return found + _members(desired, reality, reality.members)


def _members(desired: Desired, reality: Reality, members: frozenset[str]) -> list[Difference]:
    """Someone missing or extra (``desired``/``actual`` say member or owner; "" = absent), or,
    where the tool has owners, someone who is the other one."""
    def wanted_as(email: str) -> str:
        return OWNER if reality.owners is not None and email in desired.owners else MEMBER

    def held_as(email: str) -> str:
        return OWNER if reality.owners is not None and email in reality.owners else MEMBER

    wanted = desired.emails - reality.unreachable
    found = [Difference(DriftField.MEMBER, email, wanted_as(email), "")
             for email in sorted(wanted - members)]
    found += [Difference(DriftField.MEMBER, email, "", held_as(email))
              for email in sorted(members - desired.emails)]
    found += [Difference(DriftField.MEMBER, email, wanted_as(email), held_as(email))
              for email in sorted(wanted & members) if wanted_as(email) != held_as(email)]
    return found
