"""Jira's rules for new project keys and create-project bodies, with its field-error wording.

The duplicate-key text is the spec's example; the other messages follow Jira's style but are
not confirmed by a stored source (see the closing note of the connector work).
"""

from __future__ import annotations

import re
from typing import Any

from projecthub.sandbox.jira_state import JiraState, User

KEY_SHAPE = re.compile(r"^[A-Z][A-Z0-9]+$")
KEY_FORMAT = ("Project keys must start with an uppercase letter, followed by one or more "
              "uppercase alphanumeric characters.")
KEY_TAKEN = "A project with that project key already exists."
NAME_TAKEN = "A project with that name already exists."
CREATE_FIELDS = frozenset({
    "assigneeType", "avatarId", "categoryId", "description", "fieldConfigurationScheme",
    "issueSecurityScheme", "issueTypeScheme", "issueTypeScreenScheme", "key", "lead",
    "leadAccountId", "name", "notificationScheme", "permissionScheme", "projectTemplateKey",
    "projectTypeKey", "url", "workflowScheme", "fieldScheme",
})
TEMPLATE_TYPES = {"com.pyxis.greenhopper.jira": "software", "com.atlassian.servicedesk":
                  "service_desk", "com.atlassian.jira-core-project-templates": "business"}


def key_problem(state: JiraState, key: str) -> str | None:
    """Why ``key`` cannot name a new project, or ``None``."""
    if not KEY_SHAPE.fullmatch(key):
        return KEY_FORMAT
    if len(key) > 10:
        return "The project key must not exceed 10 characters in length."
    if key in state.projects:
        return KEY_TAKEN
    return None


def suggest_key(state: JiraState, wanted: str) -> str:
    """``wanted`` if usable, else a cleaned-up variant with a number appended until it is free."""
    letters = re.sub(r"[^A-Z0-9]", "", wanted.upper()).lstrip("0123456789") or "PRJ"
    base = letters[:10] if len(letters) >= 2 else (letters + "PRJ")[:10]
    candidate, n = base, 1
    while key_problem(state, candidate):
        suffix = str(n)
        candidate, n = base[: 10 - len(suffix)] + suffix, n + 1
    return candidate


def create_problems(state: JiraState, body: Any) -> tuple[User, dict[str, str]]:
    """Field errors for a ``POST /project`` body (empty when it can be created) and its lead."""
    if not isinstance(body, dict):
        return _nobody(), {"project": "Invalid request payload."}
    unknown = sorted(set(body) - CREATE_FIELDS)
    if unknown:
        return _nobody(), {unknown[0]: f'Unrecognized field "{unknown[0]}".'}
    errors: dict[str, str] = {}
    key = body.get("key")
    if problem := key_problem(state, key if isinstance(key, str) else ""):
        errors["projectKey"] = problem
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        errors["projectName"] = "You must specify a valid project name."
    elif name.casefold() in {p.name.casefold() for p in state.projects.values()}:
        errors["projectName"] = NAME_TAKEN
    lead = state.user(str(body.get("leadAccountId") or body.get("lead") or ""))
    if lead is None or not lead.active:
        errors["projectLead"] = "You must specify a valid project lead."
    template = str(body.get("projectTemplateKey") or "")
    family = TEMPLATE_TYPES.get(template.split(":", 1)[0]) if template else None
    kind = body.get("projectTypeKey")
    if not template and not kind:
        errors["projectTypeKey"] = "You must specify a valid project type."
    elif template and (family is None or (kind and kind != family)):
        errors["projectTemplateKey"] = ("The project template key does not match the project "
                                        "type key.")
    return lead or _nobody(), errors


def _nobody() -> User:
    return User("", "", "", active=False)
