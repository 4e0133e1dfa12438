"""The library API: load a regelset, evaluate a case, get a typed decision.

This is what the CLI and the systems of the Sociale Dienst call; it is the whole
pipeline load -> validate -> compile -> evaluate -> explain in one place.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from .besluit.decision import decide_request
from .besluit.explanation import explain_request
from .besluit.model import BesluitDocument, EngineRef, VerordeningRef
from .casus.binding import bind_case
from .casus.model import Casus
from .engine.evaluation import Evaluator, RequestRun, run_fixpoint
from .engine.settlement import beats, settle
from .reading.yaml_loading import LocatedDocument, parse_text, read_document
from .regels.compiled import CompiledRegelset
from .regels.compiler import compile_regelset
from .regels.loading import load_source, validate_document
from .regels.versions import VersionInfo, list_versions, select_version

DEFAULT_REGELS = Path(os.environ.get("VERORDENING_REGELS", "regels"))

try:
    ENGINE_VERSION = version("verordening-engine")
except PackageNotFoundError:  # running from a source tree
    ENGINE_VERSION = "0+unknown"


@dataclass
class Regelset:
    """A compiled regelset version with its engine; build with `load_regelset`."""

    compiled: CompiledRegelset
    evaluator: Evaluator

    @property
    def versie(self) -> str:
        return self.compiled.meta.versie

    def evaluate(
        self,
        case: Casus | Mapping[str, Any] | str | Path,
        *,
        engine: str = "durable",
        explain: bool = True,
    ) -> BesluitDocument:
        """Decide every request of `case` (a model, a dict, or a path to YAML/JSON).

        With `explain=False` the decisions are complete and identical, but `artikelen`
        (the article-by-article explanation) is left empty: the fast path for batches.
        """
        casus, doc = read_case(case)
        return self.evaluate_casus(casus, doc, engine=engine, explain=explain)

    def evaluate_casus(
        self, casus: Casus, doc: LocatedDocument, *, engine: str = "durable", explain: bool = True
    ) -> BesluitDocument:
        return self.evaluate_detailed(casus, doc, engine=engine, explain=explain)[0]

    def evaluate_detailed(
        self, casus: Casus, doc: LocatedDocument, *, engine: str = "durable", explain: bool = True
    ) -> tuple[BesluitDocument, list[RequestRun]]:
        """The decision and, per request, the rule runs behind it (for checks and tools)."""
        rs = self.compiled
        requests = bind_case(rs, casus, doc)
        results: list[RequestRun] = (
            self.evaluator.run(requests, explain)
            if engine == "durable"
            else run_fixpoint(rs, requests)
        )
        closure = _closure(rs)
        if explain:
            besluiten = [
                explain_request(rs, r, settle(rs, r.runs, closure), casus.peildatum)
                for r in results
            ]
        else:
            besluiten = [decide_request(rs, r, settle(rs, r.runs, closure)) for r in results]
        document = BesluitDocument(
            casus=casus.casus,
            peildatum=casus.peildatum,
            verordening=VerordeningRef(
                id=rs.meta.id, versie=rs.meta.versie, status=rs.meta.status.value, sha256=rs.sha256
            ),
            engine=EngineRef(versie=ENGINE_VERSION),
            besluiten=besluiten,
        )
        return document, results


# At most this many compiled versions are kept per process (least recently loaded go
# first), so a long-running process that reloads edited rules does not grow without bound.
# The durable-rules side is shared by every version (engine/durable_agenda.py).
MAX_VERSIONS = 8
_CACHE: dict[str, Regelset] = {}
_CLOSURES: dict[str, dict[str, frozenset[str]]] = {}
_LOCK = threading.Lock()


def _reset_lock_in_child() -> None:
    global _LOCK
    _LOCK = threading.Lock()


os.register_at_fork(after_in_child=_reset_lock_in_child)


def _closure(rs: CompiledRegelset) -> dict[str, frozenset[str]]:
    found = _CLOSURES.get(rs.sha256)
    if found is None:
        found = _CLOSURES.setdefault(rs.sha256, beats(rs))
    return found


_BY_STAMP: dict[tuple[str, tuple[tuple[str, int, int], ...]], Regelset] = {}
_VERSIONS: dict[tuple[str, tuple[tuple[str, int, int], ...]], list[VersionInfo]] = {}


def _stamp(paths: list[Path]) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times: a cheap check that files did not change."""
    out = []
    for p in sorted(paths):
        st = p.stat()
        out.append((str(p), st.st_size, st.st_mtime_ns))
    return tuple(out)


def load_regelset_folder(folder: str | Path) -> Regelset:
    """Load, validate and compile one version folder.

    Compiled once per content hash; while no file in the folder changes (size and mtime),
    a repeated call returns the same object without reading the files again.
    """
    folder = Path(folder)
    try:
        key = (str(folder.resolve()), _stamp(list(folder.glob("*.y*ml"))))
    except OSError:
        key = None
    if key is not None and key in _BY_STAMP:
        return _BY_STAMP[key]
    source = load_source(folder)
    with _LOCK:
        cached = _CACHE.pop(source.sha256, None)
        if cached is None:
            compiled = compile_regelset(source)
            cached = Regelset(compiled, Evaluator(compiled))
        _CACHE[source.sha256] = cached  # most recently loaded last
        while len(_CACHE) > MAX_VERSIONS:
            gone = _CACHE.pop(next(iter(_CACHE)))
            _CLOSURES.pop(gone.compiled.sha256, None)
            for stale in [k for k, v in _BY_STAMP.items() if v is gone]:
                del _BY_STAMP[stale]
        if key is not None:
            _BY_STAMP[key] = cached
        return cached


def versions(root: str | Path = DEFAULT_REGELS) -> list[VersionInfo]:
    """The timeline under `root` (re-read only when a regelset.yaml changes)."""
    root = Path(root)
    try:
        key = (str(root.resolve()), _stamp(list(root.rglob("regelset.yaml"))))
    except OSError:
        return list_versions(root)
    found = _VERSIONS.get(key)
    if found is None:
        found = _VERSIONS[key] = list_versions(root)
    return found


def load_regelset(
    root: str | Path = DEFAULT_REGELS,
    *,
    versie: str | None = None,
    peildatum: dt.date | None = None,
) -> Regelset:
    """The version named `versie`, or the vastgesteld version in force on `peildatum`."""
    root = Path(root)
    if (root / "regelset.yaml").is_file():
        return load_regelset_folder(root)
    chosen = select_version(versions(root), peildatum or dt.date.today(), versie)
    return load_regelset_folder(chosen.folder)


def read_case(case: Casus | Mapping[str, Any] | str | Path) -> tuple[Casus, LocatedDocument]:
    """A validated case and its document (for located errors)."""
    if isinstance(case, Casus):
        data = case.model_dump(mode="json", by_alias=True, exclude_none=True)
        return case, LocatedDocument("<casus>", data)
    if isinstance(case, Mapping):
        doc = LocatedDocument("<casus>", dict(case))
    else:
        doc = read_document(case)
    return validate_document(doc, Casus), doc


def read_case_text(text: str, name: str) -> tuple[Casus, LocatedDocument]:
    doc = parse_text(text, name)
    return validate_document(doc, Casus), doc


def evaluate(
    case: Casus | Mapping[str, Any] | str | Path,
    *,
    regels: str | Path = DEFAULT_REGELS,
    versie: str | None = None,
) -> BesluitDocument:
    """Evaluate a case under the version in force on its peildatum (or `versie`)."""
    casus, doc = read_case(case)
    regelset = load_regelset(regels, versie=versie, peildatum=casus.peildatum)
    return regelset.evaluate_casus(casus, doc)
