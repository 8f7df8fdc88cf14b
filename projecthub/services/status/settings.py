"""An organization's status preferences: how often to sync and where health turns amber/red."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from sqlmodel import Session

from projecthub.core.errors import Invalid
from projecthub.models import Organization, Role
from projecthub.services import audit
from projecthub.services.principal import Principal, require_role


@dataclass(frozen=True)
class StatusSettings:
    sync_minutes: int = 30
    burn_amber_points: int = 10  # budget burn ahead of elapsed time, in percentage points
    burn_red_points: int = 25
    overdue_amber: int = 1  # overdue Jira issues or Planner tasks
    overdue_red: int = 5
    stale_hours: int = 24
    # Tools with a change query (Jira, Confluence) are read in full this often, and otherwise
    # only when they report a change; it must come before their figures would count as stale.
    full_pass_hours: int = 12

    def validate(self) -> None:
        problems = {f.name: "Must be a positive whole number." for f in fields(self)
                    if not isinstance(getattr(self, f.name), int) or getattr(self, f.name) < 1}
        if not problems and self.burn_red_points <= self.burn_amber_points:
            problems["burn_red_points"] = "Must be above the amber threshold."
        if not problems and self.overdue_red <= self.overdue_amber:
            problems["overdue_red"] = "Must be above the amber threshold."
        if not problems and self.full_pass_hours >= self.stale_hours:
            problems["full_pass_hours"] = "Must be below the stale threshold."
        if problems:
            raise Invalid("Some thresholds need attention.", problems)


def settings_from(org_settings: Mapping[str, Any] | None) -> StatusSettings:
    """An organization's stored preferences over the defaults (unknown keys ignored)."""
    stored = (org_settings or {}).get("status", {})
    known = {f.name for f in fields(StatusSettings)}
    return StatusSettings(**{k: v for k, v in stored.items() if k in known})


def settings_of(org: Organization) -> StatusSettings:
    return settings_from(org.settings)


def get_status_settings(session: Session, principal: Principal) -> StatusSettings:
    org = session.get(Organization, principal.org_id)
    assert org is not None
    return settings_of(org)


def update_status_settings(session: Session, principal: Principal,
                           values: dict[str, Any]) -> StatusSettings:
    require_role(principal, Role.ADMIN)
    org = session.get(Organization, principal.org_id)
    assert org is not None
    try:
        updated = StatusSettings(**{**asdict(settings_of(org)), **{
            k: int(v) for k, v in values.items()}})
    except (TypeError, ValueError) as exc:
        raise Invalid("Thresholds are whole numbers.") from exc
    updated.validate()
    org.settings = {**(org.settings or {}), "status": asdict(updated)}
    session.add(org)
    audit.record(session, principal, "status.settings_updated", target_type="organization",
                 target_id=org.id, detail=asdict(updated))
    return updated
