"""The audit export: every matching event of one organization, newest first, in keyset pages,
formula-safe CSV or JSON lines; admins only. Retention deletes what is older than the setting."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlmodel import select

from projecthub.core.clock import utcnow
from projecthub.core.config import settings
from projecthub.core.errors import PermissionDenied
from projecthub.models import AuditEvent, Role
from projecthub.services import audit_export
from projecthub.services.audit_export import AuditFilter, ExportFormat
from tests.factories import add_member, make_org, owner_principal, principal, user_of


def _add(db, org, count, *, action="thing.done", actor_email="", start=None, detail=None):  # type: ignore[no-untyped-def]
    start = start or utcnow()
    for n in range(count):
        db.add(AuditEvent(organization_id=org.id, action=action, actor_email=actor_email,
                          target_type="thing", target_id=str(n), detail=detail or {"n": n},
                          created_at=start - timedelta(seconds=n)))
    db.commit()


def _export(db, p, fmt, filters=AuditFilter()):  # type: ignore[no-untyped-def]
    first = audit_export.export_page(db, p, filters, None)
    return "".join(audit_export.export_chunks(
        first, lambda after: audit_export.export_page(db, p, filters, after), fmt))


def test_an_export_pages_through_every_event_of_the_organization_only(db, monkeypatch):
    monkeypatch.setattr(audit_export, "PAGE_SIZE", 7)
    org, other = make_org(db, slug="mine"), make_org(db, slug="theirs")
    _add(db, org, 30)
    _add(db, other, 5, action="theirs.secret")
    pages: list[int] = []
    p = owner_principal(db, org)

    def read(after):  # type: ignore[no-untyped-def]
        page = audit_export.export_page(db, p, AuditFilter(), after, limit=7)
        pages.append(len(page))
        return page

    first = audit_export.export_page(db, p, AuditFilter(), None, limit=7)
    lines = "".join(audit_export.export_chunks(first, read, ExportFormat.JSONL)).splitlines()
    rows = [json.loads(line) for line in lines]
    ours = [r for r in rows if r["action"] == "thing.done"]
    assert len(ours) == 30 and len(rows) == len({r["id"] for r in rows})
    assert "theirs.secret" not in {r["action"] for r in rows}
    assert [r["time"] for r in rows] == sorted((r["time"] for r in rows), reverse=True)
    assert max(pages) <= 7  # never more than a page in memory


def test_events_at_the_same_instant_are_neither_lost_nor_repeated(db, monkeypatch):
    monkeypatch.setattr(audit_export, "PAGE_SIZE", 3)
    org = make_org(db)
    now = utcnow()
    for n in range(8):
        db.add(AuditEvent(organization_id=org.id, action="same.time", target_id=str(n),
                          created_at=now))
    db.commit()
    p = owner_principal(db, org)
    first = audit_export.export_page(db, p, AuditFilter(action="same.time"), None, limit=3)
    text = "".join(audit_export.export_chunks(first, lambda after: audit_export.export_page(
        db, p, AuditFilter(action="same.time"), after, limit=3), ExportFormat.JSONL))
    assert sorted(json.loads(line)["target_id"] for line in text.splitlines()) == [
        str(n) for n in range(8)]


def test_csv_cells_cannot_run_as_formulas(db):
    org = make_org(db)
    _add(db, org, 1, action="=HYPERLINK(\"http://evil\")", actor_email="@evil")
    text = _export(db, owner_principal(db, org), ExportFormat.CSV,
                   AuditFilter(action="=HYPERLINK(\"http://evil\")"))
    header, row = list(csv.reader(io.StringIO(text)))
    assert header == list(audit_export.COLUMNS)
    assert row[1] == "'@evil" and row[2].startswith("'=")
    assert json.loads(row[5]) == {"n": 0}


def test_filters_apply_to_the_export(db):
    org = make_org(db)
    _add(db, org, 3, action="a.one", actor_email="ann@example.com")
    _add(db, org, 2, action="b.two", actor_email="bob@example.com")
    p = owner_principal(db, org)
    lines = _export(db, p, ExportFormat.JSONL, AuditFilter(actor_email="BOB@example.com"))
    assert {json.loads(x)["action"] for x in lines.splitlines()} == {"b.two"}


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_members_and_viewers_cannot_export(db, role):
    org = make_org(db)
    member = principal(db, user_of(db, add_member(db, org, role=role)), org)
    with pytest.raises(PermissionDenied):
        audit_export.export_page(db, member, AuditFilter(), None)


def test_purge_deletes_only_events_older_than_the_retention(db, monkeypatch):
    monkeypatch.setattr(settings, "AUDIT_RETENTION_DAYS", 30)
    org = make_org(db)
    now = utcnow()
    _add(db, org, 1, action="old.one", start=now - timedelta(days=31))
    _add(db, org, 1, action="recent.one", start=now - timedelta(days=29))
    db.add(AuditEvent(organization_id=None, action="instance.old",
                      created_at=now - timedelta(days=400)))
    db.commit()
    assert audit_export.purge_expired_audit(db, now) == 2
    db.commit()
    left = set(db.exec(select(AuditEvent.action)).all())
    assert "recent.one" in left and not {"old.one", "instance.old"} & left
    purged = db.exec(select(AuditEvent).where(AuditEvent.action == "instance.audit_purged")).one()
    assert purged.detail == {"deleted": 2, "retention_days": 30}
    assert audit_export.purge_expired_audit(db, now) == 0  # nothing more, and nothing recorded
