"""The Dockerfile and compose.yaml cannot be built here (no Docker daemon); what can be checked
without one is: every file they copy exists, the entrypoint is scripts/serve, and every
PROJECTHUB_ setting they pass is one the app reads (a typo would be silently ignored)."""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path

import yaml

from projecthub.core.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def _instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines
            if line and not line.startswith("#")]


def test_every_file_the_image_copies_from_the_repository_exists():
    copies = [shlex.split(args) for kind, args in _instructions() if kind == "COPY"]
    sources = [src for words in copies if not any(w.startswith("--from") for w in words)
               for src in [w for w in words if not w.startswith("--")][:-1]]
    assert "requirements.lock" in sources and "projecthub" in sources
    assert [s for s in sources if not (ROOT / s).exists()] == []


def test_the_image_runs_scripts_serve_as_a_user_who_is_not_root():
    instructions = _instructions()
    entrypoint = [json.loads(args) for kind, args in instructions if kind == "ENTRYPOINT"]
    assert entrypoint == [["scripts/serve"]]
    assert os.access(ROOT / "scripts" / "serve", os.X_OK)
    users = [args for kind, args in instructions if kind == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert sum(kind == "FROM" for kind, _ in instructions) == 2  # build, then a slim runtime


def test_compose_runs_postgres_redis_the_web_process_and_a_worker_with_real_settings():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "web", "worker"}
    web, worker = services["web"], services["worker"]
    assert web["environment"]["GRANIAN_WORKERS"] == "2"
    assert web["environment"]["PROJECTHUB_ENV"] == "production"
    assert web["environment"]["PROJECTHUB_WORKERS"] == "off"  # the worker service runs jobs
    assert worker["entrypoint"] == ["projecthub", "worker"]
    assert worker["environment"]["PROJECTHUB_DATABASE_URL"] == \
        web["environment"]["PROJECTHUB_DATABASE_URL"]
    fields = set(Settings.model_fields)
    for service in (web, worker):
        passed = {name.removeprefix("PROJECTHUB_") for name in service["environment"]
                  if name.startswith("PROJECTHUB_")}
        assert passed <= fields, passed - fields
