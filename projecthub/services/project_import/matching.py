"""Suggested ProjectHub projects from what the tools already have: candidates that share a key
(Jira project key = Confluence space key) or a name (any tool, compared without case, spaces or
punctuation, and without the group's key around it: "WEB - Website Relaunch") become one
proposal, with at most one resource per tool. Pure functions: no database, no tools.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from projecthub.models import Tool
from projecthub.services.project_import.candidates import TOOL_ORDER, Candidate
from projecthub.services.views import View

# Jira's rule for project keys, which ProjectHub's keys follow too.
KEY = re.compile(r"^[A-Z][A-Z0-9]{1,9}$")
KEY_LENGTH = 10
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


class Proposal(View):
    """One project to create, linked to ``resources`` (one per tool at most)."""

    key: str
    name: str
    resources: tuple[Candidate, ...]
    matched_by: str  # "key", "name" or "" (found in one tool only)

    @property
    def member_emails(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e for r in self.resources for e in r.member_emails))

    @property
    def tools(self) -> tuple[Tool, ...]:
        return tuple(r.tool for r in self.resources)


def normal_name(name: str, key: str = "") -> str:
    """A name as compared across tools; a leading or trailing key is not part of it."""
    text = _NOT_ALNUM.sub(" ", name.casefold()).split()
    if key and text and text[0] == key.casefold():
        text = text[1:]
    if key and text and text[-1] == key.casefold():
        text = text[:-1]
    return "".join(text)


def key_from_name(name: str, taken: set[str]) -> str:
    """A free key made from a name: word initials (or the first letters of a single word),
    numbered when taken, e.g. "Website Relaunch" → "WR", then "WR2"."""
    words = [w.upper() for w in _NOT_ALNUM.split(name.casefold()) if w]
    letters = "".join(w[0] for w in words) if len(words) > 1 else (words[0] if words else "")
    base = re.sub(r"^[0-9]+", "", letters)[:KEY_LENGTH - 2] or "PRJ"
    if len(base) < 2:
        base = (base + (words[0][1:] if words else "") + "X")[:2]
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}{n}"[:KEY_LENGTH], n + 1
    return candidate


class _Group:
    def __init__(self, first: Candidate, matched_by: str = "") -> None:
        self.resources: dict[Tool, Candidate] = {first.tool: first}
        self.key = first.key.upper() if KEY.match(first.key.upper()) and first.tool in (
            Tool.JIRA, Tool.CONFLUENCE) else ""
        self.matched_by = matched_by

    @property
    def name(self) -> str:
        return next(self.resources[t].name for t in TOOL_ORDER if t in self.resources)

    def names(self) -> set[str]:
        return {normal_name(c.name, self.key) for c in self.resources.values()} - {""}


def suggest(candidates: Iterable[Candidate], *, taken_keys: Iterable[str] = ()) -> list[Proposal]:
    """Proposals for every candidate not linked yet, Jira first, then Confluence, Productive
    and Teams joining a proposal by key, else by name, else starting their own."""
    pending = sorted((c for c in candidates if not c.linked_to),
                     key=lambda c: (TOOL_ORDER.index(c.tool), c.key, c.name.casefold()))
    groups: list[_Group] = []
    by_key: dict[str, _Group] = {}
    by_name: dict[str, _Group] = {}
    for cand in pending:
        key = cand.key.upper() if cand.tool in (Tool.JIRA, Tool.CONFLUENCE) else ""
        group, how = by_key.get(key) if key else None, "key"
        if group is None or cand.tool in group.resources:
            group, how = _by_name(by_name, by_key, cand), "name"
        if group is None or cand.tool in group.resources:
            group = _Group(cand)
            groups.append(group)
        else:
            group.resources[cand.tool] = cand
            group.matched_by = group.matched_by or how
            group.key = group.key or (key if KEY.match(key) else "")
        if group.key:
            by_key.setdefault(group.key, group)
        for name in group.names():
            by_name.setdefault(name, group)
    taken = {k.upper() for k in taken_keys}
    proposals = []
    for group in groups:
        key = group.key if group.key and group.key not in taken else key_from_name(
            group.name, taken)
        taken.add(key)
        proposals.append(Proposal(
            key=key, name=group.name[:200], matched_by=group.matched_by,
            resources=tuple(group.resources[t] for t in TOOL_ORDER if t in group.resources)))
    return proposals


def _by_name(by_name: dict[str, _Group], by_key: dict[str, _Group],
             cand: Candidate) -> _Group | None:
    """The group with the candidate's name, also when the name carries a known key around it
    (a team called "WEB Website Relaunch" joins the WEB group named "Website Relaunch")."""
    words = _NOT_ALNUM.sub(" ", cand.name.casefold()).split()
    keys = {k.casefold() for k in by_key} | ({cand.key.casefold()} if cand.key else set())
    variants = [words]
    if len(words) > 1 and words[0] in keys:
        variants.append(words[1:])
    if len(words) > 1 and words[-1] in keys:
        variants.append(words[:-1])
    for variant in variants:
        group = by_name.get("".join(variant))
        if group is not None:
            return group
    return None


def search(proposals: Iterable[Proposal], text: str) -> list[Proposal]:
    """Proposals whose key, name or any resource's key or name contains ``text`` (any case)."""
    wanted = text.strip().casefold()
    if not wanted:
        return list(proposals)
    return [p for p in proposals
            if wanted in p.key.casefold() or wanted in p.name.casefold()
            or any(wanted in r.name.casefold() or wanted in r.key.casefold()
                   for r in p.resources)]
