"""Where batch records go: stdout, a pipe or device, or a file replaced only on success.

A regular file (or a new one) is written to a temporary file in the same folder and renamed
over the target when the run succeeded, with the mode a new file gets under the umask; on a
failure or interrupt the temporary file is removed. Anything else (stdout, a pipe, a FIFO,
/dev/stdout or another symlink) is written in place, never replaced. The target is opened
before any work starts, so an unwritable target is refused first; every write error (a full
disk, a closed pipe) is an OutputError, never ignored.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO

FLUSH_EVERY = 64


class OutputError(Exception):
    """The records could not be written (the message says where and why)."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class RecordSink:
    """Write JSON Lines records; `commit()` at the end, `abort()` on failure."""

    def __init__(self, target: Path | None) -> None:
        self.target = target
        self.temporary: Path | None = None
        self.handle: BinaryIO
        self.pending = 0
        self.name = "<stdout>" if target is None else str(target)
        try:
            if target is None:
                self.handle = sys.stdout.buffer
            elif self._in_place(target):
                self.handle = open(target, "wb")  # noqa: SIM115 - closed by commit/abort
            else:
                folder = target.parent if str(target.parent) else Path(".")
                fd, name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
                self.temporary = Path(name)
                os.fchmod(fd, 0o666 & ~_umask())
                self.handle = os.fdopen(fd, "wb")
        except (OSError, AttributeError, ValueError) as exc:
            raise OutputError(f"{self.name}: kan niet schrijven: {_reason(exc)}") from None

    @staticmethod
    def _in_place(target: Path) -> bool:
        """A target that must not be replaced: a symlink, or not a regular file."""
        try:
            info = target.lstat()
        except FileNotFoundError:
            return False
        return stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode)

    def write(self, line: str) -> None:
        try:
            self.handle.write(line.encode("utf-8", "backslashreplace") + b"\n")
            self.pending += 1
            if self.pending >= FLUSH_EVERY:
                self.handle.flush()
                self.pending = 0
        except (OSError, ValueError) as exc:
            raise OutputError(f"{self.name}: schrijven mislukt: {_reason(exc)}") from None

    def commit(self) -> None:
        """Flush (and for a file: fsync and rename over the target)."""
        try:
            self.handle.flush()
            if self.temporary is not None:
                os.fsync(self.handle.fileno())
                self.handle.close()
                assert self.target is not None
                os.replace(self.temporary, self.target)
                self.temporary = None
            elif self.target is not None:
                self.handle.close()
        except (OSError, ValueError) as exc:
            self.abort()
            raise OutputError(f"{self.name}: schrijven mislukt: {_reason(exc)}") from None

    def abort(self) -> None:
        """Drop a half-written file; never leave a temporary file behind."""
        if self.target is not None:
            with contextlib.suppress(OSError, ValueError):
                self.handle.close()
        if self.temporary is not None:
            with contextlib.suppress(OSError):
                self.temporary.unlink()
            self.temporary = None


def silence_stdout() -> None:
    """After stdout failed, point it at /dev/null so the exit does not fail on it again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
