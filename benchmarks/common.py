"""What every benchmark shares: a fresh migrated database, a table printer, a few statistics and
a description of the machine the figures were measured on."""

from __future__ import annotations

import argparse
import platform
import secrets
import statistics
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

import psutil
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from projecthub.core.db import configure_engine
from projecthub.core.migrations import upgrade_database

T = TypeVar("T")
POSTGRES_ADMIN_URL = "postgresql+psycopg://root@127.0.0.1:5432/postgres"
DATABASES = ("sqlite", "postgresql")


def machine() -> str:
    """Cores, memory and Python: every printed figure is only meaningful next to these."""
    memory = psutil.virtual_memory().total / 2**30
    return (f"{psutil.cpu_count()} cores, {memory:.0f} GiB, Python "
            f"{platform.python_version()}, {platform.system()} {platform.machine()}")


def add_database_options(parser: argparse.ArgumentParser, *, default: str = "sqlite") -> None:
    parser.add_argument("--db", choices=(*DATABASES, "both"), default=default,
                        help="database to run against (a fresh one, migrated with alembic)")
    parser.add_argument("--postgres-url", default=POSTGRES_ADMIN_URL,
                        help="an admin URL of the PostgreSQL server (a database is created)")


def chosen_databases(args: argparse.Namespace) -> list[str]:
    return list(DATABASES) if args.db == "both" else [args.db]


@contextmanager
def fresh_database(kind: str, postgres_admin_url: str = POSTGRES_ADMIN_URL) -> Iterator[str]:
    """A new database built by ``alembic upgrade head``, dropped afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="projecthub-bench-") as folder:
            url = f"sqlite:///{folder}/bench.db"
            upgrade_database(url)
            yield url
        return
    admin_url = make_url(postgres_admin_url)
    name = f"projecthub_bench_{secrets.token_hex(4)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = admin_url.set(database=name).render_as_string(hide_password=False)
        upgrade_database(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def engine_for(url: str) -> Engine:
    """The app's own engine setup (SQLite pragmas, pool pre-ping), made the process default."""
    return configure_engine(url)


def profiled(path: str, work: Callable[[], T]) -> T:
    """Run ``work``, under pyinstrument when ``path`` is given (its text report goes there)."""
    if not path:
        return work()
    from pyinstrument import Profiler

    profiler = Profiler(async_mode="enabled")
    profiler.start()
    try:
        return work()
    finally:
        profiler.stop()
        with open(path, "w") as out:
            out.write(profiler.output_text(unicode=False, color=False))
        print(f"profile written to {path}")


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A plain fixed-width table (numbers right-aligned), readable in a terminal and a README."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
              for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row, raw in zip(cells, rows, strict=True):
        print("  ".join(c.rjust(w) if isinstance(v, int | float) else c.ljust(w)
                        for c, w, v in zip(row, widths, raw, strict=True)))


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


__all__ = ["DATABASES", "POSTGRES_ADMIN_URL", "add_database_options", "chosen_databases",
           "engine_for", "fresh_database", "machine", "median", "percentile", "print_table",
           "profiled"]
