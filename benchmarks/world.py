"""An organization in a benchmark database: its owner, and one connection per tool pointing at
the served sandboxes (as an admin would add them), through the app's own services."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from benchmarks.served import Served
from projecthub.models import Organization, User
from projecthub.sandbox.jira_state import SANDBOX_EMAIL
from projecthub.services import accounts, connections, orgs
from projecthub.services.principal import Principal, actor_for, principal_in_org

TENANT = "bench"
OWNER_EMAIL = "owner@example.com"
PASSWORD = "correct horse battery staple"
GRAPH_CLIENT_ID = "6731de76-14a6-49ae-97bc-6eba6914391e"


@dataclass(frozen=True)
class Org:
    owner: User
    org: Organization
    principal: Principal


def make_org(session: Session, *, slug: str = "bench", email: str = OWNER_EMAIL,
             name: str = "Pat Manager") -> Org:
    owner = accounts.create_user(session, email=email, password=PASSWORD, display_name=name)
    session.commit()
    org = orgs.create_organization(session, actor_for(owner), name=f"Bench {slug}", slug=slug)
    return Org(owner, org, principal_in_org(session, actor_for(owner), org.id))


def connect_tools(session: Session, principal: Principal, served: Served,
                  tenant: str = TENANT) -> dict[str, str]:
    """One connection per tool in the sandbox tenant ``tenant``; tool → connection id."""
    secret = f"sandbox-{tenant}"
    atlassian = {"settings_values": {"email": SANDBOX_EMAIL},
                 "secret_values": {"api_token": secret}}
    made = {
        "jira": connections.create_connection(
            session, principal, tool="jira", name="Jira", base_url=served.url("jira"),
            **atlassian),
        "confluence": connections.create_connection(
            session, principal, tool="confluence", name="Confluence",
            base_url=served.url("confluence"), **atlassian),
        "productive": connections.create_connection(
            session, principal, tool="productive", name="Productive",
            base_url=served.url("productive"), settings_values={"organization_id": "1000"},
            secret_values={"api_token": secret}),
        "graph": connections.create_connection(
            session, principal, tool="graph", name="Microsoft 365", base_url=served.url("graph"),
            settings_values={"tenant_id": "contoso.onmicrosoft.com", "client_id": GRAPH_CLIENT_ID,
                             "authority_host": f"{served.url('graph')}/login"},
            secret_values={"client_secret": secret}),
    }
    return {tool: str(view.id) for tool, view in made.items()}


__all__ = ["OWNER_EMAIL", "PASSWORD", "TENANT", "Org", "connect_tools", "make_org"]
