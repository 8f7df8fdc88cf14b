"""Importing existing projects (capability 6): list what the connected tools already have,
suggest matches across tools by key and name, and create linked ProjectHub projects in bulk."""

from projecthub.services.project_import.candidates import (
    Candidate,
    ConnectionRef,
    Listing,
    ListingProblem,
    import_connections,
    list_candidates,
    mark_linked,
    project_keys,
)
from projecthub.services.project_import.importer import (
    ChunkResult,
    ImportFailure,
    check_connections,
    import_chunk,
)
from projecthub.services.project_import.job import (
    CHUNK_SIZE,
    ImportReport,
    chunks,
    import_committed,
    merge,
    run_import,
)
from projecthub.services.project_import.matching import Proposal, search, suggest

__all__ = [
    "CHUNK_SIZE",
    "Candidate",
    "ChunkResult",
    "ConnectionRef",
    "ImportFailure",
    "ImportReport",
    "Listing",
    "ListingProblem",
    "Proposal",
    "check_connections",
    "chunks",
    "import_chunk",
    "import_committed",
    "import_connections",
    "list_candidates",
    "mark_linked",
    "merge",
    "project_keys",
    "run_import",
    "search",
    "suggest",
]
