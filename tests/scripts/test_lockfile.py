"""scripts/lockfile.py: the setup scripts refuse a lock that pyproject.toml has moved away from,
and the offline audit flags a pinned version with a known advisory."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def lockfile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The script's module, pointed at copies of pyproject.toml and requirements.lock."""
    spec = importlib.util.spec_from_file_location("lockfile", ROOT / "scripts" / "lockfile.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("pyproject.toml", "requirements.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    monkeypatch.setattr(module, "PYPROJECT", tmp_path / "pyproject.toml")
    monkeypatch.setattr(module, "LOCK", tmp_path / "requirements.lock")
    return module


def test_the_committed_lock_matches_pyproject(lockfile):
    assert lockfile.check() == 0


def test_a_dependency_added_without_relocking_is_refused_by_name(lockfile, capsys):
    pyproject = lockfile.PYPROJECT.read_text()
    lockfile.PYPROJECT.write_text(pyproject.replace('dependencies = [\n',
                                                    'dependencies = [\n    "Left_Pad>=1",\n', 1))
    assert lockfile.check() == 1
    message = capsys.readouterr().err
    assert "not in the lock: Left_Pad" in message and "scripts/lock" in message


def test_a_raised_lower_bound_is_refused(lockfile):
    pyproject = lockfile.PYPROJECT.read_text()
    lockfile.PYPROJECT.write_text(pyproject.replace('"alembic>=1.13"', '"alembic>=99"'))
    assert lockfile.check() == 1


def test_tool_settings_do_not_invalidate_the_lock(lockfile):
    lockfile.PYPROJECT.write_text(lockfile.PYPROJECT.read_text() + "\n[tool.example]\nx = 1\n")
    assert lockfile.check() == 0


def test_the_offline_audit_flags_a_pin_with_a_known_advisory(lockfile, tmp_path, capsys):
    assert lockfile.audit_offline() == 0
    vulnerable = tmp_path / "vulnerable.lock"
    vulnerable.write_text("urllib3==1.24.1 \\\n    --hash=sha256:00\nidna==3.7\n")
    assert lockfile.audit_offline(vulnerable) == 1
    assert "urllib3==1.24.1: pyup.io-" in capsys.readouterr().out
