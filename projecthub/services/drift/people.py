"""Who holds a resource in a tool, as emails: every tool knows people by its own account ids,
so drift asks each tool the same two questions (whose account is this email, whose email is
this account) and compares emails. One ``Directory`` per tool, one ``holders`` for all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from projecthub.connectors.confluence import ConfluenceConnector
from projecthub.connectors.graph import GraphConnector
from projecthub.connectors.jira import JiraConnector
from projecthub.connectors.productive import ProductiveConnector

MEMBER, OWNER = "member", "owner"  # what a person is in a tool (owners: Teams only)


@dataclass(frozen=True)
class Directory:
    """A tool's account for an email (``None``: no account) and an account's email (``None``:
    unknown or hidden by the person's privacy settings)."""

    account_for: Callable[[str], Awaitable[str | None]]
    email_of: Callable[[str], Awaitable[str | None]]


@dataclass(frozen=True)
class Holders:
    """Email → what the person is in the tool (``member`` or ``owner``), and the wanted emails
    without an account there (provisioning reports those; they are not drift)."""

    roles: dict[str, str]
    unreachable: frozenset[str]


async def holders(directory: Directory, wanted: frozenset[str],
                  held: Mapping[str, str]) -> Holders:
    """``held`` maps account ids to their role; the wanted people's accounts are found by email
    first, so only strangers cost a lookup of their own."""
    accounts: dict[str, str] = {}
    unreachable = set()
    for email in sorted(wanted):
        account = await directory.account_for(email)
        if account is None:
            unreachable.add(email)
        else:
            accounts[account] = email
    roles: dict[str, str] = {}
    for account, role in held.items():
        address = accounts.get(account) or await directory.email_of(account)
        if address:
            roles[address.lower()] = role
    return Holders(roles, frozenset(unreachable))


def jira_directory(jira: JiraConnector) -> Directory:
    async def account_for(email: str) -> str | None:
        found = await jira.find_users_by_email(email)
        return found[0].account_id if found else None

    async def email_of(account_id: str) -> str | None:
        user = await jira.find_user_by_account_id(account_id)
        return user.email_address if user else None

    return Directory(account_for, email_of)


def confluence_directory(wiki: ConfluenceConnector) -> Directory:
    async def account_for(email: str) -> str | None:
        found = await wiki.find_users_by_email(email)
        return found[0].account_id if found else None

    async def email_of(account_id: str) -> str | None:
        user = await wiki.get_user(account_id)
        return user.email if user else None

    return Directory(account_for, email_of)


def graph_directory(graph: GraphConnector, known: Mapping[str, str | None]) -> Directory:
    """``known``: the emails the team's member list carries already (by user id)."""
    async def account_for(email: str) -> str | None:
        found = await graph.find_users_by_email(email)
        return found[0].id if found else None

    async def email_of(user_id: str) -> str | None:
        if known.get(user_id):
            return known[user_id]
        user = await graph.get_user(user_id)
        return user.mail

    return Directory(account_for, email_of)


def productive_directory(prod: ProductiveConnector) -> Directory:
    async def account_for(email: str) -> str | None:
        found = await prod.find_people_by_email(email)
        return found[0].id if found else None

    async def email_of(person_id: str) -> str | None:
        return (await prod.get_person(person_id)).email

    return Directory(account_for, email_of)


__all__ = ["MEMBER", "OWNER", "Directory", "Holders", "confluence_directory",
           "graph_directory", "holders", "jira_directory", "productive_directory"]
