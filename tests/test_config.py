"""Fail-closed configuration (issue 10, finding 9): a production build is production unless told
otherwise, and the development key file is never readable by anyone but its owner."""

from __future__ import annotations

import contextlib
import os
import stat

import click
import pytest
from pydantic import ValidationError

from projecthub.core import config
from projecthub.core.config import Settings


@pytest.fixture
def bare_environment(monkeypatch):  # type: ignore[no-untyped-def]
    for name in ("PROJECTHUB_ENV", "PROJECTHUB_SECRET_KEYS", "PROJECTHUB_ALLOWED_ORIGINS",
                 "REFLEX_ENV_MODE"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("bare_environment")
def test_a_production_build_without_projecthub_env_refuses_to_start_unconfigured(monkeypatch):
    monkeypatch.setenv("REFLEX_ENV_MODE", "prod")
    with pytest.raises(ValidationError, match="SECRET_KEYS must be set"):
        Settings()
    monkeypatch.setenv("PROJECTHUB_SECRET_KEYS", "a" * 43)
    monkeypatch.setenv("PROJECTHUB_ALLOWED_ORIGINS", "https://hub.example")
    configured = Settings()
    assert configured.is_production and configured.cookie_secure
    assert not configured.sandbox_enabled


@pytest.mark.usefixtures("bare_environment")
def test_a_local_trial_of_the_production_build_says_development_explicitly(monkeypatch):
    monkeypatch.setenv("REFLEX_ENV_MODE", "prod")
    monkeypatch.setenv("PROJECTHUB_ENV", "development")
    assert not Settings().is_production
    monkeypatch.delenv("PROJECTHUB_ENV")
    monkeypatch.setenv("REFLEX_ENV_MODE", "dev")
    assert not Settings().is_production


@pytest.mark.usefixtures("bare_environment")
def test_rxconfig_announces_reflex_run_env_prod_before_settings_are_read():
    import rxconfig

    with click.Context(click.Command("run")) as context:
        context.params["env"] = "prod"
        rxconfig._announce_build_mode()
    assert os.environ["REFLEX_ENV_MODE"] == "prod"


@pytest.fixture
def key_file(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    path = tmp_path / ".projecthub-dev-keys"
    monkeypatch.setattr(config, "DEV_KEY_FILE", path)
    return path


class _Died(Exception):
    """The process stopping between two system calls."""


def test_development_key_file_is_owner_only_from_its_first_byte(key_file, monkeypatch):
    def die(*_args: object) -> None:
        raise _Died

    monkeypatch.setattr(os, "chmod", die)  # a later chmod would come too late
    previous = os.umask(0o022)
    try:
        with contextlib.suppress(_Died):
            config._development_key()
    finally:
        os.umask(previous)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert config._development_key() == config._development_key()


def test_development_key_is_never_written_through_a_planted_link(key_file, tmp_path):
    target = tmp_path / "attacker-readable"
    key_file.symlink_to(target)
    with pytest.raises(OSError):
        config._development_key()
    assert not target.exists()


def test_domains_signup_policy_needs_domains(monkeypatch):
    monkeypatch.setenv("PROJECTHUB_ENV", "development")
    monkeypatch.setenv("PROJECTHUB_SIGNUP", "domains")
    with pytest.raises(ValueError, match="PROJECTHUB_SIGNUP_DOMAINS"):
        Settings()
    monkeypatch.setenv("PROJECTHUB_SIGNUP_DOMAINS", "acme.example, beta.example")
    assert Settings().SIGNUP_DOMAINS == ["acme.example", "beta.example"]
