"""Suggested matches across tools, without a database or a tool."""

from __future__ import annotations

import uuid

from projecthub.models import Tool
from projecthub.services.project_import import Candidate, search, suggest
from projecthub.services.project_import.matching import key_from_name, normal_name

CONN = {tool: uuid.uuid4() for tool in Tool}


def cand(tool: Tool, key: str, name: str, ident: str = "", linked: str = "") -> Candidate:
    return Candidate(tool=tool, connection_id=CONN[tool], connection_name=tool.value,
                     external_id=ident or f"{tool.value}-{key or name}", key=key, name=name,
                     url="", linked_to=linked)


def test_same_key_joins_jira_and_confluence_and_names_bring_productive_and_teams():
    proposals = suggest([
        cand(Tool.GRAPH, "", "WEB Website Relaunch"),
        cand(Tool.PRODUCTIVE, "7", "Website relaunch"),
        cand(Tool.CONFLUENCE, "WEB", "Website Relaunch (wiki)"),
        cand(Tool.JIRA, "WEB", "Website Relaunch"),
        cand(Tool.JIRA, "OPS", "Operations"),
    ])
    web = next(p for p in proposals if p.key == "WEB")
    assert web.name == "Website Relaunch" and web.matched_by == "key"
    assert web.tools == (Tool.JIRA, Tool.CONFLUENCE, Tool.PRODUCTIVE, Tool.GRAPH)
    ops = next(p for p in proposals if p.key == "OPS")
    assert ops.tools == (Tool.JIRA,) and ops.matched_by == ""
    assert len(proposals) == 2


def test_a_tool_gives_one_resource_per_proposal_and_unkeyed_ones_get_a_free_key():
    proposals = suggest([cand(Tool.PRODUCTIVE, "1", "Acme Shop", "a"),
                         cand(Tool.PRODUCTIVE, "2", "Acme Shop", "b"),
                         cand(Tool.GRAPH, "", "Acme Shop")], taken_keys=["AS"])
    assert [p.key for p in proposals] == ["AS2", "AS3"]
    assert [len(p.resources) for p in proposals] == [2, 1]


def test_linked_candidates_are_not_proposed_again():
    assert suggest([cand(Tool.JIRA, "WEB", "Website", linked="WEB")]) == []


def test_names_compare_without_case_punctuation_or_the_key_around_them():
    assert normal_name("WEB \u2013 Website Relaunch!", "WEB") == "websiterelaunch"
    assert normal_name("Website Relaunch (WEB)", "WEB") == "websiterelaunch"
    assert key_from_name("Website Relaunch", set()) == "WR"
    assert key_from_name("operations", {"OPERATIO"}) == "OPERATIO2"
    assert key_from_name("9", set()) == "PRJ"


def test_search_finds_by_key_name_or_any_resource():
    proposals = suggest([cand(Tool.JIRA, "WEB", "Website"), cand(Tool.JIRA, "OPS", "Ops"),
                         cand(Tool.CONFLUENCE, "OPS", "Runbooks")])
    assert [p.key for p in search(proposals, "runbook")] == ["OPS"]
    assert [p.key for p in search(proposals, "web")] == ["WEB"]
    assert len(search(proposals, " ")) == 2
