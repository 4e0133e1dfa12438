"""Run scenario files (cases with expected decisions) and report differences."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..api import Regelset, load_regelset, read_case
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

    check(
        "uitkomst",
        expected.uitkomst.value if expected.uitkomst else None,
        b.uitkomst.value if b.uitkomst else None,
    )
    if expected.uitkomst is None or b.ontbrekende_gegevens:
        got = [item.feit for item in b.ontbrekende_gegevens]
        check("ontbrekende_gegevens", sorted(expected.ontbrekende_gegevens or []), sorted(got))
    check("verwijzing", expected.verwijzing, b.verwijzing)
    want_bijdrage = (
        (expected.eigen_bijdrage.bedrag, expected.eigen_bijdrage.per)
        if (expected.eigen_bijdrage)
        else None
    )
    got_bijdrage = (b.eigen_bijdrage.bedrag, b.eigen_bijdrage.per) if b.eigen_bijdrage else None
    check("eigen_bijdrage", want_bijdrage, got_bijdrage)
    if "huishouden_bijdrage" in expected.model_fields_set:
        want_unit = expected.huishouden_bijdrage
        units = [u for u in doc.huishouden_bijdrage if u.id == b.huishouden_bijdrage]
        check(
            "huishouden_bijdrage",
            (want_unit.bedrag, want_unit.per, want_unit.besluiten) if want_unit else None,
            (units[0].bedrag, units[0].per, units[0].besluiten) if units else None,
        )
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


def run_scenario(file: Path, regels: str | Path, versie: Regelset | None = None) -> ScenarioResult:
    """Decide one scenario under its own version, or under `versie` (e.g. a draft)."""
    result = ScenarioResult(str(file), file.stem)
    try:
        casus, doc = read_case(file)
        result.casus = casus.casus
        regelset = versie or load_regelset(regels, versie=casus.versie, peildatum=casus.peildatum)
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


def run_scenarios(
    path: str | Path, regels: str | Path, versie: Regelset | None = None
) -> list[ScenarioResult]:
    """Every scenario file; with `versie`, only those decided by that version or by the
    version it amends (its vorige_versie), each decided under `versie`."""
    files = scenario_files(path)
    if versie is None:
        return [run_scenario(f, regels) for f in files]
    names = {versie.versie, versie.compiled.meta.vorige_versie}
    chosen = []
    for file in files:
        try:
            casus, _ = read_case(file)
            own = load_regelset(regels, versie=casus.versie, peildatum=casus.peildatum).versie
        except VerordeningError:
            own = None
        if own in names:
            chosen.append(run_scenario(file, regels, versie))
    return chosen
