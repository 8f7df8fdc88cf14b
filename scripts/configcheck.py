"""Used by scripts/serve: refuse to start, with one readable line per problem, when the settings
would fail later (or fail closed at import with a traceback). Never prints a setting's value."""

from __future__ import annotations

import sys

from pydantic import ValidationError


def problems() -> list[str]:
    try:
        from projecthub.core.config import settings
    except ValidationError as exc:
        return [_describe(error) for error in exc.errors()]
    from projecthub.core.crypto import KeyRing

    try:
        KeyRing(tuple(settings.key_ring))
    except ValueError:  # also a key that is not base64
        return ["PROJECTHUB_SECRET_KEYS: each key must be the base64url encoding of 32 random "
                "bytes (see README, Deploying)"]
    return []


def _describe(error: object) -> str:
    """Where and what, from a pydantic error; its ``input`` may be a secret and is left out."""
    assert isinstance(error, dict)
    where = ".".join(str(part) for part in error.get("loc", ()))
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    return f"PROJECTHUB_{where}: {message}" if where else message


def main() -> int:
    found = problems()
    for problem in found:
        print(f"refusing to start: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
