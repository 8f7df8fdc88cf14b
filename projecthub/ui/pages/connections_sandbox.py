"""The "Use the built-in sandbox" shortcut of the connection editor (development and demos).

It fills the form in the browser only (``rx.set_value``): the demo credentials are compiled into
the page, so no server message ever carries a token. The base URL is this app's own sandbox
mount under Reflex's ``api_url`` (one port in production).
"""

from __future__ import annotations

import reflex as rx
from reflex.config import get_config

from projecthub.core.config import settings
from projecthub.core.web import SANDBOX_PREFIX
from projecthub.models import Tool
from projecthub.services.connection_specs import TOOL_SPECS
from projecthub.ui.typed import lucide_icon

DEMO_TOKEN = "sandbox-demo"  # the sandbox's seeded demo tenant (projecthub/sandbox/__init__.py)
DEMO_EMAIL = "demo@projecthub.example"  # its seeded admin, for Atlassian basic auth
DEMO_PRODUCTIVE_ORG = "1000"  # every Productive sandbox tenant is organization 1000
# Entra ID in the sandbox takes any domain as tenant and any GUID as app (sandbox/graph_login.py).
DEMO_ENTRA_TENANT = "projecthub.example"
DEMO_ENTRA_APP = "00000000-0000-0000-0000-0000000a11ce"

_DEMO_VALUES: dict[Tool, dict[str, str]] = {
    Tool.JIRA: {"email": DEMO_EMAIL, "api_token": DEMO_TOKEN},
    Tool.CONFLUENCE: {"email": DEMO_EMAIL, "api_token": DEMO_TOKEN},
    Tool.PRODUCTIVE: {"organization_id": DEMO_PRODUCTIVE_ORG, "api_token": DEMO_TOKEN},
    Tool.GRAPH: {"tenant_id": DEMO_ENTRA_TENANT, "client_id": DEMO_ENTRA_APP,
                 "client_secret": DEMO_TOKEN},
}


def sandbox_values(tool: Tool) -> dict[str, str] | None:
    """The form values pointing ``tool`` at the sandbox, or None where there is none to use."""
    if not settings.sandbox_enabled or tool not in _DEMO_VALUES:
        return None
    base_url = f"{get_config().api_url.rstrip('/')}{SANDBOX_PREFIX}/{tool.value}"
    values = {"base_url": base_url, **_DEMO_VALUES[tool]}
    if tool == Tool.GRAPH:  # the sandbox serves its fake Entra ID sign-in below the Graph mount
        values["authority_host"] = f"{base_url}/login"
    return values


def sandbox_shortcut(tool: Tool) -> rx.Component:
    values = sandbox_values(tool)
    if values is None:
        return rx.fragment()
    label = TOOL_SPECS[tool].label
    return rx.callout.root(
        rx.callout.icon(lucide_icon("flask-conical", size=16)),
        rx.flex(
            rx.callout.text(f"No {label} at hand? This app serves a fake {label} with demo data "
                            "for development and demos."),
            rx.button("Use the built-in sandbox", type="button", size="1", variant="soft",
                      on_click=[rx.set_value(f"field-{name}", value)
                                for name, value in values.items()]),
            direction="column",
            align="start",
            gap="2",
        ),
        color_scheme="gray",
        variant="surface",
        size="1",
        width="100%",
    )
