"""Tool connections: validation, encryption at rest bound to the row, rotation, no leaks."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel

from projecthub.core.config import settings
from projecthub.core.crypto import DecryptionError, KeyRing
from projecthub.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from projecthub.models import Role, ToolConnection
from projecthub.services import connections
from tests.factories import add_member, make_org, owner_principal, principal

CANARY = "CANARY-jira-token-7f3a9c1e5b"


def _jira(db, p, *, name="Jira", token=CANARY, url="https://acme.atlassian.net"):
    return connections.create_connection(
        db, p, tool="jira", name=name, base_url=url,
        settings_values={"email": "ops@acme.example"}, secret_values={"api_token": token})


def test_secret_is_never_shown_again_only_a_hint(db):
    view = _jira(db, owner_principal(db, make_org(db)))
    hint = view.secrets["api_token"]
    assert hint.is_set and hint.last4 == CANARY[-4:] and hint.updated_at
    assert CANARY not in repr(view)


def test_decrypts_for_the_connector_and_hides_secrets_in_repr(db):
    p = owner_principal(db, make_org(db))
    creds = connections.connection_credentials(db, p, _jira(db, p).id)
    assert creds.secrets == {"api_token": CANARY} and CANARY not in repr(creds)


def test_database_dump_contains_no_planted_credential(db, engine):
    p = owner_principal(db, make_org(db))
    _jira(db, p)
    with engine.connect() as connection:
        dump = "".join(repr(connection.execute(select(t)).all())
                       for t in SQLModel.metadata.sorted_tables)
    assert CANARY not in dump
    if engine.url.get_backend_name() == "sqlite":
        files = [engine.url.database, engine.url.database + "-wal"]
        raw = b"".join(Path(f).read_bytes() for f in files if os.path.exists(f))
        assert CANARY.encode() not in raw


def test_ciphertext_copied_to_another_row_fails_to_decrypt(db):
    org_a, org_b = make_org(db), make_org(db)
    pa, pb = owner_principal(db, org_a), owner_principal(db, org_b)
    a, b = _jira(db, pa), _jira(db, pb, token="another-secret-token-123")
    row_a = db.get(ToolConnection, a.id)
    row_b = db.get(ToolConnection, b.id)
    row_b.secrets = dict(row_a.secrets)
    db.add(row_b)
    db.commit()
    with pytest.raises(DecryptionError):
        connections.connection_credentials(db, pb, b.id)


def test_rotation_reencrypts_under_the_newest_key(db, monkeypatch):
    p = owner_principal(db, make_org(db))
    view = _jira(db, p)
    old_key = settings.key_ring[0]
    new_key = os.urandom(32)
    monkeypatch.setattr(connections, "key_ring", lambda: KeyRing((new_key, old_key)))
    assert connections.reencrypt_all_connections(db) == 1
    assert connections.reencrypt_all_connections(db) == 0
    monkeypatch.setattr(connections, "key_ring", lambda: KeyRing((new_key,)))
    assert connections.connection_credentials(db, p, view.id).secrets["api_token"] == CANARY
    monkeypatch.setattr(connections, "key_ring", lambda: KeyRing((old_key,)))
    with pytest.raises(DecryptionError):
        connections.connection_credentials(db, p, view.id)


def test_base_url_must_be_https_except_local_sandbox_in_development(db, monkeypatch):
    p = owner_principal(db, make_org(db))
    for bad in ("http://acme.atlassian.net", "ftp://x", "https://user:pw@acme.net",
                "not a url", "https://acme.net/?x=1"):
        with pytest.raises(Invalid) as caught:
            _jira(db, p, url=bad, name=f"j{abs(hash(bad))}")
        assert "base_url" in caught.value.fields
    assert _jira(db, p, url="http://127.0.0.1:3000/sandbox/jira").base_url.startswith("http://")
    monkeypatch.setattr(type(settings), "is_production", property(lambda _self: True))
    with pytest.raises(Invalid):
        _jira(db, p, url="http://localhost:3000/sandbox/jira", name="prod")


def test_missing_fields_are_named(db):
    p = owner_principal(db, make_org(db))
    with pytest.raises(Invalid) as caught:
        connections.create_connection(db, p, tool="productive", name="P",
                                      base_url="https://api.productive.io",
                                      settings_values={}, secret_values={})
    assert set(caught.value.fields) == {"organization_id", "api_token"}
    with pytest.raises(Invalid):
        connections.create_connection(db, p, tool="gitlab", name="G", base_url="https://x.io",
                                      settings_values={}, secret_values={})


def test_update_keeps_secret_when_left_empty_and_resets_test_state(db):
    p = owner_principal(db, make_org(db))
    view = _jira(db, p)
    updated = connections.update_connection(db, p, view.id, name="Jira Cloud",
                                            secret_values={"api_token": ""})
    assert updated.name == "Jira Cloud"
    assert connections.connection_credentials(db, p, view.id).secrets["api_token"] == CANARY
    connections.update_connection(db, p, view.id, secret_values={"api_token": "new-token-abcdef"})
    assert connections.connection_credentials(db, p, view.id).secrets["api_token"].startswith("new")


def test_names_are_unique_per_org_and_members_cannot_manage(db):
    org = make_org(db)
    p = owner_principal(db, org)
    _jira(db, p)
    with pytest.raises(Conflict):
        _jira(db, p)
    from projecthub.models import User

    member = principal(db, db.get(User, add_member(db, org, role=Role.MEMBER).user_id), org)
    with pytest.raises(PermissionDenied):
        _jira(db, member, name="Other")
    assert [c.name for c in connections.list_connections(db, member)] == ["Jira"]


def test_other_orgs_connection_is_not_found(db):
    a, b = make_org(db), make_org(db)
    theirs = _jira(db, owner_principal(db, b))
    pa = owner_principal(db, a)
    for call in (lambda: connections.get_connection(db, pa, theirs.id),
                 lambda: connections.connection_credentials(db, pa, theirs.id),
                 lambda: connections.update_connection(db, pa, theirs.id, name="x"),
                 lambda: connections.delete_connection(db, pa, theirs.id)):
        with pytest.raises(NotFound):
            call()


def test_key_ring_refuses_bad_keys():
    with pytest.raises(ValueError):
        KeyRing((b"short",))
    with pytest.raises(ValueError):
        KeyRing(())
    ring = KeyRing((base64.urlsafe_b64decode(base64.urlsafe_b64encode(os.urandom(32))),))
    with pytest.raises(DecryptionError):
        ring.decrypt("garbage", org_id="o", row_id="r", field="f")
