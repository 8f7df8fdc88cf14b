"""The operator CLI: idempotent commands, clear errors, non-zero exits, no password arguments."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlmodel import select

from projecthub.cli import main
from projecthub.models import ApiToken, Membership, Organization, User
from projecthub.services.api_tokens import resolve_api_token
from tests.factories import make_org, make_user

PASSWORD = "a good long passphrase"


@pytest.fixture
def stdin(monkeypatch):
    def feed(text: str) -> None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    return feed


def test_create_admin_is_idempotent(engine, db, stdin, capsys):
    stdin(PASSWORD + "\n")
    assert main(["create-admin", "--email", "Root@Example.com", "--password-stdin"]) == 0
    assert main(["create-admin", "--email", "root@example.com"]) == 0
    out = capsys.readouterr().out
    assert "created instance admin root@example.com" in out and "already" in out
    assert db.exec(select(User)).one().is_instance_admin


def test_weak_password_fails_with_a_message(engine, stdin, capsys):
    stdin("short\n")
    assert main(["create-user", "--email", "bob@example.com", "--password-stdin"]) == 1
    assert "at least 8 characters" in capsys.readouterr().err


def test_no_tty_and_no_stdin_flag_is_refused(engine, stdin, capsys):
    stdin("")
    assert main(["create-user", "--email", "bob@example.com"]) == 1
    assert "--password-stdin" in capsys.readouterr().err


def test_org_user_and_token_commands(engine, db, stdin, capsys):
    stdin(PASSWORD + "\n")
    assert main(["create-user", "--email", "bob@example.com", "--password-stdin"]) == 0
    assert main(["create-org", "--name", "Acme", "--slug", "acme", "--owner",
                 "bob@example.com"]) == 0
    assert main(["create-org", "--name", "Acme", "--slug", "acme", "--owner",
                 "bob@example.com"]) == 0
    stdin(PASSWORD + "\n")
    assert main(["create-user", "--email", "eve@example.com", "--org", "acme", "--role",
                 "viewer", "--password-stdin"]) == 0
    assert main(["create-user", "--email", "eve@example.com", "--org", "acme", "--role",
                 "viewer"]) == 0
    capsys.readouterr()
    assert main(["create-api-token", "--email", "bob@example.com", "--org", "acme",
                 "--name", "ci"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("pht_") and "\n" not in token
    assert resolve_api_token(db, token).org_slug == "acme"
    assert len(db.exec(select(Organization)).all()) == 1
    assert len(db.exec(select(Membership)).all()) == 2


def test_api_token_expiry_and_scope_are_chosen_at_creation(engine, db, capsys):
    owner = make_user(db, email="bob@example.com")
    make_org(db, owner, slug="acme")
    assert main(["create-api-token", "--email", "bob@example.com", "--org", "acme",
                 "--name", "ci", "--expires-in-days", "7", "--read-only"]) == 0
    token = db.exec(select(ApiToken)).one()
    assert token.read_only
    assert timedelta(days=6, hours=23) < token.expires_at - token.created_at <= timedelta(days=7)
    assert main(["create-api-token", "--email", "bob@example.com", "--org", "acme",
                 "--name", "ci", "--expires-in-days", "0"]) == 1
    assert "between 1 and 365 days" in capsys.readouterr().err


def test_unknown_org_or_owner_fails(engine, capsys):
    assert main(["create-org", "--name", "A", "--slug", "a", "--owner", "x@example.com"]) == 1
    assert main(["create-api-token", "--email", "x@example.com", "--org", "a",
                 "--name", "n"]) == 1
    assert "no account" in capsys.readouterr().err


def test_console_script_help_and_usage_errors(engine):
    """The installed entry point once as a process (each start imports the app, ~2 s), then
    every command's help and argparse's refusals through ``main`` in process."""
    exe = os.path.join(os.path.dirname(sys.executable), "projecthub")
    bad = subprocess.run([exe, "create-user"], capture_output=True, text=True, env={**os.environ})
    assert bad.returncode == 2 and "--email" in bad.stderr


@pytest.mark.parametrize("command", ["migrate", "create-admin", "create-org", "create-user",
                                     "create-api-token", "rotate-keys"])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as leaving:
        main([command, "--help"])
    assert leaving.value.code == 0 and "usage:" in capsys.readouterr().out


def test_top_level_help_and_a_password_on_the_command_line_is_refused(capsys):
    with pytest.raises(SystemExit) as leaving:
        main(["--help"])
    assert leaving.value.code == 0 and "usage:" in capsys.readouterr().out
    with pytest.raises(SystemExit) as refused:
        main(["create-user", "--email", "a@b.c", "--password", "x"])
    assert refused.value.code == 2


def test_rotate_keys_reencrypts_stored_credentials(engine, db, monkeypatch, capsys):
    import os as _os

    from projecthub.core.config import settings
    from projecthub.core.crypto import KeyRing
    from projecthub.services import connections
    from tests.factories import make_org, owner_principal

    p = owner_principal(db, make_org(db))
    connections.create_connection(db, p, tool="jira", name="J", base_url="https://a.atlassian.net",
                                  settings_values={"email": "a@example.com"},
                                  secret_values={"api_token": "token-value-12345"})
    db.commit()  # the command runs in its own unit of work
    ring = KeyRing((_os.urandom(32), settings.key_ring[0]))
    monkeypatch.setattr(connections, "key_ring", lambda: ring)
    assert main(["rotate-keys"]) == 0
    assert "re-encrypted 1 secret" in capsys.readouterr().out
    assert main(["rotate-keys"]) == 0
    assert "re-encrypted 0 secret" in capsys.readouterr().out


def test_rotate_keys_reencrypts_webhook_secrets(engine, db, monkeypatch, capsys):
    import os as _os

    from projecthub.core.config import settings
    from projecthub.core.crypto import KeyRing
    from projecthub.models import WebhookEndpoint
    from projecthub.services import connections
    from projecthub.services.webhooks import endpoints
    from tests.factories import make_org, owner_principal

    p = owner_principal(db, make_org(db))
    jira = connections.create_connection(
        db, p, tool="jira", name="J", base_url="https://a.atlassian.net",
        settings_values={"email": "a@example.com"}, secret_values={"api_token": "t-12345678"})
    new = endpoints.prepare_endpoint(db, p, jira.id)
    db.commit()
    ring = KeyRing((_os.urandom(32), settings.key_ring[0]))
    monkeypatch.setattr(connections, "key_ring", lambda: ring)
    monkeypatch.setattr(endpoints, "key_ring", lambda: ring)
    assert main(["rotate-keys"]) == 0
    assert "re-encrypted 2 secret" in capsys.readouterr().out
    db.expire_all()
    row = db.get(WebhookEndpoint, new.endpoint_id)
    assert not ring.needs_rotation(row.secret) and endpoints.endpoint_secret(row) == new.secret


def test_sandbox_command_serves_the_fake_tools_on_a_port():
    import socket
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    exe = os.path.join(os.path.dirname(sys.executable), "projecthub")
    server = subprocess.Popen([exe, "sandbox", "--port", str(port)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}/sandbox/jira/rest/api/3/myself"
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(url, auth=("demo@projecthub.example", "sandbox-demo"))
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, server.stderr.read() if server.poll() else ""
                time.sleep(0.2)
        assert response.status_code == 200 and response.json()["emailAddress"] == (
            "demo@projecthub.example")
    finally:
        server.terminate()
        server.communicate(timeout=10)
