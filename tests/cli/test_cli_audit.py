"""The operator's changes reach the audit log, and ``audit-purge`` applies the retention."""

from __future__ import annotations

import io
import sys
from datetime import timedelta

from sqlmodel import select

from projecthub.cli import main
from projecthub.core.clock import utcnow
from projecthub.core.config import settings
from projecthub.models import AuditEvent, Organization
from tests.factories import make_org, make_user

PASSWORD = "a good long passphrase"


def _actions(db) -> list[str]:  # type: ignore[no-untyped-def]
    db.expire_all()
    return list(db.exec(select(AuditEvent.action).order_by(AuditEvent.created_at)).all())


def test_create_user_with_a_role_is_audited_in_the_organizations_log(engine, db, monkeypatch,
                                                                       capsys):
    org = make_org(db, slug="acme")
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["create-user", "--email", "bob@example.com", "--org", "acme", "--role",
                 "member", "--password-stdin"]) == 0
    assert main(["create-user", "--email", "bob@example.com", "--org", "acme",
                 "--role", "member"]) == 0
    assert main(["create-user", "--email", "bob@example.com", "--org", "acme",
                 "--role", "admin"]) == 0
    assert "already member of acme" in capsys.readouterr().out
    events = db.exec(select(AuditEvent).where(AuditEvent.organization_id == org.id,
                                              AuditEvent.action.startswith("member."))  # type: ignore[attr-defined]
                     ).all()
    assert sorted(e.action for e in events) == ["member.added", "member.role_changed"]
    assert {"user.signed_up", "user.email_verified"} <= set(_actions(db))


def test_create_org_for_an_unconfirmed_owner_is_audited(engine, db):
    make_user(db, email="new@example.com", verified=False)
    assert main(["create-org", "--name", "New", "--slug", "new-org",
                 "--owner", "new@example.com"]) == 0
    org = db.exec(select(Organization).where(Organization.slug == "new-org")).one()
    created = db.exec(select(AuditEvent).where(AuditEvent.action == "tenant.created")).one()
    assert created.organization_id == org.id and "invitation.created" in _actions(db)


def test_rotate_keys_is_audited(engine, db):
    assert main(["rotate-keys"]) == 0
    assert "instance.keys_rotated" in _actions(db)


def test_audit_purge_deletes_what_is_older_than_the_retention(engine, db, monkeypatch, capsys):
    monkeypatch.setattr(settings, "AUDIT_RETENTION_DAYS", 7)
    db.add(AuditEvent(action="old.thing", created_at=utcnow() - timedelta(days=8)))
    db.add(AuditEvent(action="new.thing", created_at=utcnow() - timedelta(days=6)))
    db.commit()
    assert main(["audit-purge"]) == 0
    assert "deleted 1 audit event(s) older than 7 days" in capsys.readouterr().out
    assert set(_actions(db)) == {"new.thing", "instance.audit_purged"}
