"""Worker processes for the batch command that lose no finished work.

Each worker is a fresh interpreter (spawn: it inherits no other worker's pipe) that gets a
chunk of inputs over its pipe and sends back each result as soon as it has it. The parent
therefore knows which input a worker was deciding when it died: that input is tried once
more on a new worker and recorded as an error if it is lost again; the rest of the chunk is
simply sent again. Workers exit when the parent dies (the kernel signals them, and their
pipe reaches end-of-file), ignore Ctrl-C (the parent stops them), and results come back in
input order through a bounded reorder buffer.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from ..errors import Problem
from . import CHUNK, BatchInput, BatchResult, Keuzes, error_result, evaluate_one

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Linux: have the kernel send SIGKILL to this process when its parent dies."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def worker_main(conn: Connection, regels: str, keuzes: Keuzes, parent: int) -> None:
    """A worker's life: chunks in, one result per input out, until the pipe closes."""
    import os

    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops us
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})  # held while we started
    if os.getppid() != parent:  # the parent died before we could ask to be told
        return
    chosen: dict[Any, Any] = {}
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            return
        if chunk is None:
            return
        for item in chunk:
            result = evaluate_one(regels, keuzes, item, chosen)
            try:
                conn.send(result)
            except (BrokenPipeError, OSError):
                return


@dataclass
class _Worker:
    process: Any
    conn: Connection
    chunk: deque[BatchInput] = field(default_factory=deque)


class WorkerPool:
    """`workers` processes deciding `inputs`; `results()` yields them in input order."""

    def __init__(self, regels: str, keuzes: Keuzes, workers: int, chunk_size: int = CHUNK):
        import os

        self.regels = regels
        self.keuzes = keuzes
        self.size = workers
        self.chunk_size = chunk_size
        self.context = multiprocessing.get_context("spawn")
        self.parent = os.getpid()
        self.workers: list[_Worker] = []
        self.attempts: dict[int, int] = {}
        self.lost: list[str] = []

    def _start(self) -> _Worker:
        parent_end, child_end = self.context.Pipe()
        process = self.context.Process(
            target=worker_main,
            args=(child_end, self.regels, self.keuzes, self.parent),
            daemon=True,
        )
        # a stop signal is held back while the child is handed its start-up data, so a
        # half-started worker never dies with a traceback of its own
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        child_end.close()
        worker = _Worker(process, parent_end)
        self.workers.append(worker)
        return worker

    def close(self) -> None:
        """Stop every worker (also on Ctrl-C or an error)."""
        for worker in self.workers:
            with contextlib.suppress(OSError):
                worker.conn.close()
            if worker.process.is_alive():
                worker.process.terminate()
        for worker in self.workers:
            worker.process.join(timeout=5)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(timeout=5)
        self.workers = []

    def results(
        self, inputs: Iterable[BatchInput], progress: Callable[[int], None] | None = None
    ) -> Iterator[BatchResult]:
        source = iter(inputs)
        queue: deque[BatchInput] = deque()  # inputs to (re)send, in input order
        done: dict[int, BatchResult] = {}
        next_index = 0
        exhausted = False
        limit = self.size * self.chunk_size * 8  # results held back for order, at most

        def fill() -> None:
            nonlocal exhausted
            while not exhausted and len(queue) < self.chunk_size:
                item = next(source, None)
                if item is None:
                    exhausted = True
                else:
                    queue.append(item)

        while True:
            fill()
            for worker in list(self.workers):
                if (
                    not worker.chunk
                    and queue
                    and (len(done) < limit or queue[0].index == next_index)
                ):
                    self._send(worker, queue)
            while (
                len(self.workers) < self.size
                and queue
                and (len(done) < limit or queue[0].index == next_index)
            ):
                self._send(self._start(), queue)
            while next_index in done:
                result = done.pop(next_index)
                next_index += 1
                if progress:
                    progress(1)
                yield result
            busy = [w for w in self.workers if w.chunk]
            if not busy:
                if exhausted and not queue:
                    return
                continue
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy])
            for worker in busy:
                if worker.conn in ready:
                    self._receive(worker, done)
            for worker in busy:
                if worker.process.sentinel in ready and not worker.process.is_alive():
                    self._receive(worker, done)  # results it sent before it died
                    self._lost_worker(worker, queue, done)

    def _send(self, worker: _Worker, queue: deque[BatchInput]) -> None:
        chunk = [queue.popleft() for _ in range(min(self.chunk_size, len(queue)))]
        worker.chunk.extend(chunk)
        with contextlib.suppress(OSError):  # its death is seen through its sentinel
            worker.conn.send(chunk)

    def _receive(self, worker: _Worker, done: dict[int, BatchResult]) -> None:
        while worker.chunk:
            try:
                if not worker.conn.poll():
                    return
                result: BatchResult = worker.conn.recv()
            except (EOFError, OSError):
                return
            expected = worker.chunk.popleft()
            done[expected.index] = result

    def _lost_worker(
        self, worker: _Worker, queue: deque[BatchInput], done: dict[int, BatchResult]
    ) -> None:
        self.workers.remove(worker)
        with contextlib.suppress(OSError):
            worker.conn.close()
        code = worker.process.exitcode
        self.lost.append(f"worker {worker.process.pid} stopte (exitcode {code})")
        if not worker.chunk:
            return
        culprit = worker.chunk.popleft()
        tries = self.attempts.get(culprit.index, 0) + 1
        self.attempts[culprit.index] = tries
        retry = deque(worker.chunk)
        if tries >= 2:
            problem = Problem(
                culprit.bron,
                None,
                None,
                "",
                f"verwerking afgebroken: het proces dat deze casus beoordeelde stopte "
                f"(exitcode {code}), ook bij een nieuwe poging",
            )
            done[culprit.index] = error_result(culprit, "verwerking", [problem])
        else:
            retry.appendleft(culprit)
        if retry:  # tried again on a fresh worker
            self._send(self._start(), retry)
