"""The drift tests' world: the provisioning sandboxes plus a second project member, Dee."""

from __future__ import annotations

import pytest

from tests.factories import add_member, make_user
from tests.services.provisioning.world import TENANT, World, build_world


@pytest.fixture
def world(db) -> World:
    built = build_world(db)
    dev = make_user(db, email="dev@example.com", name="Dee Veloper")
    add_member(db, built.org, dev)
    built.sandbox.vendors["jira"].tenant(TENANT).add_user("dev@example.com", "Dee Veloper")
    db.commit()
    built.dev = dev  # type: ignore[attr-defined]
    return built
