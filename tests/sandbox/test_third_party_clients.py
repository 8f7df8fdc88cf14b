"""Clients nobody here wrote, used as their docs show, against the sandbox on a real port.

pycontribs ``jira`` and ``atlassian-python-api`` are the yardstick for the sandbox's fidelity:
each ordinary call must work, and every exchange is checked against the vendor's spec
(tests/sandbox/spec_proxy.py). ``GET /rest/api/3/project`` is marked deprecated in Jira's spec
but still served, and ``jira``'s ``projects()`` calls it, so it alone is allowed.

``atlassian.Confluence(cloud=True)`` without ``api_version`` is the library's legacy Cloud class,
which sends v1 paths (``content``, ``user/current``) under the v2 root, where Confluence Cloud
serves nothing either; the library's warning points to its v2 client
(``api_version=2``), which is what these tests drive, with the v1 current-user call through the
client's own ``get``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from atlassian import Confluence
from atlassian import Jira as AtlassianJira
from jira import JIRA
from requests import HTTPError

from projecthub.sandbox import create_sandbox_app
from projecthub.sandbox.jira_state import SANDBOX_EMAIL
from tests.sandbox.spec_proxy import SpecCheckedSandbox, serve_checked

TOKEN = "sandbox-demo"
STILL_SERVED = frozenset({"GET /rest/api/3/project"})


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, SpecCheckedSandbox]]:
    sandbox = create_sandbox_app()
    with serve_checked(sandbox, allow_deprecated=STILL_SERVED) as (base, checked):
        yield base, checked
        assert checked.failures == []


@pytest.fixture
def base(served: tuple[str, SpecCheckedSandbox]) -> str:
    return served[0]


@pytest.fixture
def checked(served: tuple[str, SpecCheckedSandbox]) -> SpecCheckedSandbox:
    checked = served[1]
    checked.validated.clear()
    return checked


@pytest.fixture
def pycontribs(base: str) -> Iterator[JIRA]:
    client = JIRA(server=f"{base}/sandbox/jira", basic_auth=(SANDBOX_EMAIL, TOKEN))
    yield client
    client.close()


@pytest.fixture
def atlassian_jira(base: str) -> Iterator[AtlassianJira]:
    client = AtlassianJira(url=f"{base}/sandbox/jira", username=SANDBOX_EMAIL, password=TOKEN,
                           cloud=True)
    yield client
    client.close()


@pytest.fixture
def confluence(base: str) -> Iterator[Confluence]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # "V1 methods are deprecated"
        client = Confluence(url=f"{base}/sandbox/confluence/wiki", username=SANDBOX_EMAIL,
                            password=TOKEN, cloud=True, api_version=2)
    yield client
    client.close()


def test_jira_knows_it_talks_to_cloud_and_reads_projects(pycontribs, checked):
    info = pycontribs.server_info()
    assert info["deploymentType"] == "Cloud" and pycontribs._is_cloud
    assert [p.key for p in pycontribs.projects()] == ["OPS", "WEB"]
    assert pycontribs.project("WEB").name == "Website Relaunch"
    assert pycontribs.myself()["emailAddress"] == SANDBOX_EMAIL
    assert {"GET /rest/api/3/serverInfo", "GET /rest/api/3/project",
            "GET /rest/api/3/project/{projectIdOrKey}",
            "GET /rest/api/3/myself"} <= set(checked.validated)


def test_jira_searches_counts_creates_and_reads_issues(pycontribs, checked):
    found = pycontribs.search_issues("project = OPS ORDER BY key")
    assert [i.key for i in found][:3] == ["OPS-1", "OPS-2", "OPS-3"]
    assert found[0].fields.status.name == "Done"
    assert pycontribs.approximate_issue_count("project = OPS") == len(found)
    created = pycontribs.create_issue(project="OPS", summary="Rotate keys",
                                      issuetype={"name": "Task"})
    again = pycontribs.issue(created.key)
    assert again.fields.summary == "Rotate keys" and again.fields.issuetype.name == "Task"
    assert pycontribs.approximate_issue_count("project = OPS") == len(found) + 1
    assert {"GET /rest/api/3/search/jql", "POST /rest/api/3/search/approximate-count",
            "POST /rest/api/3/issue",
            "GET /rest/api/3/issue/{issueIdOrKey}"} <= set(checked.validated)


def test_atlassian_jira_pages_projects_and_works_issues(atlassian_jira, checked):
    assert atlassian_jira.get_server_info()["deploymentType"] == "Cloud"
    assert [p["key"] for p in atlassian_jira.projects()] == ["OPS", "WEB"]
    assert atlassian_jira.get_project("WEB")["name"] == "Website Relaunch"
    assert atlassian_jira.myself()["emailAddress"] == SANDBOX_EMAIL
    issues = atlassian_jira.jql("project = WEB", fields="summary,status")["issues"]
    assert issues[0]["fields"]["summary"] == "Draft sitemap"
    created = atlassian_jira.create_issue(fields={
        "project": {"key": "WEB"}, "summary": "Check links", "issuetype": {"name": "Bug"}})
    assert atlassian_jira.issue(created["key"])["fields"]["issuetype"]["name"] == "Bug"
    assert {"GET /rest/api/3/project/search", "GET /rest/api/3/search/jql",
            "POST /rest/api/3/issue"} <= set(checked.validated)


def test_project_search_pages_and_filters_by_key_or_name(atlassian_jira, base):
    page = atlassian_jira.get(f"{base}/sandbox/jira/rest/api/3/project/search",
                              params={"maxResults": 1, "query": "web"}, absolute=True)
    assert [p["key"] for p in page["values"]] == ["WEB"] and page["isLast"] is True
    first = atlassian_jira.get(f"{base}/sandbox/jira/rest/api/3/project/search",
                               params={"maxResults": 1}, absolute=True)
    assert first["total"] == 2 and first["isLast"] is False and "startAt=1" in first["nextPage"]


def test_jira_refuses_a_bad_issue_as_jira_does(atlassian_jira):
    with pytest.raises(HTTPError) as caught:
        atlassian_jira.create_issue(fields={"project": {"key": "NOPE"}, "summary": "x",
                                            "issuetype": {"name": "Task"}})
    assert caught.value.response.status_code == 400
    assert caught.value.response.json()["errors"] == {"project": "valid project is required"}


def test_confluence_lists_spaces_and_pages_and_creates_a_page(confluence, checked):
    spaces = confluence.get_spaces()
    web = next(s for s in spaces if s["key"] == "WEB")
    assert confluence.get_space(web["id"])["name"] == web["name"]
    assert confluence.get_space_by_key("WEB")["id"] == web["id"]
    pages = confluence.get_pages(space_id=web["id"], body_format="storage")
    assert pages and all(p["spaceId"] == web["id"] for p in pages)
    home = confluence.get_page_by_id(web["homepageId"])
    assert home["title"] == pages[0]["title"]
    created = confluence.create_page(web["id"], "Release notes", "<p>v1</p>",
                                     parent_id=web["homepageId"])
    assert confluence.get_page_by_id(created["id"])["title"] == "Release notes"
    by_title = confluence.get_page_by_title("WEB", "Release notes")["results"]
    assert by_title[0]["id"] == created["id"]
    assert {"GET /spaces", "GET /spaces/{id}", "GET /pages", "GET /pages/{id}",
            "POST /pages"} <= set(checked.validated)


def test_confluence_current_user(confluence):
    me = confluence.get("rest/api/user/current")
    assert me["email"] == SANDBOX_EMAIL and me["type"] == "known"


def test_unknown_space_and_page_are_confluences_404(confluence):
    with pytest.raises(HTTPError) as caught:
        confluence.get_page_by_id("999")
    assert caught.value.response.status_code == 404
