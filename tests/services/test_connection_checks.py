"""Test connection against the sandboxes: success, then the vendor's refusal after a bad edit."""

from __future__ import annotations

from projecthub.services import connection_checks, connections
from tests.services.provisioning.world import build_world


async def test_jira_connection_succeeds_then_fails_after_token_change(db):
    world = build_world(db)
    tools = world.config().tools_factory(world.owner_principal)
    conn_id = world.connection_ids["jira"]
    ok = await connection_checks.check_connection(db, world.owner_principal, tools, conn_id)
    assert ok.ok and ok.message == "Connected as Sandbox Admin."
    connections.update_connection(db, world.owner_principal, conn_id,
                                  secret_values={"api_token": "typo-token-0000000"})
    db.commit()  # the tools read credentials in their own session
    tools = world.config().tools_factory(world.owner_principal)  # each request has its own
    bad = await connection_checks.check_connection(db, world.owner_principal, tools, conn_id)
    assert not bad.ok and "credentials were refused" in bad.message
    assert "typo-token" not in bad.message
    stored = connections.get_connection(db, world.owner_principal, conn_id)
    assert stored.last_test_ok is False and stored.last_test_message == bad.message
