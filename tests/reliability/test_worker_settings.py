"""The provisioning lease is a setting, so a dead worker's runs can be taken over sooner."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from projecthub.core.config import Settings, settings


def test_the_provisioning_lease_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("PROJECTHUB_PROVISIONING_LEASE_SECONDS", raising=False)
    assert Settings().PROVISIONING_LEASE_SECONDS == 60
    monkeypatch.setenv("PROJECTHUB_PROVISIONING_LEASE_SECONDS", "5")
    assert Settings().PROVISIONING_LEASE_SECONDS == 5
    with pytest.raises(ValidationError):
        Settings(PROVISIONING_LEASE_SECONDS=1)  # renewed every third: too short to keep


def test_every_backend_process_drives_runs_with_that_lease(monkeypatch):
    from projecthub.jobs.work import runner_config

    monkeypatch.setattr(settings, "PROVISIONING_LEASE_SECONDS", 7)
    assert runner_config().lease == timedelta(seconds=7)
