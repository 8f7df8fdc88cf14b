"""requirements.lock from and against pyproject.toml: ``lock`` (scripts/lock), ``check``
(standard library only, so the setup scripts run it before installing anything) and
``audit-offline``, the lock against the ``safety-db`` package's advisory snapshot
(scripts/audit)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "requirements.lock"
STAMP = "# inputs-sha256: "
LOCKED_EXTRAS = ("dev",)
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)
NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_inputs() -> list[str]:
    """What the lock is made from: the app's dependencies, the locked extras, the build backend."""
    project = tomllib.loads(PYPROJECT.read_text())
    extras = project["project"].get("optional-dependencies", {})
    requirements: list[str] = [
        *project["project"]["dependencies"],
        *(req for extra in LOCKED_EXTRAS for req in extras.get(extra, [])),
        *project["build-system"]["requires"],
    ]
    return requirements


def inputs_digest() -> str:
    return hashlib.sha256(json.dumps(lock_inputs()).encode()).hexdigest()


def locked_pins(text: str) -> dict[str, str]:
    return {_normalize(name): version for name, version in PIN.findall(text)}


def check() -> int:
    """Fail, saying what to do, when pyproject.toml's dependencies changed since the last lock."""
    if not LOCK.exists():
        print("requirements.lock is missing: run scripts/lock", file=sys.stderr)
        return 1
    text = LOCK.read_text()
    if f"{STAMP}{inputs_digest()}" in text.splitlines():
        return 0
    pins = locked_pins(text)
    missing = sorted({m.group(1) for req in lock_inputs() if (m := NAME.match(req))
                      and _normalize(m.group(1)) not in pins})
    detail = f" (not in the lock: {', '.join(missing)})" if missing else ""
    print(f"requirements.lock does not match the dependencies in pyproject.toml{detail}.\n"
          "Run scripts/lock and commit requirements.lock with pyproject.toml.", file=sys.stderr)
    return 1


def lock(uv_options: list[str]) -> int:
    """uv resolves for every platform, Python 3.11 up, keeping the pins that still fit; then the
    lock records which dependencies it was made from, for ``check``."""
    uv = shutil.which("uv", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    if uv is None:
        print("uv is missing: python -m pip install uv", file=sys.stderr)
        return 1
    extras = [option for extra in LOCKED_EXTRAS for option in ("--extra", extra)]
    build_system = tomllib.loads(PYPROJECT.read_text())["build-system"]
    build = "".join(f"{req}\n" for req in build_system["requires"])
    status = subprocess.run(
        [uv, "pip", "compile", "--quiet", "pyproject.toml", "-", *extras, "--generate-hashes",
         "--universal", "--python-version", "3.11", "--custom-compile-command", "scripts/lock",
         "--output-file", LOCK.name, *uv_options],
        cwd=ROOT, input=build, text=True, check=False).returncode
    if status:
        return status
    lines = [line for line in LOCK.read_text().splitlines() if not line.startswith(STAMP)]
    lines.insert(2, f"{STAMP}{inputs_digest()}")
    LOCK.write_text("\n".join(lines) + "\n")
    return 0


def audit_offline(lock_file: Path = LOCK) -> int:
    """Every pin against safety-db's snapshot: finds only advisories published by its date."""
    from importlib.util import find_spec

    from packaging.specifiers import SpecifierSet

    # Read the data file: the package's __init__ opens it relative to the working directory.
    spec = find_spec("safety_db")
    if spec is None or not spec.submodule_search_locations:
        print("safety-db is not installed (it is in the dev extra)", file=sys.stderr)
        return 1
    data = Path(spec.submodule_search_locations[0]) / "insecure_full.json"
    database = json.loads(data.read_text())
    meta = database.pop("$meta", {})
    advisories = {_normalize(name): entries for name, entries in database.items()}
    pins = locked_pins(lock_file.read_text())
    found = [(name, version, entry) for name, version in sorted(pins.items())
             for entry in advisories.get(name, [])
             if any(version in SpecifierSet(spec) for spec in entry["specs"])]
    for name, version, entry in found:
        print(f"{name}=={version}: {entry['id']} {entry.get('cve') or ''}\n"
              f"  {entry['advisory']}")
    print(f"{len(pins)} pins checked against safety-db's snapshot of "
          f"{_snapshot_date(meta)}: {len(found)} known vulnerabilities")
    return 1 if found else 0


def _snapshot_date(meta: dict[str, object]) -> str:
    from datetime import UTC, datetime

    timestamp = meta.get("timestamp")
    if not isinstance(timestamp, int):
        return "unknown date"
    return datetime.fromtimestamp(timestamp, UTC).date().isoformat()


if __name__ == "__main__":
    command, options = (sys.argv[1:2] or [""])[0], sys.argv[2:]
    if command == "lock":
        sys.exit(lock(options))
    if command == "check" and not options:
        sys.exit(check())
    if command == "audit-offline" and len(options) <= 1:
        sys.exit(audit_offline(Path(options[0]) if options else LOCK))
    sys.exit(f"usage: {sys.argv[0]} lock [uv pip compile options] | check | audit-offline [LOCK]")
