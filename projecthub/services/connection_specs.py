"""What each tool's connection asks for: which fields are plain settings and which are secrets.
The admin form and the API validate against this one description."""

from __future__ import annotations

from dataclasses import dataclass

from projecthub.models import Tool


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    secret: bool = False
    help: str = ""


@dataclass(frozen=True)
class ToolSpec:
    tool: Tool
    label: str
    auth_kind: str
    default_base_url: str
    base_url_help: str
    fields: tuple[FieldSpec, ...]
    # The vendor's own hosts: the allow-list (PROJECTHUB_TOOL_HOST_ALLOWLIST) and the hosts whose
    # error bodies a connection test may show.
    hosts: tuple[str, ...]

    @property
    def secret_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.secret)

    @property
    def setting_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if not f.secret)


_ATLASSIAN_HOSTS = ("*.atlassian.net",)
# Microsoft Graph and its national clouds (US Government L4 and L5/DoD, China by 21Vianet).
_GRAPH_HOSTS = ("graph.microsoft.com", "graph.microsoft.us", "dod-graph.microsoft.us",
                "microsoftgraph.chinacloudapi.cn")
# Entra ID sign-in hosts of the same clouds (MSAL's AzureAuthorityHosts).
GRAPH_LOGIN_HOSTS = ("login.microsoftonline.com", "login.microsoftonline.us",
                     "login.chinacloudapi.cn", "login.partner.microsoftonline.cn")

_ATLASSIAN_FIELDS = (
    FieldSpec("email", "Account email", help="The Atlassian account the API token belongs to."),
    FieldSpec("api_token", "API token", secret=True,
              help="Create one at id.atlassian.com → Security → API tokens."),
)

TOOL_SPECS: dict[Tool, ToolSpec] = {
    Tool.JIRA: ToolSpec(Tool.JIRA, "Jira", "basic", "https://your-site.atlassian.net",
                        "Your Jira Cloud site, e.g. https://acme.atlassian.net", _ATLASSIAN_FIELDS,
                        _ATLASSIAN_HOSTS),
    Tool.CONFLUENCE: ToolSpec(Tool.CONFLUENCE, "Confluence", "basic",
                              "https://your-site.atlassian.net",
                              "Your Confluence Cloud site, e.g. https://acme.atlassian.net",
                              _ATLASSIAN_FIELDS, _ATLASSIAN_HOSTS),
    Tool.PRODUCTIVE: ToolSpec(Tool.PRODUCTIVE, "Productive", "api_token",
                              "https://api.productive.io",
                              "Productive's API host.", (
        FieldSpec("organization_id", "Organization id",
                  help="Settings → API integrations shows it next to your token."),
        FieldSpec("api_token", "API token", secret=True),
    ), ("api.productive.io",)),
    Tool.GRAPH: ToolSpec(Tool.GRAPH, "Microsoft 365", "client_credentials",
                         "https://graph.microsoft.com",
                         "Microsoft Graph's host (national clouds differ).", (
        FieldSpec("tenant_id", "Entra tenant id"),
        FieldSpec("client_id", "Application (client) id"),
        FieldSpec("authority_host", "Sign-in host",
                  help="Leave empty for https://login.microsoftonline.com."),
        FieldSpec("client_secret", "Client secret", secret=True),
    ), _GRAPH_HOSTS),
}
