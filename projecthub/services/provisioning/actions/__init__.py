"""Every provisioning step type, by name."""

from projecthub.services.provisioning.actions import (
    confluence,
    editing,
    graph,
    jira,
    lifecycle,
    productive,
)
from projecthub.services.provisioning.actions.base import Action

ACTIONS: dict[str, Action] = {
    "jira.create_project": jira.create_project,
    "jira.add_members": jira.add_members,
    "jira.link_project": jira.link_project,
    "jira.rename_project": jira.rename_project,
    "jira.add_member": jira.add_member,
    "jira.remove_member": jira.remove_member,
    "confluence.create_space": confluence.create_space,
    "confluence.create_page": confluence.create_page,
    "confluence.link_space": confluence.link_space,
    "confluence.create_links_page": confluence.create_links_page,
    "productive.create_company": productive.create_company,
    "productive.create_project": productive.create_project,
    "productive.add_memberships": productive.add_memberships,
    "productive.add_member": productive.add_member,
    "productive.create_budget": productive.create_budget,
    "productive.link_project": productive.link_project,
    "graph.create_team": graph.create_team,
    "graph.link_team": graph.link_team,
    "graph.add_members": graph.add_members,
    "graph.create_channel": graph.create_channel,
    "graph.create_plan": graph.create_plan,
    # Lifecycle runs (services/provisioning/lifecycle.py)
    "jira.archive_project": lifecycle.switch_step("jira", archive=True),
    "jira.restore_project": lifecycle.switch_step("jira", archive=False),
    "confluence.archive_space": lifecycle.switch_step("confluence", archive=True),
    "confluence.restore_space": lifecycle.switch_step("confluence", archive=False),
    "graph.archive_team": lifecycle.switch_step("graph", archive=True),
    "graph.unarchive_team": lifecycle.switch_step("graph", archive=False),
    "productive.archive_project": lifecycle.switch_step("productive", archive=True),
    "productive.restore_project": lifecycle.switch_step("productive", archive=False),
    # Project edits (services/provisioning/editing.py); Jira's are the drift fixes above
    "confluence.rename_space": editing.confluence_rename_space,
    "confluence.add_member": editing.confluence_add_member,
    "confluence.remove_member": editing.confluence_remove_member,
    "graph.rename_team": editing.graph_rename_team,
    "graph.rename_plan": editing.graph_rename_plan,
    "graph.set_member": editing.graph_set_member,
    "graph.remove_member": editing.graph_remove_member,
    "productive.update_project": editing.productive_update_project,
    "productive.rename_budget": editing.productive_rename_budget,
    "productive.remove_member": editing.productive_remove_member,
}

__all__ = ["ACTIONS"]
