"""Background work (docs/architecture.md §12): the background edge, as the API is the request
edge. Tasks (:mod:`.work`) and the periodic list (:mod:`.periodic`) run on procrastinate with
PostgreSQL (:mod:`.engine`) or in process with SQLite (:mod:`.local`); :mod:`.runtime` runs
them inside a web process or as ``projecthub worker``."""
