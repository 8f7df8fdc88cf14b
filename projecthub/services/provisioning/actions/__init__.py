"""Every provisioning step type, by name."""

from projecthub.services.provisioning.actions import jira
from projecthub.services.provisioning.actions.base import Action

ACTIONS: dict[str, Action] = {
    "jira.create_project": jira.create_project,
    "jira.add_members": jira.add_members,
    "jira.link_project": jira.link_project,
}

__all__ = ["ACTIONS"]
