"""Alembic environment: the URL comes from ProjectHub settings (or the caller), the metadata from
``projecthub.models``. ``alembic upgrade head`` is the only way the schema is made."""

from __future__ import annotations

from logging.config import fileConfig

from sqlalchemy import engine_from_config, pool
from sqlmodel import SQLModel

import projecthub.models  # noqa: F401  (registers every table on the metadata)
from alembic import context
from projecthub.core.config import settings
from projecthub.core.migrations import is_ours

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def _url() -> str:
    return config.attributes.get("database_url") or settings.DATABASE_URL


def run_migrations_offline() -> None:
    url = _url()
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True,
                      compare_type=True, render_as_batch=url.startswith("sqlite"),
                      include_name=is_ours)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = _url()
    connectable = engine_from_config({"sqlalchemy.url": url}, prefix="sqlalchemy.",
                                     poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          compare_type=True, render_as_batch=url.startswith("sqlite"),
                          include_name=is_ours)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
