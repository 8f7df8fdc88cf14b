"""The wizard's company field: typing searches Productive's own companies (through the chosen
connection, in the background) and picking one answers with Productive's exact name."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from projecthub.services import drafts
from projecthub.services.tool_clients import ToolClients
from projecthub.ui.state import wizard
from projecthub.ui.state.wizard import NEW_PATH, WizardState
from tests.services.provisioning.world import World, answers, build_world


@pytest.fixture
def world(db: Session, monkeypatch: pytest.MonkeyPatch) -> World:
    built = build_world(db)

    def tools(principal: Any) -> ToolClients:
        return built.config().tools_factory(principal)

    monkeypatch.setattr(wizard, "tool_clients", tools)
    return built


def _on_productive_step(world: World, as_user: Any, **overrides: object) -> WizardState:
    draft = drafts.save_draft(world.db, world.owner_principal,
                              template_version_id=world.template_version_id,
                              answers=answers(world, productive_mode="create", **overrides),
                              step="productive")
    world.db.commit()
    state = as_user(WizardState, world.owner, path=f"{NEW_PATH}/{draft.id}")
    state.load()
    assert state.step_title == "Productive"
    return state


def _company(state: WizardState) -> Any:
    return next(row for row in state.fields if row.id == "client_company")


async def test_typing_offers_productives_companies_and_picking_answers_exactly(world, as_user):
    world.sandbox.vendors["productive"].tenant("acme").add_company("Acme Outlet Stores")
    state = _on_productive_step(world, as_user, client_company="")

    follow = state.set_answer("client_company", "acme")
    assert WizardState.find_companies in follow
    await WizardState.find_companies.fn(state)

    row = _company(state)
    assert [o.label for o in row.options] == ["Acme Retail GmbH", "Acme Outlet Stores"]
    state.set_answer("client_company", "Acme Outlet Stores")
    assert state._answers["client_company"] == "Acme Outlet Stores"


async def test_no_match_and_no_connection_say_so(world, as_user):
    state = _on_productive_step(world, as_user, client_company="Nobody")
    await WizardState.find_companies.fn(state)
    assert _company(state).no_options == "No company in Productive matches what you typed."

    state.set_answer("productive_connection", "")
    await WizardState.find_companies.fn(state)
    assert _company(state).no_options == ("Choose a Productive connection above to pick from "
                                          "its companies.")
