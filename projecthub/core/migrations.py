"""Run Alembic programmatically (the CLI's ``migrate`` and the tests share this)."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config

from alembic import command

_ROOT = Path(__file__).resolve().parents[2]


def alembic_config(database_url: str | None = None) -> Config:
    config = Config(str(_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(_ROOT / "alembic"))
    config.attributes["configure_logging"] = False
    if database_url:
        config.attributes["database_url"] = database_url
    return config


def is_ours(name: str | None, type_: str, _parent_names: object) -> bool:
    """Alembic's ``include_name``: procrastinate's tables (migration 0007) are its own schema,
    installed from its SchemaManager, not described by our models."""
    return not (type_ == "table" and (name or "").startswith("procrastinate_"))


def upgrade_database(database_url: str | None = None, revision: str = "head") -> None:
    """Bring the database to ``revision``; the only way the schema is made."""
    command.upgrade(alembic_config(database_url), revision)
