"""How far behind the status sync is, per organization, for the operator's ``/metrics``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from projecthub.core.clock import as_utc
from projecthub.models import Organization, StatusSnapshot


def sync_lag_seconds(session: Session, now: datetime) -> dict[str, float]:
    """Age of each organization's oldest figure, by organization slug. Reads across tenants on
    purpose, like the sync itself: an operator view holding only a slug and a number."""
    rows = session.exec(
        select(Organization.slug, func.min(StatusSnapshot.fetched_at))
        .join(StatusSnapshot, col(StatusSnapshot.organization_id) == Organization.id)
        .where(col(StatusSnapshot.fetched_at).is_not(None))
        .group_by(Organization.slug)).all()
    return {slug: max(0.0, (now - as_utc(oldest)).total_seconds())
            for slug, oldest in rows if oldest is not None}
