"""Factories for Jira connector tests: the real connector over HTTP against the Jira sandbox."""

from __future__ import annotations

import httpx

from projecthub.connectors.clock import FakeClock
from projecthub.connectors.jira import JiraConnector
from projecthub.connectors.retry import RetryPolicy
from projecthub.sandbox import SandboxApp, create_sandbox_app
from projecthub.sandbox.jira_state import SANDBOX_EMAIL, JiraState
from tests.connectors.validating import SpecBinding, ValidatingTransport

SITE = "http://sandbox.test/sandbox/jira"
TOKEN = "sandbox-acme"
JIRA_SPECS = (
    SpecBinding("jira/jira-software-agile.openapi.json", "/sandbox/jira",
                "https://your-domain.atlassian.com", "/rest/agile/1.0/"),
    SpecBinding("jira/jira-platform-v3.openapi.json", "/sandbox/jira",
                "https://your-domain.atlassian.net", "/rest/api/3/"),
)


def make_sandbox(clock: FakeClock, *, seed_demo: bool = True) -> SandboxApp:
    return create_sandbox_app(sleep=clock.sleep, seed_demo=seed_demo, admin_token="admin")


def jira_state(app: SandboxApp, tenant: str = "acme") -> JiraState:
    state = app.vendors["jira"].tenant(tenant)
    assert isinstance(state, JiraState)
    return state


def make_connector(
    app: SandboxApp, clock: FakeClock, *, email: str = SANDBOX_EMAIL, token: str = TOKEN,
    retry: RetryPolicy | None = None,
) -> tuple[JiraConnector, ValidatingTransport]:
    """A connector whose every request and reply is checked against the Jira specs."""
    transport = ValidatingTransport(httpx.ASGITransport(app=app), JIRA_SPECS)
    connector = JiraConnector(site_url=SITE, email=email, api_token=token, transport=transport,
                              clock=clock, retry=retry or RetryPolicy(), rate_limits=())
    return connector, transport
