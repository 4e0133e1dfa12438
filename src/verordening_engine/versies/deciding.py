"""Decisions of generated households without their explanation, with the rules that decided.

A regression run compares tens of thousands of decisions; building the explanation is most
of a case's cost, and only the minimal examples are shown to a reader. Besides the decision
the report counts which rules decided (outcome coverage) and in which articles: read from
the settlement of the rule runs (`settle(...).winners`), the one the decision is built from.
Chunks of households run in worker processes when an executor is given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

from ..api import Regelset, load_regelset_folder, read_case
from ..engine.settlement import settle

# the fields two versions' decisions (and a property's two cases) are compared on
COMPARED = (
    "uitkomst",
    "verwijzing",
    "eigen_bijdrage",
    "ingangsdatum",
    "termijnen",
    "vaststellingen",
)
SUMMARY_FIELDS = ("aanvraag", "voorziening", *COMPARED)
CHUNK = 50
Summary = dict[str, Any]


def decide(regelset: Regelset, case: dict[str, Any]) -> dict[str, Summary]:
    """Per request of `case`: what the comparison needs of its decision (no explanation),
    with the household amount it is part of and the rules that decided it."""
    casus, doc = read_case(case)
    # both versions judge the same households: one of them is a what-if by design
    document, results = regelset.evaluate_detailed(casus, doc, alternatieven=False, explain=False)
    rs = regelset.compiled
    closure = regelset.beats
    units = {
        rid: {"id": unit.id, "bedrag": unit.bedrag}
        for unit in document.huishouden_bijdrage or []
        for rid in unit.besluiten
    }
    out: dict[str, Summary] = {}
    for besluit, run in zip(document.besluiten, results, strict=True):
        settled = settle(rs, [r for r in run.runs if not r.missing], closure)
        summary = besluit.model_dump(mode="json", include=set(SUMMARY_FIELDS))
        summary["huishouden_bedrag"] = units.get(besluit.aanvraag)
        summary["artikelen"] = [
            {
                "artikel": rs.rule_by_id[i].artikel.nummer,
                "status": "beslissend",
                "regel": i,
                "soort": rs.rule_by_id[i].kind,
            }
            for i in sorted(settled.winners)
        ]
        out[besluit.aanvraag] = summary
    return out


def decide_chunk(folder: str, cases: list[dict[str, Any]]) -> list[dict[str, Summary]]:
    """One chunk in a worker process (the version is compiled once per process)."""
    regelset = load_regelset_folder(Path(folder))
    return [decide(regelset, case) for case in cases]


def decide_all(
    regelset: Regelset,
    cases: list[dict[str, Any]],
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[dict[str, Summary]]:
    """The summaries of every case, in order; chunks in `executor` when given."""
    chunks = [cases[i : i + CHUNK] for i in range(0, len(cases), CHUNK)]
    if executor is None:
        for chunk in chunks:
            done = [decide(regelset, case) for case in chunk]
            if progress:
                progress(len(done))
            yield from done
        return
    folder = str(regelset.compiled.source.folder)
    futures: list[Future[list[dict[str, Summary]]]] = [
        executor.submit(decide_chunk, folder, chunk) for chunk in chunks
    ]
    for future in futures:
        done = future.result()
        if progress:
            progress(len(done))
        yield from done
