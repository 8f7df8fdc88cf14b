"""The differences between ProjectHub's side and a tool's, as plain values (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from projecthub.models import DriftField
from projecthub.services.drift.reality import Desired, Reality

MEMBER = "member"
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
    wanted = desired.emails - reality.unreachable
    found += [Difference(DriftField.MEMBER, email, MEMBER, "")
              for email in sorted(wanted - reality.members)]
    found += [Difference(DriftField.MEMBER, email, "", MEMBER)
              for email in sorted(reality.members - desired.emails)]
    return found
