"""Factories for Confluence connector tests: the real connector over HTTP against the sandbox."""

from __future__ import annotations

import httpx

from projecthub.connectors.clock import FakeClock
from projecthub.connectors.confluence import ConfluenceConnector
from projecthub.connectors.retry import RetryPolicy
from projecthub.sandbox import SandboxApp, create_sandbox_app
from projecthub.sandbox.confluence_state import SANDBOX_EMAIL, ConfluenceSite
from tests.connectors.validating import SpecBinding, ValidatingTransport

SITE = "http://sandbox.test/sandbox/confluence"
TOKEN = "sandbox-acme"
# v2's server is ``https://{your-domain}/wiki/api/v2``; v1's is the scheme-less host, with
# ``/wiki/rest/api`` in every path.
CONFLUENCE_SPECS = (
    SpecBinding("confluence/confluence-v2.openapi.json", "/sandbox/confluence",
                "https://your-domain.atlassian.net", "/wiki/api/v2/"),
    SpecBinding("confluence/confluence-v1.openapi.json", "/sandbox/confluence",
                "//your-domain.atlassian.net", "/wiki/rest/api/"),
)


def make_sandbox(clock: FakeClock, *, seed_demo: bool = True) -> SandboxApp:
    return create_sandbox_app(sleep=clock.sleep, seed_demo=seed_demo, admin_token="admin")


def confluence_site(app: SandboxApp, tenant: str = "acme") -> ConfluenceSite:
    site = app.vendors["confluence"].tenant(tenant)
    assert isinstance(site, ConfluenceSite)
    return site


def make_connector(
    app: SandboxApp, clock: FakeClock, *, email: str = SANDBOX_EMAIL, token: str = TOKEN,
    retry: RetryPolicy | None = None, validate: bool = True,
) -> tuple[ConfluenceConnector, ValidatingTransport]:
    """A connector whose every request and reply is checked against the Confluence specs.

    ``validate=False`` talks to the sandbox unchecked, for a reply the 2021 v1 spec leaves out (it
    declares no 401 for ``/user/current``, which every Atlassian endpoint can answer).
    """
    inner = httpx.ASGITransport(app=app)
    transport = ValidatingTransport(inner, CONFLUENCE_SPECS)
    connector = ConfluenceConnector(
        site_url=SITE, email=email, api_token=token, clock=clock, retry=retry or RetryPolicy(),
        rate_limits=(), transport=transport if validate else inner)
    return connector, transport
