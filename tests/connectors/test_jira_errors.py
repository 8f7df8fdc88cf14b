"""What only Jira does wrong: its refusals and error texts as typed errors (the failures every
vendor shares are in ``test_vendor_contract.py``)."""

from __future__ import annotations

import pytest

from projecthub.connectors.errors import AuthFailed, Conflict, Invalid, NotFound, PermissionDenied
from tests.connectors.jira_setup import make_connector
from tests.connectors.vendors import JIRA, VendorCase


@pytest.fixture
def vendor() -> VendorCase:
    return JIRA


async def test_unknown_email_with_a_valid_token_is_auth_failed(app, clock):
    connector, _ = make_connector(app, clock, email="stranger@example.com")
    async with connector:
        with pytest.raises(AuthFailed):
            await connector.current_user()


async def test_non_admin_cannot_create_projects(app, clock):
    connector, _ = make_connector(app, clock, email="ana.lopez@projecthub.example")
    async with connector:
        me = await connector.current_user()
        with pytest.raises(PermissionDenied) as caught:
            await connector.create_project(key="ANA", name="Ana's", lead_account_id=me.account_id)
    assert caught.value.status == 403


async def test_missing_project_is_not_found_with_jira_text_and_request_id(connected):
    connector, _ = connected
    with pytest.raises(NotFound) as caught:
        await connector.get_project("NOPE")
    assert "No project could be found with key 'NOPE'" in caught.value.message
    assert caught.value.request_id


async def test_duplicate_key_is_a_conflict_from_jiras_400(connected, clock):
    connector, transport = connected
    me = await connector.current_user()
    with pytest.raises(Conflict) as caught:
        await connector.create_project(key="WEB", name="Another web", lead_account_id=me.account_id)
    assert caught.value.status == 400
    assert "A project with that project key already exists." in caught.value.message
    assert transport.validated.count("POST /rest/api/3/project") == 1 and clock.sleeps == []


async def test_invalid_create_carries_field_errors(connected):
    connector, _ = connected
    with pytest.raises(Invalid) as caught:
        await connector.create_project(key="GOOD", name=" ", lead_account_id="no-such-account")
    assert set(caught.value.field_errors) == {"projectName", "projectLead"}


async def test_bad_jql_is_invalid_with_jiras_message(connected):
    connector, _ = connected
    with pytest.raises(Invalid, match="does not exist for the field 'project'"):
        await connector.count_issues('project = "GHOST"')
    with pytest.raises(Invalid, match="Unbounded JQL"):
        await connector.count_issues("order by created")
