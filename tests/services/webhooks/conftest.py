"""Every webhook test: a world with four sandboxed connections, and a recording job queue
installed for the test (the receiving route asks it for the background job)."""

from __future__ import annotations

import pytest

from projecthub.services import dispatch
from tests.services.provisioning.world import build_world
from tests.services.webhooks.hooks_world import Notes


@pytest.fixture
def world(db):
    return build_world(db)


@pytest.fixture
def notes():
    queue = Notes()
    dispatch.install(queue)
    yield queue
    dispatch.install(None)
