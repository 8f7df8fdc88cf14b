"""The Status section of the organization settings: admins change the sync interval and the
health thresholds; every bad value is named next to its input; members are refused."""

from __future__ import annotations

from sqlmodel import Session

from projecthub.models import Organization, Role
from projecthub.services.status.settings import settings_of
from projecthub.ui.state.status_settings import StatusSettingsState
from tests.factories import add_member, make_org, make_user, user_of
from tests.ui.tabs import browser_state, redirect_path, toasts

FORM = {"sync_minutes": "15", "stale_hours": "12", "burn_amber_points": "5",
        "burn_red_points": "20", "overdue_amber": "2", "overdue_red": "6",
        "full_pass_hours": "6"}


def _stored(engine, org: Organization):  # type: ignore[no-untyped-def]
    with Session(engine) as fresh:
        return settings_of(fresh.get_one(Organization, org.id))


def test_admins_read_and_save_the_settings(db, engine, as_user):
    owner = make_user(db)
    org = make_org(db, owner)
    state = as_user(StatusSettingsState, owner, path="/org/settings")

    state.load()
    assert state.values["sync_minutes"] == "30" and state.values["burn_red_points"] == "25"

    assert "Status settings saved." in toasts(state.save(FORM))
    assert state.values == FORM and state.errors == {}
    stored = _stored(engine, org)
    assert (stored.sync_minutes, stored.overdue_red, stored.stale_hours) == (15, 6, 12)
    assert stored.full_pass_hours == 6


def test_each_bad_value_gets_its_message_and_nothing_is_saved(db, engine, as_user):
    owner = make_user(db)
    org = make_org(db, owner)
    state = as_user(StatusSettingsState, owner, path="/org/settings")

    state.save({**FORM, "sync_minutes": "often", "stale_hours": ""})
    assert state.errors == {"sync_minutes": "Enter a whole number.",
                            "stale_hours": "Enter a whole number."}
    state.save({**FORM, "burn_red_points": "5", "overdue_amber": "0"})
    assert state.errors == {"overdue_amber": "Must be a positive whole number."}
    state.save({**FORM, "burn_red_points": "5"})
    assert state.errors == {"burn_red_points": "Must be above the amber threshold."}
    state.save({**FORM, "full_pass_hours": "12"})
    assert state.errors == {"full_pass_hours": "Must be below the stale threshold."}
    assert _stored(engine, org).sync_minutes == 30


def test_members_are_refused_and_ended_sessions_go_to_login(db, engine, as_user):
    owner = make_user(db)
    org = make_org(db, owner)
    member = user_of(db, add_member(db, org, role=Role.MEMBER))
    state = as_user(StatusSettingsState, member, path="/org/settings")

    state.save(FORM)

    assert state.errors == {"status_settings": "This needs the admin role or higher."}
    assert redirect_path(browser_state(StatusSettingsState, None, "/org/settings").save(FORM)) \
        == "/login?next=/org/settings"
    assert _stored(engine, org).sync_minutes == 30
