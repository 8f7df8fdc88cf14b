"""The reliability suite's marker; Hypothesis keeps its files in a temp dir (the API ``client``
fixture comes from ``tests/conftest.py``)."""

import tempfile

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

# The exactly-once checks live in a helper module: rewritten like a test's, a failure shows the
# records it found (a bare AssertionError hid which tool held a duplicate).
pytest.register_assert_rewrite("tests.reliability.exactly_once")

set_hypothesis_home_dir(tempfile.mkdtemp(prefix="projecthub-hypothesis-"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: starts real server processes (tens of seconds)")


from tests.reliability.processes import redis_url, sandbox_server  # noqa: E402, F401  (fixtures)
