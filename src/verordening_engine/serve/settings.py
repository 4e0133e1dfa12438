"""What the service may use: which regels, the optional token, and its bounds."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problem, VerordeningError

MAX_BYTES = 1_000_000
MAX_BATCH_BYTES = 50_000_000
TIMEOUT_SECONDS = 10.0
MAX_CONCURRENT = 4
MAX_CONNECTIONS = 64


@dataclass(frozen=True)
class Limits:
    """Bounds on one request: its body, its time and how many are evaluated at once.

    `max_bytes` bounds a request body (a case is at most 2 MB in any case), `max_batch_bytes`
    the body of POST /v1/batch. `timeout` bounds one evaluation including the wait for a
    free slot (per case in a batch); `max_concurrent` evaluations run at a time and the rest
    wait. `max_connections` open connections: more get 503 from the server itself.
    """

    max_bytes: int = MAX_BYTES
    max_batch_bytes: int = MAX_BATCH_BYTES
    timeout: float = TIMEOUT_SECONDS
    max_concurrent: int = MAX_CONCURRENT
    max_connections: int = MAX_CONNECTIONS


@dataclass(frozen=True)
class Settings:
    regels: Path
    token: str | None = None
    limits: Limits = field(default_factory=Limits)


def read_token(path: Path) -> str:
    """The bearer token: the file's content without surrounding white space."""
    try:
        token = path.read_text("utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise VerordeningError(
            [Problem(str(path), None, None, "--token-file", f"cannot read the token: {exc}")]
        ) from None
    if len(token) < 16 or any(c.isspace() for c in token):
        raise VerordeningError(
            [
                Problem(
                    str(path),
                    None,
                    None,
                    "--token-file",
                    "the token must be at least 16 characters without white space",
                )
            ]
        )
    return token
