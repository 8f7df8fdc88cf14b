"""Open a connector for one of the organization's connections, with its decrypted credentials.
Provisioning steps and the status sync both go through here, so the transport (a real network,
or a sandbox served in-process for tests) is chosen in one place."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
from sqlmodel import Session

from projecthub.connectors.clock import Clock
from projecthub.connectors.confluence import ConfluenceConnector
from projecthub.connectors.graph import GraphConnector
from projecthub.connectors.graph_auth import PUBLIC_CLOUD, MsalApplications
from projecthub.connectors.jira import JiraConnector
from projecthub.connectors.productive import ProductiveConnector
from projecthub.connectors.throttle_store import ThrottleStore
from projecthub.core.errors import Invalid, NotFound
from projecthub.models import Tool
from projecthub.services.connections import ConnectionCredentials, connection_credentials
from projecthub.services.principal import Principal
from projecthub.services.tool_hosts import vetted_transport

TransportFactory = Callable[[str], httpx.AsyncBaseTransport | None]
SessionFactory = Callable[[], Session]
# One MSAL application (its OpenID discovery) and token cache per connection and secret in this
# process, so Entra ID is asked once per connection, not once per connector.
MSAL_APPLICATIONS = MsalApplications()


class ToolClients:
    """Connectors for one principal's organization; credentials are fetched per use.

    Every connector is keyed by its connection, so its limits are shared with every other
    client of that connection using ``throttle_store`` (Redis, across processes, when
    configured: ``wiring.tool_clients``; this process otherwise).
    """

    def __init__(self, session_factory: SessionFactory, principal: Principal, *,
                 transport_factory: TransportFactory | None = None,
                 clock: Clock | None = None, graph_poll_seconds: float = 10.0,
                 throttle_store: ThrottleStore | None = None) -> None:
        self._session_factory = session_factory
        self.principal = principal
        self._transport_factory = transport_factory
        self._clock = clock
        self._graph_poll_seconds = graph_poll_seconds
        self._throttle_store = throttle_store

    def credentials(self, connection_id: str | uuid.UUID | None,
                    tool: Tool) -> ConnectionCredentials:
        if not connection_id:
            raise Invalid(f"No {tool.value} connection was chosen.")
        try:  # plans and resources keep the id as text; the questionnaire checked it is ours
            key = uuid.UUID(str(connection_id))
        except ValueError as exc:
            raise NotFound("Connection not found.") from exc
        with self._session_factory() as session:
            creds = connection_credentials(session, self.principal, key)
        if creds.tool != tool:
            raise Invalid(f"The chosen connection is not a {tool.value} connection.")
        return creds

    def _transport(self, tool: Tool, url: str, *,
                   login: bool = False) -> httpx.AsyncBaseTransport | None:
        """The injected transport (tests, benchmarks), else one that reaches vetted hosts only."""
        if self._transport_factory is not None:
            return self._transport_factory(url)
        return vetted_transport(tool, login=login)

    def _login_transport(self, login: str | None) -> httpx.AsyncBaseTransport | None:
        """Entra ID's sign-in host: the chosen one, or Microsoft's public cloud (vetted too)."""
        if login is None and self._transport_factory is not None:
            return None
        return self._transport(Tool.GRAPH, login or PUBLIC_CLOUD, login=True)

    def jira(self, connection_id: str | uuid.UUID | None) -> JiraConnector:
        creds = self.credentials(connection_id, Tool.JIRA)
        return JiraConnector(site_url=creds.base_url, email=creds.settings["email"],
                             api_token=creds.secrets["api_token"],
                             transport=self._transport(Tool.JIRA, creds.base_url),
                             clock=self._clock,
                             share_key=str(creds.connection_id),
                             throttle_store=self._throttle_store)

    def confluence(self, connection_id: str | uuid.UUID | None) -> ConfluenceConnector:
        creds = self.credentials(connection_id, Tool.CONFLUENCE)
        return ConfluenceConnector(site_url=creds.base_url, email=creds.settings["email"],
                                   api_token=creds.secrets["api_token"],
                                   transport=self._transport(Tool.CONFLUENCE, creds.base_url),
                                   clock=self._clock,
                                   share_key=str(creds.connection_id),
                                   throttle_store=self._throttle_store)

    def productive(self, connection_id: str | uuid.UUID | None) -> ProductiveConnector:
        creds = self.credentials(connection_id, Tool.PRODUCTIVE)
        return ProductiveConnector(api_token=creds.secrets["api_token"],
                                   organization_id=creds.settings["organization_id"],
                                   base_url=creds.base_url,
                                   transport=self._transport(Tool.PRODUCTIVE, creds.base_url),
                                   clock=self._clock,
                                   share_key=str(creds.connection_id),
                                   throttle_store=self._throttle_store)

    def graph(self, connection_id: str | uuid.UUID | None) -> GraphConnector:
        creds = self.credentials(connection_id, Tool.GRAPH)
        secret = creds.secrets["client_secret"]
        login = creds.settings.get("authority_host") or None
        return GraphConnector(
            tenant_id=creds.settings["tenant_id"], client_id=creds.settings["client_id"],
            client_secret=secret, graph_url=f"{creds.base_url.rstrip('/')}/v1.0",
            login_url=login, transport=self._transport(Tool.GRAPH, creds.base_url),
            login_transport=self._login_transport(login), clock=self._clock,
            msal_applications=MSAL_APPLICATIONS, poll_interval=self._graph_poll_seconds,
            share_key=str(creds.connection_id), throttle_store=self._throttle_store)
