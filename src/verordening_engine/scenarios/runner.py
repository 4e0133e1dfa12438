"""Run scenario files (cases with expected decisions) and report differences."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..api import load_regelset, read_case
from ..besluit.model import BesluitDocument
from ..casus.model import Verwachting
from ..errors import EvaluationError, VerordeningError


@dataclass
class ScenarioResult:
    file: str
    casus: str
    versie: str | None = None
    differences: list[str] = field(default_factory=list)
    error: str | None = None
    document: BesluitDocument | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and not self.differences


def scenario_files(path: str | Path) -> list[Path]:
    root = Path(path)
    if root.is_file():
        return [root]
    return sorted([*root.glob("*.yaml"), *root.glob("*.yml"), *root.glob("*.json")])


def compare(expected: Verwachting, doc: BesluitDocument) -> list[str]:
    found = [b for b in doc.besluiten if b.aanvraag == expected.aanvraag]
    if not found:
        return [f"{expected.aanvraag}: no such request in the case"]
    b = found[0]
    diffs = []

    def check(name: str, want: object, got: object) -> None:
        if want != got:
            diffs.append(f"{b.aanvraag}.{name}: expected {want!r}, got {got!r}")

    check("uitkomst", expected.uitkomst.value, b.uitkomst.value if b.uitkomst else None)
    check("verwijzing", expected.verwijzing, b.verwijzing)
    want_bijdrage = (
        (expected.eigen_bijdrage.bedrag, expected.eigen_bijdrage.per)
        if (expected.eigen_bijdrage)
        else None
    )
    got_bijdrage = (b.eigen_bijdrage.bedrag, b.eigen_bijdrage.per) if b.eigen_bijdrage else None
    check("eigen_bijdrage", want_bijdrage, got_bijdrage)
    if "ingangsdatum" in expected.model_fields_set:
        check("ingangsdatum", expected.ingangsdatum, b.ingangsdatum)
    if expected.termijnen is not None:
        check("termijnen", expected.termijnen, b.termijnen)
    if expected.vaststellingen is not None:
        check("vaststellingen", expected.vaststellingen, b.vaststellingen)
    if "beslissende_artikelen" in expected.model_fields_set:
        check("beslissende_artikelen", expected.beslissende_artikelen, b.beslissende_artikelen)
    diffs += [f"{b.aanvraag}: {p}" for p in b.problemen]
    return diffs


def run_scenario(file: Path, regels: str | Path) -> ScenarioResult:
    result = ScenarioResult(str(file), file.stem)
    try:
        casus, doc = read_case(file)
        result.casus = casus.casus
        regelset = load_regelset(regels, versie=casus.versie, peildatum=casus.peildatum)
        result.versie = regelset.versie
        document = regelset.evaluate_casus(casus, doc)
        result.document = document
    except (VerordeningError, EvaluationError) as exc:
        result.error = str(exc)
        return result
    if not casus.verwachting:
        result.error = "scenario has no 'verwachting'"
        return result
    expected_ids = {v.aanvraag for v in casus.verwachting}
    for aanvraag in casus.aanvragen:
        if aanvraag.id not in expected_ids:
            result.differences.append(f"{aanvraag.id}: no expectation given")
    for expected in casus.verwachting:
        result.differences += compare(expected, document)
    return result


def run_scenarios(path: str | Path, regels: str | Path) -> list[ScenarioResult]:
    return [run_scenario(f, regels) for f in scenario_files(path)]
