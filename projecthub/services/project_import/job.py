"""An import of many projects, committed chunk by chunk: each chunk is one transaction (bulk
inserts, one flush), so 300 projects are a handful of commits, a chunk that fails loses only
itself (its proposals are listed as failed, the others stay), and progress can be shown between
chunks."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.exc import SQLAlchemyError

from projecthub.core.db import unit_of_work
from projecthub.services.principal import Principal
from projecthub.services.project_import.importer import ChunkResult, ImportFailure, import_chunk
from projecthub.services.project_import.matching import Proposal
from projecthub.services.scoping import act_as
from projecthub.services.tool_clients import SessionFactory
from projecthub.services.views import View

CHUNK_SIZE = 50


class ImportReport(View):
    requested: int
    created: int
    failures: tuple[ImportFailure, ...]
    unmatched_emails: tuple[str, ...]


def import_committed(session_factory: SessionFactory, principal: Principal,
                     chunk: Sequence[Proposal]) -> ChunkResult:
    """One chunk in its own transaction; a database failure fails the chunk's proposals only."""
    try:
        with unit_of_work(session_factory) as session:
            act_as(session, principal)
            return import_chunk(session, principal, chunk)
    except SQLAlchemyError as exc:
        reason = f"Could not be saved ({type(exc).__name__}); try again."
        return ChunkResult(failures=tuple(ImportFailure(key=p.key, name=p.name, reason=reason)
                                          for p in chunk))


def chunks(proposals: Sequence[Proposal], size: int = CHUNK_SIZE) -> list[Sequence[Proposal]]:
    return [proposals[i:i + size] for i in range(0, len(proposals), size)]


def merge(requested: int, results: Sequence[ChunkResult]) -> ImportReport:
    return ImportReport(
        requested=requested, created=sum(len(r.created) for r in results),
        failures=tuple(f for r in results for f in r.failures),
        unmatched_emails=tuple(dict.fromkeys(e for r in results for e in r.unmatched_emails)))


def run_import(session_factory: SessionFactory, principal: Principal,
               proposals: Sequence[Proposal], *, chunk_size: int = CHUNK_SIZE,
               progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Every chunk in turn; ``progress(done, total)`` after each."""
    results: list[ChunkResult] = []
    done = 0
    for chunk in chunks(proposals, chunk_size):
        results.append(import_committed(session_factory, principal, chunk))
        done += len(chunk)
        if progress is not None:
            progress(done, len(proposals))
    return merge(len(proposals), results)
