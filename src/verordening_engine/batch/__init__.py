"""Evaluate many cases: every input gives exactly one output record, in input order.

An input is a JSON Lines line, a case file in a folder, or a case dict from a caller. Its
record is the decision document, or an error record (schema `batchfout.schema.json`) with
where the input came from and its located problems: a line that is not UTF-8, not JSON, too
deep or too large, an unreadable file, an invalid case, a rule fault, a lost worker. Reading
and evaluating happen per input, so no single input can end the run.

`evaluate_many` runs on any `concurrent.futures.Executor` (process pool, Dask) with a bounded
number of chunks in flight; the CLI uses `batch.workers`, which also survives killed workers.
"""

from __future__ import annotations

import json
import os
import stat
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, BinaryIO, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..errors import EvaluationError, Problem, VerordeningError, fail, printable
from ..reading.yaml_loading import (
    MAX_BYTES,
    LocatedDocument,
    decode_utf8,
    parse_json,
    parse_text,
    read_bytes,
)
from ..regels.location import resolve_regels
from .lines import json_line

CHUNK = 64
MAX_INPUT_BYTES = 1 << 30  # a JSON Lines input larger than this is refused (exit 2)
BINARY_PROBE = 8192  # a NUL byte in the first bytes: not a text file

Soort = Literal["invoer", "regels", "verwerking"]


class Probleem(BaseModel):
    """One located problem of an input."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bestand: str
    regel: int | None = Field(description="line in the case file, 1-based")
    kolom: int | None
    veld: str
    melding: str


class BatchFout(BaseModel):
    """The output record of an input that gave no decision."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    casus: str | None = Field(description="the case's name, when it could be read")
    bron: str = Field(description="where the input came from: file:line, or the case file")
    regel: int | None = Field(description="line in the JSON Lines input, 1-based")
    bestand: str | None = Field(description="the case file, for a folder of cases")
    soort: Soort = Field(
        description="invoer: the input is invalid; regels: a rule fault; verwerking: the "
        "input was lost (its worker stopped twice) or the engine failed"
    )
    fouten: list[str] = Field(description="the problems as printed lines")
    problemen: list[Probleem]


@dataclass(frozen=True)
class BatchInput:
    """One input: raw bytes to parse (a line or a file), or a case a caller already has."""

    index: int
    bron: str
    regel: int | None = None
    bestand: str | None = None
    raw: bytes | None = None
    form: Literal["json", "yaml"] = "json"
    case: Any = None
    problems: tuple[Problem, ...] = ()  # reading it failed already


@dataclass(frozen=True)
class BatchResult:
    """The outcome for one input: its decision document as JSON, or an error record.

    The document travels as its JSON Lines text, made where it was decided (a worker), so
    the process that writes the output passes text on instead of rebuilding it;
    `document` parses it on first use.
    """

    index: int
    casus: str | None
    text: str | None  # the decision document as one JSON line, None for an error record
    error: list[str] | None
    record: dict[str, Any] | None = field(default=None, compare=False)

    @cached_property
    def document(self) -> dict[str, Any] | None:
        """The decision document as JSON data (None for an error record)."""
        return json.loads(self.text) if self.text is not None else None

    def as_json_line(self) -> str:
        if self.text is not None:
            return self.text
        return json.dumps(self.record, ensure_ascii=False, sort_keys=False)


def error_result(
    item: BatchInput, soort: Soort, problems: Sequence[Problem], casus: str | None = None
) -> BatchResult:
    """The error record of `item`."""
    record = BatchFout(
        casus=printable(casus, 200) if casus else None,
        bron=item.bron,
        regel=item.regel,
        bestand=item.bestand,
        soort=soort,
        fouten=[str(p) for p in problems],
        problemen=[
            Probleem(bestand=p.file, regel=p.line, kolom=p.column, veld=p.field, melding=p.message)
            for p in problems
        ],
    )
    return BatchResult(
        item.index, record.casus, None, record.fouten, record.model_dump(mode="json")
    )


def _case_name(data: Any) -> str | None:
    name = data.get("casus") if isinstance(data, Mapping) else None
    return name if isinstance(name, str) else None


def _read(item: BatchInput, regels: str, versie: str | None) -> tuple[Any, LocatedDocument]:
    from ..api import checked_case, read_case

    if item.raw is not None:
        text = decode_utf8(item.raw, item.bron)
        parse = parse_json if item.form == "json" else parse_text
        doc = parse(text, item.bron)
        if not isinstance(doc.data, dict):
            raise VerordeningError([doc.problem((), "expected a case: a mapping of keys")])
        return checked_case(doc, regels, versie), doc
    return read_case(item.case, regels=regels, versie=versie)


@dataclass(frozen=True)
class Keuzes:
    """How every case of a run is decided; sent to each worker as it is (picklable)."""

    versie: str | None = None  # else each case's own `versie:`, else the one in force
    buiten_geldigheid: bool = False  # what-if: a peildatum outside the version's validity
    alternatieven: bool = True  # what would change the outcome (costly; not for regression)
    explain: bool = True  # False: decisions only, `artikelen` left empty (the fast path)


def evaluate_one(
    regels: str, keuzes: Keuzes, item: BatchInput, chosen: dict[Any, Any]
) -> BatchResult:
    """Read and decide one input; every failure becomes its error record."""
    from ..api import load_regelset

    if item.problems:
        return error_result(item, "invoer", item.problems)
    name = _case_name(item.case)
    try:
        casus, doc = _read(item, regels, keuzes.versie)
        name = casus.casus
        wanted = keuzes.versie or casus.versie  # --versie overrides the case's own versie:
        key = wanted or casus.peildatum
        if key not in chosen:
            chosen[key] = load_regelset(regels, versie=wanted, peildatum=casus.peildatum)
        document = chosen[key].evaluate_casus(
            casus,
            doc,
            buiten_geldigheid=keuzes.buiten_geldigheid,
            alternatieven=keuzes.alternatieven,
            explain=keuzes.explain,
            validated=True,
        )
        return BatchResult(item.index, casus.casus, json_line(document), None)
    except VerordeningError as exc:
        return error_result(item, "invoer", exc.problems, name)
    except EvaluationError as exc:
        problem = Problem(item.bron, None, None, "", f"fout in de regels: {exc}")
        return error_result(item, "regels", [problem], name)
    except Exception as exc:  # a bug or a resource limit: still this input's own record
        problem = Problem(item.bron, None, None, "", f"interne fout ({type(exc).__name__}): {exc}")
        return error_result(item, "verwerking", [problem], name)


def evaluate_inputs(regels: str, keuzes: Keuzes, chunk: Sequence[BatchInput]) -> list[BatchResult]:
    """Decide a chunk of inputs (the unit of work sent to a worker)."""
    # one version lookup per peildatum per chunk, not a walk of the regels tree per case
    chosen: dict[Any, Any] = {}
    return [evaluate_one(regels, keuzes, item, chosen) for item in chunk]


def as_inputs(cases: Iterable[Any]) -> Iterator[BatchInput]:
    for index, case in enumerate(cases):
        if isinstance(case, BatchInput):
            yield case
        else:
            yield BatchInput(index, f"casus {index + 1}", regel=index + 1, case=case)


def chunked(items: Iterable[BatchInput], size: int) -> Iterator[list[BatchInput]]:
    chunk: list[BatchInput] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _lost(chunk: Sequence[BatchInput], exc: BaseException) -> list[BatchResult]:
    out = []
    for item in chunk:
        problem = Problem(
            item.bron, None, None, "", f"verwerking mislukt, ook na een nieuwe poging: {exc!r}"
        )
        out.append(error_result(item, "verwerking", [problem], _case_name(item.case)))
    return out


def evaluate_many(
    cases: Iterable[Any],
    *,
    regels: str | Path | None = None,
    versie: str | None = None,
    executor: Executor | None = None,
    chunk_size: int = CHUNK,
    progress: Callable[[int], None] | None = None,
    in_flight: int = 8,
    buiten_geldigheid: bool = False,
    alternatieven: bool = True,
    explain: bool = True,
) -> Iterator[BatchResult]:
    """One result per case, in input order; a bad case yields an error record, the run goes on.

    With an executor at most `in_flight` chunks are pending at once (bounded memory), results
    stream as they complete, and a chunk whose worker was lost is tried once more, then
    recorded as errors. Each case is judged under `versie`, else its own `versie:`, else the
    version in force on its peildatum; a peildatum outside that version's validity is an
    error record unless `buiten_geldigheid`.
    """
    regels = str(resolve_regels(regels))
    keuzes = Keuzes(versie, buiten_geldigheid, alternatieven, explain)
    chunks = chunked(as_inputs(cases), chunk_size)
    if executor is None:
        for chunk in chunks:
            results = evaluate_inputs(regels, keuzes, chunk)
            if progress:
                progress(len(results))
            yield from results
        return
    pending: deque[tuple[list[BatchInput], Future[list[BatchResult]], int]] = deque()

    def submit(chunk: list[BatchInput], attempt: int) -> None:
        try:
            future = executor.submit(evaluate_inputs, regels, keuzes, chunk)
        except Exception as exc:  # a broken executor: the chunk cannot run anywhere
            future = Future()
            future.set_exception(exc)
        pending.append((chunk, future, attempt))

    for chunk in chunks:
        submit(chunk, 1)
        while len(pending) >= in_flight:
            yield from _next_done(pending, submit, progress)
    while pending:
        yield from _next_done(pending, submit, progress)


def _next_done(
    pending: deque[tuple[list[BatchInput], Future[list[BatchResult]], int]],
    submit: Callable[[list[BatchInput], int], None],
    progress: Callable[[int], None] | None,
) -> list[BatchResult]:
    chunk, future, attempt = pending[0]
    try:
        results = future.result()
    except Exception as exc:
        if attempt == 1:
            # tried once more, after the chunks already queued: order is kept by waiting
            pending.popleft()
            submit(chunk, 2)
            pending.rotate(1)  # the retried chunk goes back to the head
            return []
        results = _lost(chunk, exc)
    pending.popleft()
    if progress:
        progress(len(results))
    return results


# ------------------------------------------------------------------ reading inputs


def _input_problem(name: str, message: str) -> tuple[Problem, ...]:
    return (Problem(name, None, None, "", message),)


def read_folder(folder: Path) -> Iterator[BatchInput]:
    """Every YAML/JSON case file of a folder, sorted by name; unreadable ones as problems."""
    for index, path in enumerate(read_folder_names(folder)):
        name = str(path)
        form: Literal["json", "yaml"] = "yaml"  # JSON is YAML 1.2; YAML keeps positions
        try:
            mode = path.stat().st_mode
            if not stat.S_ISREG(mode):
                yield BatchInput(
                    index, name, bestand=name, problems=_input_problem(name, "not a regular file")
                )
                continue
            raw = read_bytes(path)
        except OSError as exc:
            problems = _input_problem(name, f"cannot read file: {exc.strerror or exc}")
            yield BatchInput(index, name, bestand=name, problems=problems)
            continue
        except VerordeningError as exc:
            yield BatchInput(index, name, bestand=name, problems=tuple(exc.problems))
            continue
        yield BatchInput(index, name, bestand=name, raw=raw, form=form)


def read_lines(handle: BinaryIO, name: str) -> Iterator[BatchInput]:
    """The lines of a JSON Lines stream, bounded by bytes read (not by stat()): a line over
    the size limit is an error record; a stream with NUL bytes at its start, or larger than
    MAX_INPUT_BYTES in all, is refused (VerordeningError, exit 2)."""
    index = 0
    total = 0
    number = 0
    while True:
        line = handle.readline(MAX_BYTES + 1)
        if not line:
            return
        number += 1
        total += len(line)
        if total - len(line) < BINARY_PROBE and b"\x00" in line[:BINARY_PROBE]:
            raise fail(name, "not a JSON Lines text file (NUL bytes)", line=number)
        too_long = len(line) > MAX_BYTES
        skipped = len(line)
        while len(line) > MAX_BYTES and not line.endswith(b"\n"):  # skip the rest, counted
            line = handle.readline(MAX_BYTES + 1)
            total += len(line)
            skipped += len(line)
            if not line:
                break
            if skipped > 8 * MAX_BYTES:
                raise fail(name, f"line larger than {8 * MAX_BYTES} bytes", line=number)
        if total > MAX_INPUT_BYTES:
            raise fail(name, f"input larger than {MAX_INPUT_BYTES} bytes", line=number)
        bron = f"{name}:{number}"
        if too_long:
            problems = _input_problem(bron, f"line longer than {MAX_BYTES} bytes")
            yield BatchInput(index, bron, regel=number, problems=problems)
        elif line.strip():
            yield BatchInput(index, bron, regel=number, raw=line)
        else:
            continue  # blank lines are not cases
        index += 1


def read_cases(path: str | Path) -> Iterator[BatchInput]:
    """The inputs of a JSON Lines file (or stream) or of a folder of case files."""
    source = Path(path)
    if source.is_dir():
        yield from read_folder(source)
        return
    try:
        handle = open(source, "rb")  # noqa: SIM115 - closed below, also when abandoned
    except OSError as exc:
        raise fail(str(source), f"cannot read file: {exc.strerror or exc}") from None
    with handle:
        try:
            yield from read_lines(handle, str(source))
        except OSError as exc:
            raise fail(str(source), f"cannot read file: {exc.strerror or exc}") from None


def input_size_hint(path: str | Path) -> int | None:
    """How many inputs a folder has (for progress); None for a stream of lines."""
    source = Path(path)
    if source.is_dir():
        return sum(1 for _ in read_folder_names(source))
    return None


def read_folder_names(folder: Path) -> Iterator[Path]:
    yield from sorted([*folder.glob("*.yaml"), *folder.glob("*.yml"), *folder.glob("*.json")])


def worker_count(requested: int) -> int:
    return max(1, min(requested, (os.cpu_count() or 1) * 4))
