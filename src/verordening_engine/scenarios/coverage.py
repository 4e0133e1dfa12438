"""Which articles the scenarios exercise: applied and decisive at least once, or never."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..regels.compiled import CompiledRegelset
from ..scenarios.runner import ScenarioResult


@dataclass
class ArticleCoverage:
    artikel: str
    titel: str
    kan_beslissen: bool
    toegepast_in: list[str] = field(default_factory=list)
    beslissend_in: list[str] = field(default_factory=list)

    @property
    def gedekt(self) -> bool:
        """An article that can decide must have decided once; any other must have applied."""
        return bool(self.beslissend_in if self.kan_beslissen else self.toegepast_in)


def article_coverage(
    regelset: CompiledRegelset, results: Iterable[ScenarioResult]
) -> list[ArticleCoverage]:
    """Coverage of every article of `regelset` with rules, by scenarios evaluated under it."""
    table: dict[str, ArticleCoverage] = {}
    for chapter in regelset.source.hoofdstukken:
        for artikel in chapter.artikelen:
            if not artikel.regels:
                continue
            deciding = any(r.bepaal is None for r in artikel.regels)
            table[artikel.nummer] = ArticleCoverage(artikel.nummer, artikel.titel, deciding)
    for result in results:
        doc = result.document
        if doc is None or doc.verordening.sha256 != regelset.sha256:
            continue
        for besluit in doc.besluiten:
            for step in besluit.artikelen:
                entry = table.get(step.artikel)
                if entry is None:
                    continue
                if step.toegepast and result.casus not in entry.toegepast_in:
                    entry.toegepast_in.append(result.casus)
                if step.status == "beslissend" and result.casus not in entry.beslissend_in:
                    entry.beslissend_in.append(result.casus)
    return list(table.values())
