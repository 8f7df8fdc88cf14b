"""The four vendors as cases of one contract: how to reach each sandbox, one cheap read and one
create through its connector, and where a lost create can be found again.

``tests/connectors/test_vendor_contract.py`` runs the same failure scenarios over every case;
a vendor's own error texts and quirks stay in its ``test_<vendor>_errors.py``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from projecthub.connectors.clock import FakeClock
from projecthub.connectors.productive_models import ProjectType
from projecthub.connectors.retry import RetryPolicy
from projecthub.sandbox import SandboxApp
from projecthub.sandbox.faults import FaultInjector
from projecthub.sandbox.graph_state import SANDBOX_EMAIL as GRAPH_EMAIL
from projecthub.sandbox.jira_state import SANDBOX_EMAIL as JIRA_EMAIL
from tests.connectors import confluence_setup, graph_setup, jira_setup, productive_setup

# Budgets of the contract: three attempts within two minutes (a 600 s Retry-After outlasts them).
CONTRACT_RETRY = RetryPolicy(max_attempts=3, deadline=120)


class VendorCase(ABC):
    """One vendor as the contract suite sees it; ``Any`` stands for that vendor's connector."""

    name: str
    #: A secret the sandbox refuses, and words the vendor's refusal must contain.
    wrong_secret = "not-a-sandbox-secret"
    secret_option = "token"  # the ``make_connector`` keyword that takes the secret
    refusal_text: str
    #: The ``Retry-After`` a 429 carries from this vendor; ``None`` where it never sends one.
    rate_limit_hint: float | None = 17.0
    #: Error statuses the vendor may answer a read with, each typed and never retried.
    client_error_statuses: tuple[int, ...] = (400, 401, 403, 404, 409, 422)
    #: Tries a 401 on a read costs (Graph drops its cached token and tries once more).
    attempts_on_401 = 1
    read_path: str
    read_request: str
    create_path: str
    create_request: str

    @property
    def refused_requests(self) -> tuple[str, ...]:
        """The checked requests a refused credential costs: the read it was refused on."""
        return (self.read_request,)

    def sandbox(self, clock: FakeClock) -> SandboxApp:
        return self.setup.make_sandbox(clock)

    def faults(self, app: SandboxApp) -> FaultInjector:
        return app.vendors[self.name].faults

    @property
    @abstractmethod
    def setup(self) -> Any:
        """The vendor's ``*_setup`` module (its sandbox and connector factories)."""

    def connect(self, app: SandboxApp, clock: FakeClock, *, retry: RetryPolicy | None = None,
                secret: str | None = None) -> tuple[Any, Any]:
        """The connector and its validating transport (``secret`` replaces the good one)."""
        options = {self.secret_option: secret} if secret else {}
        return self.setup.make_connector(app, clock, retry=retry, **options)

    @abstractmethod
    async def read(self, connector: Any) -> object:
        """One GET that ``read_path`` faults hit."""

    @abstractmethod
    async def create(self, connector: Any, app: SandboxApp, name: str) -> object:
        """Create a resource called ``name``: one POST that ``create_path`` faults hit."""

    @abstractmethod
    async def find(self, connector: Any, name: str) -> object | None:
        """Look ``name`` up the way a resumed provisioning step adopts it."""

    @abstractmethod
    def created(self, app: SandboxApp, name: str) -> int:
        """How many resources called ``name`` the sandbox holds."""

    def __repr__(self) -> str:
        return self.name


class Jira(VendorCase):
    name = "jira"
    refusal_text = "Basic authentication"
    read_path = "/rest/api/3/myself"
    read_request = "GET /rest/api/3/myself"
    create_path = "/rest/api/3/project"
    create_request = "POST /rest/api/3/project"
    setup = jira_setup

    async def read(self, connector: Any) -> object:
        return await connector.current_user()

    async def create(self, connector: Any, app: SandboxApp, name: str) -> object:
        lead = next(u for u in jira_setup.jira_state(app).users if u.email == JIRA_EMAIL)
        return await connector.create_project(key=name.upper(), name=name,
                                              lead_account_id=lead.account_id)

    async def find(self, connector: Any, name: str) -> object | None:
        return await connector.find_project(name.upper())

    def created(self, app: SandboxApp, name: str) -> int:
        return [p.name for p in jira_setup.jira_state(app).projects.values()].count(name)


class Confluence(VendorCase):
    name = "confluence"
    refusal_text = "Basic authentication with passwords is deprecated"
    read_path = "/wiki/api/v2/spaces"
    read_request = "GET /spaces"
    create_path = "/wiki/api/v2/spaces"
    create_request = "POST /spaces"
    setup = confluence_setup

    async def read(self, connector: Any) -> object:
        return await connector.get_space("WEB")

    async def create(self, connector: Any, _app: SandboxApp, name: str) -> object:
        return await connector.create_space(key=name.upper(), name=name)

    async def find(self, connector: Any, name: str) -> object | None:
        return await connector.find_space(name.upper())

    def created(self, app: SandboxApp, name: str) -> int:
        spaces = confluence_setup.confluence_site(app).spaces.values()
        return [s.name for s in spaces].count(name)


class Graph(VendorCase):
    name = "graph"
    refusal_text = "invalid_client: AADSTS7000215: Invalid client secret provided"
    secret_option = "secret"
    attempts_on_401 = 2
    read_path = "/v1.0/users"
    read_request = "GET /users/{user-id}"
    create_path = "/v1.0/teams"
    create_request = "POST /teams"
    setup = graph_setup

    @property
    def refused_requests(self) -> tuple[str, ...]:
        """None: MSAL's token request to Entra ID fails first, and Entra ID has no spec."""
        return ()

    async def read(self, connector: Any) -> object:
        return await connector.get_user(GRAPH_EMAIL)

    async def create(self, connector: Any, app: SandboxApp, name: str) -> object:
        owner = graph_setup.graph_state(app).user(GRAPH_EMAIL)
        assert owner is not None
        return await connector.create_team(name, owner_id=owner.id)

    async def find(self, connector: Any, name: str) -> object | None:
        return await connector.find_group_by_mail_nickname(name)

    def created(self, app: SandboxApp, name: str) -> int:
        groups = graph_setup.graph_state(app).groups.values()
        return [g.display_name for g in groups].count(name)


class Productive(VendorCase):
    name = "productive"
    refusal_text = "Invalid authentication credentials"
    rate_limit_hint = None  # Productive's 429 carries no Retry-After (its docs, the sandbox)
    # Its 422 always points at attributes: test_productive_errors.py reads a recorded one.
    client_error_statuses = (400, 401, 403, 404, 409)
    read_path = "/api/v2/workflows"
    read_request = "GET /workflows"
    create_path = "/api/v2/projects"
    create_request = "POST /projects"
    setup = productive_setup

    async def read(self, connector: Any) -> object:
        return [w async for w in connector.iter_workflows()]

    async def create(self, connector: Any, app: SandboxApp, name: str) -> object:
        state = productive_setup.productive_state(app)
        return await connector.create_project(
            name=name, project_type=ProjectType.INTERNAL,
            company_id=state.organization.company_id, workflow_id=state.default_workflow.id,
            project_manager_id=state.owner.id, marker=f"run-{name}")

    async def find(self, connector: Any, name: str) -> object | None:
        return await connector.find_project_by_name(name, marker=f"run-{name}")

    def created(self, app: SandboxApp, name: str) -> int:
        projects = productive_setup.productive_state(app).table("projects").values()
        return [p.name for p in projects].count(name)


VENDORS: tuple[VendorCase, ...] = (Jira(), Confluence(), Graph(), Productive())
JIRA, CONFLUENCE, GRAPH, PRODUCTIVE = VENDORS

__all__ = ["CONFLUENCE", "CONTRACT_RETRY", "GRAPH", "JIRA", "PRODUCTIVE", "VENDORS", "VendorCase"]
