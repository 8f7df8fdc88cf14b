"""The reliability suite reuses the API tests' client; Hypothesis keeps its files in a temp dir."""

import tempfile

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from tests.api.conftest import client

__all__ = ["client"]

set_hypothesis_home_dir(tempfile.mkdtemp(prefix="projecthub-hypothesis-"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: starts real server processes (tens of seconds)")
