"""Evaluate many cases, in this process or spread over any `concurrent.futures.Executor`.

Workers receive a version folder and plain case dicts, load the regelset once per process
(the compiled cache is keyed by content hash) and return JSON-ready results, so the same
call runs on a local process pool or on Dask distributed (`client.get_executor()`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import EvaluationError, VerordeningError

CHUNK = 64


@dataclass(frozen=True)
class BatchResult:
    """The outcome for one case: its decision document as JSON, or a located error."""

    index: int
    casus: str | None
    document: dict[str, Any] | None
    error: list[str] | None

    def as_json_line(self) -> str:
        if self.document is not None:
            return json.dumps(self.document, ensure_ascii=False, sort_keys=False)
        return json.dumps(
            {"casus": self.casus, "regel": self.index + 1, "fouten": self.error}, ensure_ascii=False
        )


def _evaluate_chunk(
    regels: str,
    versie: str | None,
    chunk: Sequence[tuple[int, Mapping[str, Any]]],
    explain: bool = True,
) -> list[BatchResult]:
    from .api import Regelset, load_regelset, read_case

    out = []
    # one version lookup per peildatum per chunk, not a walk of the regels tree per case
    chosen: dict[Any, Regelset] = {}
    for index, case in chunk:
        name = case.get("casus") if isinstance(case, Mapping) else None
        try:
            casus, doc = read_case(case)
            key = versie or casus.peildatum
            if key not in chosen:
                chosen[key] = load_regelset(regels, versie=versie, peildatum=casus.peildatum)
            regelset = chosen[key]
            document = regelset.evaluate_casus(casus, doc, explain=explain)
            out.append(BatchResult(index, casus.casus, document.model_dump(mode="json"), None))
        except VerordeningError as exc:
            out.append(
                BatchResult(
                    index, str(name) if name else None, None, [str(p) for p in exc.problems]
                )
            )
        except EvaluationError as exc:
            out.append(BatchResult(index, str(name) if name else None, None, [str(exc)]))
    return out


def _chunks(cases: Iterable[Mapping[str, Any]], size: int) -> Iterator[list[tuple[int, Any]]]:
    chunk: list[tuple[int, Any]] = []
    for index, case in enumerate(cases):
        chunk.append((index, case))
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def evaluate_many(
    cases: Iterable[Mapping[str, Any]],
    *,
    regels: str | Path = "regels",
    versie: str | None = None,
    executor: Executor | None = None,
    chunk_size: int = CHUNK,
    progress: Callable[[int], None] | None = None,
    explain: bool = True,
) -> Iterator[BatchResult]:
    """Results in input order. A bad case yields an error record; the run goes on."""
    regels = str(regels)
    if executor is None:
        for chunk in _chunks(cases, chunk_size):
            results = _evaluate_chunk(regels, versie, chunk, explain)
            if progress:
                progress(len(results))
            yield from results
        return
    futures = [
        executor.submit(_evaluate_chunk, regels, versie, chunk, explain)
        for chunk in _chunks(cases, chunk_size)
    ]
    for future in futures:
        results = future.result()
        if progress:
            progress(len(results))
        yield from results


def read_cases(path: str | Path) -> Iterator[dict[str, Any]]:
    """Cases from a JSON Lines file, or every YAML/JSON case file in a folder."""
    from .reading.yaml_loading import read_document

    source = Path(path)
    if source.is_dir():
        for file in sorted([*source.glob("*.yaml"), *source.glob("*.yml"), *source.glob("*.json")]):
            data = read_document(file).data
            yield data if isinstance(data, dict) else {"casus": file.stem, "_ongeldig": data}
        return
    with source.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                data = {"_ongeldig": f"regel {number}: geen geldige JSON ({exc.msg})"}
            yield data if isinstance(data, dict) else {"_ongeldig": data}
