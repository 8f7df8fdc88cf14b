"""The Graph connector against the Graph sandbox over HTTP (MSAL included), every Graph exchange
checked against the v1.0 spec: lookups, teams, members, channels, Planner and paging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from projecthub.connectors.clock import FakeClock
from projecthub.connectors.errors import Conflict, NotFound
from projecthub.sandbox.graph_state import SANDBOX_EMAIL
from tests.connectors.graph_setup import graph_state, make_connector, make_sandbox

POLL = "GET /teams/{team-id}/operations/{teamsAsyncOperation-id}"


@pytest.fixture
def app(clock: FakeClock):
    return make_sandbox(clock)


@pytest.fixture
async def graph(app, clock):
    connector, transport = make_connector(app, clock)
    async with connector:
        yield connector, transport


async def test_test_connection_names_the_app_directory_and_consented_roles(graph):
    connector, transport = graph
    identity = await connector.test_connection()
    assert identity.app_id == "6731de76-14a6-49ae-97bc-6eba6914391e"
    assert identity.tenant_id and identity.tenant_id != "contoso.onmicrosoft.com"
    assert {"Team.Create", "User.Read.All", "Tasks.ReadWrite.All"} <= set(identity.roles)
    assert transport.validated == ["GET /users"]


async def test_find_users_by_email_matches_mail_case_insensitively(graph):
    connector, transport = graph
    found = await connector.find_users_by_email("Ana.Lopez@ProjectHub.example")
    assert [(u.display_name, u.mail, u.account_enabled) for u in found] == [
        ("Ana López", "ana.lopez@projecthub.example", True)]
    assert await connector.find_users_by_email("o'brien@projecthub.example") == []
    assert set(transport.validated) == {"GET /users"}


async def test_get_user_by_sign_in_name_or_id(graph):
    connector, transport = graph
    admin = await connector.get_user(SANDBOX_EMAIL)
    assert (admin.display_name, admin.user_principal_name) == ("Demo Admin", SANDBOX_EMAIL)
    assert (await connector.get_user(admin.id)).id == admin.id
    assert set(transport.validated) == {"GET /users/{user-id}"}


async def test_find_group_by_mail_nickname_or_none(graph):
    connector, transport = graph
    group = await connector.find_group_by_mail_nickname("websiterelaunch")
    assert group is not None and group.display_name == "Website Relaunch" and group.is_team
    plain = await connector.find_group_by_mail_nickname("allcompany")
    assert plain is not None and not plain.is_team
    assert await connector.find_group_by_mail_nickname("nope") is None
    assert set(transport.validated) == {"GET /groups"}


async def test_create_team_polls_the_operation_then_reads_its_web_url(graph, app, clock):
    connector, transport = graph
    owner = await connector.get_user(SANDBOX_EMAIL)
    team_id = await connector.create_team("Alpha", owner_id=owner.id, description="Pilot")
    team = await connector.get_team(team_id)
    assert (team.display_name, team.description, team.is_archived) == ("Alpha", "Pilot", False)
    url = await connector.team_web_url(team_id)
    assert url.startswith("https://teams.microsoft.com/l/team/19%3a") and team_id in url
    assert clock.sleeps == [5.0, 5.0, 5.0]
    assert transport.validated.count(POLL) == 3
    assert "POST /teams" in transport.validated
    members = graph_state(app).teams[team_id].members
    assert [(m.user_id, m.roles) for m in members] == [(owner.id, ["owner"])]


async def test_add_member_twice_keeps_one_membership(graph, app):
    connector, transport = graph
    group = await connector.find_group_by_mail_nickname("WebsiteRelaunch")
    ben = (await connector.find_users_by_email("ben.okafor@projecthub.example"))[0]
    first = await connector.add_member(group.id, ben.id)
    again = await connector.add_member(group.id, ben.id, owner=True)
    assert (first.user_id, first.email, first.roles) == (ben.id, ben.mail, ())
    assert (again.id, again.roles) == (first.id, ("owner",))
    assert len(graph_state(app).teams[group.id].members) == 3
    assert "POST /teams/{team-id}/members" in transport.validated


async def test_create_channel_and_a_duplicate_name_is_a_conflict(graph):
    connector, transport = graph
    group = await connector.find_group_by_mail_nickname("WebsiteRelaunch")
    channel = await connector.create_channel(group.id, "Launch", description="Go-live")
    assert channel.id.startswith("19:") and channel.id.endswith("@thread.tacv2")
    assert (channel.display_name, channel.membership_type) == ("Launch", "standard")
    with pytest.raises(Conflict) as caught:
        await connector.create_channel(group.id, "launch")
    assert caught.value.status == 400 and "already existed" in caught.value.message
    with pytest.raises(Conflict):
        await connector.create_channel(group.id, "General")
    assert set(transport.validated) >= {"POST /teams/{team-id}/channels"}


async def test_a_channel_message_is_posted_as_html(graph, app):
    connector, transport = graph
    group = await connector.find_group_by_mail_nickname("WebsiteRelaunch")
    general, *_ = [c async for c in connector.iter_channels(group.id)]
    message = await connector.post_channel_message(
        group.id, general.id, html="<p><b>Website is now red</b></p>", subject="Red")
    assert message.id and message.subject == "Red"
    assert "POST /teams/{team-id}/channels/{channel-id}/messages" in transport.validated
    with pytest.raises(NotFound):
        await connector.post_channel_message(group.id, "19:missing@thread.tacv2", html="<p>x</p>")


async def test_channels_and_plans_of_a_team_are_listed_so_steps_can_adopt_them(graph):
    connector, transport = graph
    group = await connector.find_group_by_mail_nickname("WebsiteRelaunch")
    assert [c.display_name async for c in connector.iter_channels(group.id)] == [
        "General", "Design"]
    plans = [p async for p in connector.iter_group_plans(group.id)]
    assert [(p.title, p.group_id) for p in plans] == [("Website Relaunch", group.id)]
    assert {"GET /teams/{team-id}/channels", "GET /groups/{group-id}/planner/plans"} <= set(
        transport.validated)


async def test_create_plan_for_a_team_group(graph, app):
    connector, transport = graph
    group = await connector.find_group_by_mail_nickname("WebsiteRelaunch")
    plan = await connector.create_plan(group.id, "Launch plan")
    assert (plan.title, plan.group_id) == ("Launch plan", group.id)
    assert graph_state(app).plans[plan.id].group_id == group.id
    assert [t async for t in connector.iter_plan_tasks(plan.id)] == []
    assert "POST /planner/plans" in transport.validated


async def test_task_counts_follow_next_links_over_several_pages(graph, app, clock):
    connector, transport = graph
    state = graph_state(app)
    plan = state.add_plan(next(iter(state.groups.values())), "Counted", app_id="x")
    now = clock.now()
    for n, percent, due in [(1, 0, now - timedelta(days=1)), (2, 0, now + timedelta(days=1)),
                            (3, 50, now - timedelta(hours=1)), (4, 50, None), (5, 100, now),
                            (6, 100, now - timedelta(days=9)), (7, 0, None)]:
        state.add_task(plan, f"Task {n}", percent, due=due)
    state.page_size = 3
    counts = await connector.plan_task_counts(plan.id)
    assert (counts.not_started, counts.in_progress, counts.done, counts.overdue) == (3, 2, 2, 2)
    assert (counts.open, counts.total) == (5, 7)
    assert transport.validated.count("GET /planner/plans/{plannerPlan-id}/tasks") == 3


async def test_demo_plan_counts_are_relative_to_the_clock():
    clock = FakeClock(datetime(2026, 2, 3, 12, 0, tzinfo=UTC))
    app = make_sandbox(clock)
    plan = next(iter(graph_state(app).plans.values()))
    connector, _ = make_connector(app, clock)
    async with connector:
        counts = await connector.plan_task_counts(plan.id)
    assert (counts.done, counts.open, counts.overdue) == (2, 5, 2)


async def test_missing_team_or_plan_is_not_found(graph):
    connector, _ = graph
    with pytest.raises(NotFound) as caught:
        await connector.get_team("00000000-0000-0000-0000-000000000001")
    assert "No team found" in caught.value.message
    with pytest.raises(NotFound):
        await connector.plan_task_counts("nonexistentplanid0000000000")


async def test_ids_cannot_smuggle_path_segments(graph):
    connector, _ = graph
    with pytest.raises(ValueError):
        connector.iter_plan_tasks("a/../../users")
