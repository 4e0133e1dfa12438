"""The library API: load a regelset, evaluate a case, get a typed decision.

This is what the CLI and the systems of the Sociale Dienst call; it is the whole
pipeline load -> validate -> compile -> evaluate -> explain in one place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .besluit.alternatives import find_alternatives, needs_alternatives
from .besluit.decision import bijdrage_steps, decide_request
from .besluit.explanation import explain_request
from .besluit.household import household_contributions
from .besluit.model import Besluit, BesluitDocument, EngineRef, VerordeningRef
from .besluit.ontbrekend import ontbrekende_gegevens
from .casus.binding import bind_case, check_facts
from .casus.model import Casus
from .engine.completeness import missing_inputs, undecided
from .engine.evaluation import Evaluator, RequestRun, run_fixpoint
from .engine.settlement import Settled, beats, settle
from .errors import CaseValueError, Problem, VerordeningError
from .reading.spellings import parse_iso_date
from .reading.yaml_loading import LocatedDocument, parse_text, read_bytes, read_document
from .regels import compiled_cache
from .regels.compiled import CompiledRegelset
from .regels.compiler import compile_regelset
from .regels.loading import load_source, validate_document
from .regels.location import resolve_regels
from .regels.versions import VersionInfo, list_versions, select_version

ENGINE_VERSION = __version__  # recorded in every decision


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
        buiten_geldigheid: bool = False,
        alternatieven: bool = True,
        explain: bool = True,
    ) -> BesluitDocument:
        """Decide every request of `case` (a model, a dict, or a path to YAML/JSON).

        A peildatum outside this version's validity is an error (VerordeningError) unless
        `buiten_geldigheid=True` asks for a what-if evaluation. `alternatieven=False` skips
        the search for what would change the outcome (the costly part for refused requests
        and contributions). With `explain=False` the decisions are complete and identical,
        but `artikelen` (the explanation) is left empty and no alternatives are searched:
        the fast path for batches.
        """
        casus, doc = read_case(case)
        return self.evaluate_casus(
            casus,
            doc,
            engine=engine,
            buiten_geldigheid=buiten_geldigheid,
            alternatieven=alternatieven,
            explain=explain,
            validated=True,
        )

    def evaluate_casus(
        self,
        casus: Casus,
        doc: LocatedDocument,
        *,
        engine: str = "durable",
        buiten_geldigheid: bool = False,
        alternatieven: bool = True,
        explain: bool = True,
        validated: bool = False,
    ) -> BesluitDocument:
        """Decide a case read with `read_case`; see `evaluate`. `validated=True` says the
        model was validated in this same call and nobody could change it since."""
        if not buiten_geldigheid:
            self.check_peildatum(casus, doc)
        return self.evaluate_detailed(
            casus,
            doc,
            engine=engine,
            alternatieven=alternatieven,
            explain=explain,
            validated=validated,
        )[0]

    @property
    def beats(self) -> dict[str, frozenset[str]]:
        """Per rule, the rules it sets aside (exceptions and priorities, transitively):
        what settlement needs, computed once per version."""
        return _closure(self.compiled)

    def check_peildatum(self, casus: Casus, doc: LocatedDocument) -> None:
        """Raise when the case's peildatum lies outside this version's validity."""
        meta = self.compiled.meta
        end = meta.geldig_tot
        if meta.geldig_vanaf <= casus.peildatum and (end is None or casus.peildatum < end):
            return
        span = f"geldig vanaf {meta.geldig_vanaf.isoformat()}" + (
            f" tot {end.isoformat()}" if end is not None else ""
        )
        raise VerordeningError(
            [
                doc.problem(
                    ("peildatum",),
                    f"peildatum {casus.peildatum.isoformat()} is outside the validity of "
                    f"version {meta.versie} ({span}); choose the version in force on the "
                    "peildatum, or evaluate what-if with --buiten-geldigheid "
                    "(library: buiten_geldigheid=True)",
                )
            ]
        )

    def evaluate_detailed(
        self,
        casus: Casus,
        doc: LocatedDocument,
        *,
        engine: str = "durable",
        alternatieven: bool = True,
        explain: bool = True,
        validated: bool = False,
    ) -> tuple[BesluitDocument, list[RequestRun]]:
        """The decision and, per request, the rule runs behind it (for checks and tools)."""
        rs = self.compiled
        if not validated:
            casus, _ = revalidated(casus)  # never trust a model that may have changed since
        requests = bind_case(rs, casus, doc)
        try:
            results: list[RequestRun] = (
                self.evaluator.run(requests, explain)
                if engine == "durable"
                else run_fixpoint(rs, requests)
            )
        except CaseValueError as exc:
            raise _located(exc, casus, doc) from None
        closure = _closure(rs)
        decided = [_decide(rs, r, closure, casus.peildatum, explain) for r in results]
        besluiten = [b for b, _ in decided]
        if alternatieven and explain:
            besluiten = [
                b.model_copy(
                    update={
                        "alternatieven": find_alternatives(rs, casus, r, b, closure, self.evaluator)
                    }
                )
                if needs_alternatives(b)
                else b
                for r, b in zip(results, besluiten, strict=True)
            ]
        if explain:
            besluiten, huishouden = household_contributions(rs, casus, besluiten)
        else:
            # the household amount names the article that set a bijdrage: lend a granted
            # besluit with a bijdrage those steps, then leave `artikelen` empty again
            lent = [
                b.model_copy(update={"artikelen": bijdrage_steps(rs, r, settled, casus.peildatum)})
                if b.uitkomst == "toegekend" and b.eigen_bijdrage is not None
                else b
                for r, (b, settled) in zip(results, decided, strict=True)
            ]
            marked, huishouden = household_contributions(rs, casus, lent)
            besluiten = [
                b.model_copy(update={"artikelen": []}) if b.artikelen else b for b in marked
            ]
        document = BesluitDocument(
            casus=casus.casus,
            peildatum=casus.peildatum,
            verordening=VerordeningRef(
                id=rs.meta.id, versie=rs.meta.versie, status=rs.meta.status.value, sha256=rs.sha256
            ),
            engine=EngineRef(versie=ENGINE_VERSION),
            besluiten=besluiten,
            huishouden_bijdrage=huishouden,
        )
        return document, results


def _decide(
    rs: CompiledRegelset,
    result: RequestRun,
    closure: dict[str, frozenset[str]],
    day: dt.date,
    explain: bool = True,
) -> tuple[Besluit, Settled]:
    """Settle and (with `explain`) explain one request; undecided, with what is missing,
    when facts lack. Also the settlement of its runs (open rules never apply, so it is
    also that of the runs without them)."""
    settled = settle(rs, result.runs, closure)
    missing = missing_inputs(result.runs, settled, closure)
    if not missing:
        if any(r.missing for r in result.runs):  # open rules that cannot change the decision
            result = RequestRun(
                result.inputs, [r for r in result.runs if not r.missing], result.derived
            )
        if not explain:
            return decide_request(rs, result, settled), settled
        return explain_request(rs, result, settled, day), settled
    shown = RequestRun(result.inputs, [r for r in result.runs if not r.missing], result.derived)
    besluit = (
        explain_request(rs, shown, undecided(settled), day)
        if explain
        else decide_request(rs, shown, undecided(settled))
    )
    return besluit.model_copy(
        update={"ontbrekende_gegevens": ontbrekende_gegevens(rs, result.inputs, missing)}
    ), settled


# At most this many compiled versions are kept per process (least recently loaded go
# first), so a long-running process that reloads edited rules does not grow without bound.
# The durable-rules side is shared by every version (engine/durable_agenda.py).
MAX_VERSIONS = 8
# compiled versions by (folder, content hash): a copy elsewhere is its own version
_CACHE: dict[tuple[str, str], Regelset] = {}
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


_BY_CONTENT: dict[tuple[str, str], Regelset] = {}
_VERSIONS: dict[tuple[str, str], list[VersionInfo]] = {}


def _fingerprint(paths: list[Path]) -> str:
    """sha256 of the files' names and bytes: an edit is seen whatever its size and mtime
    (a stamp of size and mtime served a same-size edit with an old mtime stale)."""
    digest = hashlib.sha256()
    for p in sorted(paths):
        data = read_bytes(p)
        digest.update(f"{p}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()


def load_regelset_folder(folder: str | Path) -> Regelset:
    """Load, validate and compile one version folder.

    Compiled once per content hash: a repeated call reads and hashes the files (about a
    millisecond) and returns the same object while their content is the same. A draft is
    read again with its base on every call and recompiled only when that content changed.
    """
    folder = Path(folder)
    try:
        key: tuple[str, str] | None = (
            str(folder.resolve()),
            _fingerprint(list(folder.glob("*.y*ml"))),
        )
    except (OSError, VerordeningError):
        key = None  # load_source reports what is wrong
    hit = _BY_CONTENT.get(key) if key is not None else None
    # a draft's files do not hold its base: read it again (the compiled result is reused
    # below while the merged content is the same), so an edited base is never served stale
    if hit is not None and hit.compiled.meta.basis is None:
        return hit
    stored = compiled_cache.load(folder, key[1]) if key is not None else None  # on disk
    source = stored.source if stored is not None else load_source(folder)
    identity = (str(Path(source.folder).resolve()), source.sha256)
    with _LOCK:
        cached = _CACHE.pop(identity, None)
        if cached is None:
            compiled = stored or compile_regelset(source)
            if stored is None and key is not None:
                compiled_cache.store(folder, key[1], compiled)
            cached = Regelset(compiled, Evaluator(compiled))
        _CACHE[identity] = cached  # most recently loaded last
        while len(_CACHE) > MAX_VERSIONS:
            gone = _CACHE.pop(next(iter(_CACHE)))
            _CLOSURES.pop(gone.compiled.sha256, None)
            for stale in [k for k, v in _BY_CONTENT.items() if v is gone]:
                del _BY_CONTENT[stale]
        if key is not None:
            _BY_CONTENT[key] = cached
        return cached


def versions(root: str | Path | None = None) -> list[VersionInfo]:
    """The timeline under `root` (default: $VERORDENING_REGELS, else the packaged regels).

    Re-read only when the content of a regelset.yaml changes.
    """
    root = resolve_regels(root)
    try:
        key = (str(root.resolve()), _fingerprint(list(root.rglob("regelset.yaml"))))
    except (OSError, VerordeningError):
        return list_versions(root)
    found = _VERSIONS.get(key)
    if found is None:
        found = _VERSIONS[key] = list_versions(root)
    return found


def load_regelset(
    root: str | Path | None = None,
    *,
    versie: str | None = None,
    peildatum: dt.date | None = None,
) -> Regelset:
    """The version named `versie`, or the vastgesteld version in force on `peildatum`.

    `root` defaults to $VERORDENING_REGELS, else the regels packaged with the engine.
    """
    root = resolve_regels(root)
    if (root / "regelset.yaml").is_file():
        return load_regelset_folder(root)
    chosen = select_version(versions(root), peildatum or dt.date.today(), versie)
    return load_regelset_folder(chosen.folder)


def read_case(
    case: Casus | Mapping[str, Any] | str | Path,
    *,
    regels: str | Path | None = None,
    versie: str | None = None,
) -> tuple[Casus, LocatedDocument]:
    """A validated case and its document (for located errors).

    With `regels`, a case that does not match the model also gets its facts checked against
    the vocabulary of the version it would use, so every problem comes in one run.
    """
    if isinstance(case, Casus):
        return revalidated(case)
    if isinstance(case, Mapping):
        doc = LocatedDocument("<casus>", dict(case))
    else:
        doc = read_document(case)
    return checked_case(doc, regels, versie), doc


def checked_case(
    doc: LocatedDocument, regels: str | Path | None = None, versie: str | None = None
) -> Casus:
    """`doc` validated as a Casus; see `read_case` for `regels`."""
    try:
        return validate_document(doc, Casus)
    except VerordeningError as exc:
        if regels is None:
            raise
        more = _fact_problems(doc, exc.problems, regels, versie)
        raise VerordeningError([*exc.problems, *more]) from None


def _fact_problems(
    doc: LocatedDocument, known: list[Problem], regels: str | Path, versie: str | None
) -> list[Problem]:
    data = doc.data if isinstance(doc.data, dict) else {}
    try:
        peildatum = parse_iso_date(data.get("peildatum"))
        regelset = load_regelset(regels, versie=versie, peildatum=peildatum)
    except (ValueError, VerordeningError):
        return []  # no version to check against: the model's problems say enough
    fields = {p.field for p in known}

    def new(field: str) -> bool:
        return not any(_within(field, f) or _within(f, field) for f in fields)

    return [p for p in check_facts(regelset.compiled, doc) if new(p.field)]


def _within(field: str, outer: str) -> bool:
    return field == outer or field.startswith((outer + ".", outer + "["))


def _located(exc: CaseValueError, casus: Casus, doc: LocatedDocument) -> VerordeningError:
    """A computation out of range, as an input error at the request whose values caused it."""
    index = next((i for i, a in enumerate(casus.aanvragen) if a.id == exc.aanvraag), None)
    loc: tuple[int | str, ...] = ("aanvragen", index) if index is not None else ()
    used = ", ".join(f"{name} = {value}" for name, value in exc.facts.items())
    return VerordeningError(
        [doc.problem(loc, f"value out of the range the rules can compute with ({used}): {exc}")]
    )


def revalidated(casus: Casus) -> tuple[Casus, LocatedDocument]:
    """A Casus checked again: a model changed after validation (`object.__setattr__`, a
    mutated dict), built with `model_construct` or holding plain dicts is refused with
    VerordeningError instead of failing deep in the engine."""
    if not isinstance(casus, Casus):
        raise VerordeningError([Problem("<casus>", None, None, "", "not a Casus model")])
    try:
        data = casus.model_dump(mode="python", by_alias=True, warnings=False)
    except Exception as exc:  # whatever a broken model raises while being read
        raise VerordeningError(
            [Problem("<casus>", None, None, "", f"the Casus model cannot be read: {exc}")]
        ) from None
    doc = LocatedDocument("<casus>", data)
    return validate_document(doc, Casus), doc


def read_case_text(text: str, name: str) -> tuple[Casus, LocatedDocument]:
    doc = parse_text(text, name)
    return validate_document(doc, Casus), doc


def evaluate(
    case: Casus | Mapping[str, Any] | str | Path,
    *,
    regels: str | Path | None = None,
    versie: str | None = None,
) -> BesluitDocument:
    """Evaluate a case under `versie`, else the case's own `versie:`, else the version in
    force on its peildatum (as `verordening evaluate` does)."""
    casus, doc = read_case(case, regels=regels, versie=versie)
    chosen = versie or casus.versie
    regelset = load_regelset(regels, versie=chosen, peildatum=casus.peildatum)
    return regelset.evaluate_casus(casus, doc, validated=True)


def all_regelsets(root: str | Path | None = None) -> list[Regelset]:
    """Every version under `root`, compiled (for schemas, listings and the service)."""
    return [load_regelset_folder(v.folder) for v in versions(root)]
