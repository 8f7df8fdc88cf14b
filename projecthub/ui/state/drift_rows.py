"""The project page's drift section: one line per difference between a tool and ProjectHub,
in words (what differs, ProjectHub's value, the tool's value, since when)."""

from __future__ import annotations

import dataclasses

from projecthub.models import DriftField, RunStatus
from projecthub.services.drift.resolve import DriftView
from projecthub.ui.format import iso, when
from projecthub.ui.state.projects import tool_label

MEMBER_TEXT = {"member": "Member", "owner": "Owner", "": "Not a member"}


@dataclasses.dataclass(frozen=True)
class DriftLine:
    id: str
    tool: str
    resource: str
    what: str  # "Name", "Member dev@example.com", "Resource"
    projecthub: str
    in_tool: str
    since: str  # ISO, shown in the viewer's zone
    since_utc: str
    can_make_match: bool
    fixing: bool  # a "make it match" run is pending or running
    run_href: str


def _values(drift: DriftView) -> tuple[str, str, str]:
    if drift.field == DriftField.MEMBER:
        return (f"Member {drift.subject}", MEMBER_TEXT.get(drift.desired, drift.desired),
                MEMBER_TEXT.get(drift.actual, drift.actual))
    if drift.field == DriftField.DELETED:
        return "Resource", f"Linked ({drift.desired})", "Deleted in the tool"
    if drift.field == DriftField.ARCHIVED:
        return "Archived", drift.desired.capitalize(), drift.actual.capitalize()
    return "Name", drift.desired, drift.actual


def drift_lines(drifts: list[DriftView]) -> list[DriftLine]:
    lines = []
    for d in drifts:
        what, projecthub, in_tool = _values(d)
        lines.append(DriftLine(
            str(d.id), tool_label(d.tool), d.resource_name, what, projecthub, in_tool,
            iso(d.since), when(d.since), d.can_make_match,
            d.run_status in (RunStatus.PENDING, RunStatus.RUNNING),
            f"/runs/{d.run_id}" if d.run_id else ""))
    return lines
