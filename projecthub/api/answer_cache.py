"""Serialized answers kept in process, exact by construction: a key holds everything the answer
depends on, including the organization's data version, which database triggers move in the
same transaction as every change the answer can show (migration 0019). A change is therefore
a new key at the very next request; an old key is never asked for again and ages out.

Who may see what is part of the key (``visibility``): one tenant's or one member's answer can
only be found with their own key. The ETag is the answer's hash, so it changes exactly when the
bytes do. A kept answer is sent with its headers encoded once, when it was made."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from starlette.responses import Response

from projecthub.models import Role
from projecthub.services.principal import Principal

# Answers differ per person (``visibility``) and must be revalidated with their ETag.
CACHE_CONTROL = "private, no-cache"

RawHeaders = list[tuple[bytes, bytes]]


@dataclass(frozen=True)
class Answer:
    body: bytes
    etag: str  # strong, quoted, as sent in the ETag header
    # The 200's and the 304's headers, encoded as Starlette would encode them for each request.
    _full: RawHeaders = field(init=False, repr=False, compare=False)
    _unchanged: RawHeaders = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        headers = {"ETag": self.etag, "Cache-Control": CACHE_CONTROL}
        object.__setattr__(self, "_full", Response(
            self.body, media_type="application/json", headers=headers).raw_headers)
        object.__setattr__(self, "_unchanged", Response(
            status_code=304, headers=headers).raw_headers)

    def matches(self, if_none_match: str) -> bool:
        """Whether an ``If-None-Match`` header names this answer (``*`` or a list of tags)."""
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return self.etag in tags or "*" in tags

    def response(self, if_none_match: str | None) -> Response:
        """The answer, or 304 when ``If-None-Match`` names it."""
        if if_none_match and self.matches(if_none_match):
            return _Kept(304, b"", self._unchanged)
        return _Kept(200, self.body, self._full)


class _Kept(Response):
    """A response whose headers are already encoded (``Response`` encodes them per request)."""

    def __init__(self, status_code: int, body: bytes, raw_headers: RawHeaders) -> None:
        self.status_code = status_code
        self.body = body
        self.background = None
        # A copy: middleware adds its own headers to the list it is sent.
        self.raw_headers = raw_headers.copy()


def visibility(principal: Principal) -> Hashable:
    """Who sees the same answers: admins and owners every project of the organization (the
    role is in the key all the same), members and viewers only their own projects."""
    if principal.has_role(Role.ADMIN):
        return ("role", principal.role.value)
    return ("user", principal.user_id)


class AnswerCache:
    """A least-recently-used map of answers, bounded by their total size; thread-safe (answers
    are built in worker threads)."""

    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._bytes = 0
        self._answers: OrderedDict[Hashable, Answer] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Answer | None:
        """The answer kept for ``key``, if any (marked as recently used)."""
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
            return found

    def answer(self, key: Hashable, build: Callable[[], bytes]) -> Answer:
        """The answer kept for ``key``, or ``build()``'s, kept. Two requests missing the same
        key at once both build it: the same bytes, and no lock held while the database works."""
        found = self.get(key)
        if found is not None:
            return found
        body = build()
        made = Answer(body, f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"')
        if len(body) <= self._max_bytes:
            with self._lock:
                self._keep(key, made)
        return made

    def _keep(self, key: Hashable, answer: Answer) -> None:
        old = self._answers.pop(key, None)
        self._bytes -= len(old.body) if old else 0
        self._answers[key] = answer
        self._bytes += len(answer.body)
        while self._bytes > self._max_bytes:
            _, dropped = self._answers.popitem(last=False)
            self._bytes -= len(dropped.body)

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._answers)
