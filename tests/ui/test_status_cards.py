"""A status card's times reach the browser as instants: the Confluence space's last edit ticks
on as an age, and a failed sync's note leaves the time to the card's own "fetched … ago"."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from projecthub.models import Tool
from projecthub.models.status_data import ConfluenceSummary
from projecthub.services.status.view import ResourceCard
from projecthub.ui.state.status_cards import card_view, mark_changes
from tests.ui.times import instant

NOW = datetime(2026, 12, 6, 18, 0, tzinfo=UTC)
EDITED = datetime(2026, 12, 6, 15, 4, 5, tzinfo=UTC)
FETCHED = NOW - timedelta(minutes=20)


def _space(*, edited: datetime = EDITED, error: str = "") -> ResourceCard:
    return ResourceCard(resource_id=uuid.UUID(int=7), tool=Tool.CONFLUENCE, kind="space",
                        name="Docs", url="", origin="created",
                        data=ConfluenceSummary(page_count=3, last_edit_at=edited,
                                               last_edit_by="Ada"),
                        fetched_at=FETCHED, error=error)


def _last_edit(card: ResourceCard) -> tuple[str, str, str]:
    [figure] = [f for f in card_view(card, NOW, 24).figures if f.label == "Last edit"]
    return figure.value, figure.at, figure.was


def test_the_last_edit_is_an_instant_for_the_browser_to_age():
    value, at, _ = _last_edit(_space())
    assert instant(at, value) == EDITED  # "3 hours ago" is the browser's, ticking


def test_a_refresh_marks_the_last_edit_changed_only_when_the_page_was_edited():
    before = [card_view(_space(), NOW, 24)]
    later = NOW + timedelta(hours=2)  # the same edit, two hours older
    assert mark_changes(before, [card_view(_space(), later, 24)])[0].figures[1].was == ""
    edited = mark_changes(before, [card_view(_space(edited=later), later, 24)])
    assert edited[0].figures[1].was == "06 Dec 2026, 15:04 UTC"


def test_a_failed_syncs_note_leaves_the_time_to_the_card():
    view = card_view(_space(error="confluence 503"), NOW, 24)
    assert view.stale and "UTC" not in view.stale_note and "confluence 503" in view.stale_note
    assert instant(view.fetched_at, view.fetched_utc) == FETCHED
