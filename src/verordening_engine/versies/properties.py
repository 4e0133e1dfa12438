"""Metamorphic properties of a version (`eigenschappen.yaml`), searched for counterexamples.

An invariant judges one decision; a property relates two: the decision for a household and
for the same household changed in one known way. That catches what pinned scenarios miss,
such as a contribution that no longer depends on income. Each property gets a hypothesis
search over generated households; a counterexample is shrunk to a minimal household.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis import strategies as st

from ..api import Regelset
from ..errors import VerordeningError
from ..language.expressions import format_euro, parse_euro
from ..regels.compiled import CompiledRegelset
from ..regels.model import Eigenschap, EigenschapSoort, Selectie
from .deciding import COMPARED
from .shrinking import households

SPACES = ("huishouden", "persoon", "aanvraag")


class PropertyViolation(Exception):
    def __init__(self, case: dict[str, Any], other: dict[str, Any], detail: str) -> None:
        super().__init__(detail)
        self.case = case
        self.other = other
        self.detail = detail


def selection(rs: CompiledRegelset, voor: Selectie) -> list[str]:
    out = []
    for v in rs.catalogue.values():
        if voor.wet is not None and v.wet != voor.wet:
            continue
        if voor.soort is not None and v.soort != voor.soort:
            continue
        if voor.ids is not None and v.id not in voor.ids:
            continue
        if voor.kenmerk is not None and voor.kenmerk not in v.kenmerken:
            continue
        out.append(v.id)
    return sorted(out)


def problems(rs: CompiledRegelset) -> list[Any]:
    """Located problems in the declared properties (unknown facts, wrong kinds of facts)."""
    found = []
    for file, model in rs.source.eigenschappen:
        doc = rs.source.doc(file)
        for i, prop in enumerate(model.eigenschappen):
            loc = ("eigenschappen", i)
            if not selection(rs, prop.voor):
                found.append(doc.problem((*loc, "voor"), "no voorziening in the catalogue matches"))
            names = [prop.feit] if prop.soort == EigenschapSoort.stijgend else prop.feiten
            if prop.soort != EigenschapSoort.volgorde_onafhankelijk and not any(names):
                key = "feit" if prop.soort == EigenschapSoort.stijgend else "feiten"
                found.append(doc.problem((*loc, key), f"a property '{prop.soort}' names its fact"))
            for name in names:
                if not name:
                    continue
                space, _, fact = name.partition(".")
                feit = rs.inputs.get(space, {}).get(fact) if space in SPACES else None
                want = (
                    ("getal", "bedrag") if prop.soort == EigenschapSoort.stijgend else ("waarheid",)
                )
                if feit is None:
                    found.append(doc.problem((*loc,), f"unknown input fact '{name}'"))
                elif feit.type.value not in want:
                    found.append(
                        doc.problem(
                            (*loc,), f"'{name}' is {feit.type.value}, expected {' or '.join(want)}"
                        )
                    )
    return found


def _decisions(regelset: Regelset, case: dict[str, Any]) -> dict[str, dict[str, Any]]:
    doc = regelset.evaluate(case).model_dump(mode="json")
    return {b["aanvraag"]: b for b in doc["besluiten"]}


def _set(case: dict[str, Any], aanvraag: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    """The case with one input fact of this request (or its household or person) set."""
    out = copy.deepcopy(case)
    space, _, fact = name.partition(".")
    if space == "huishouden":
        out["huishouden"]["feiten"][fact] = value
    elif space == "persoon":
        for lid in out["huishouden"]["leden"]:
            if lid["id"] == aanvraag["persoon"]:
                lid["feiten"][fact] = value
    else:
        for other in out["aanvragen"]:
            if other["id"] == aanvraag["id"]:
                other["feiten"][fact] = value
    return out


def _get(case: dict[str, Any], aanvraag: dict[str, Any], name: str) -> Any:
    space, _, fact = name.partition(".")
    if space == "huishouden":
        return case["huishouden"]["feiten"].get(fact)
    if space == "persoon":
        for lid in case["huishouden"]["leden"]:
            if lid["id"] == aanvraag["persoon"]:
                return lid["feiten"].get(fact)
        return None
    return aanvraag["feiten"].get(fact)


def _cents(besluit: dict[str, Any]) -> int:
    bijdrage = besluit["eigen_bijdrage"]
    return parse_euro(bijdrage["bedrag"]) if bijdrage else 0


def _renamed(case: dict[str, Any]) -> dict[str, Any]:
    """The household with its members in reverse order and other ids."""
    ids = {
        lid["id"]: f"lid-{len(case['huishouden']['leden']) - i}"
        for i, lid in enumerate(case["huishouden"]["leden"])
    }
    out = copy.deepcopy(case)
    out["huishouden"]["leden"] = [
        {**lid, "id": ids[lid["id"]]} for lid in reversed(out["huishouden"]["leden"])
    ]
    for aanvraag in out["aanvragen"]:
        aanvraag["persoon"] = ids[aanvraag["persoon"]]
    return out


def check_case(
    regelset: Regelset, prop: Eigenschap, applies: set[str], case: dict[str, Any], step: int
) -> None:
    before = _decisions(regelset, case)
    if prop.soort == EigenschapSoort.volgorde_onafhankelijk:
        other = _renamed(case)
        after = _decisions(regelset, other)
        for rid, besluit in before.items():
            if besluit["voorziening"] not in applies:
                continue
            for key in COMPARED:
                if besluit[key] != after[rid][key]:
                    raise PropertyViolation(
                        case, other, f"{rid}: {key} verandert met de volgorde of ids van de leden"
                    )
        return
    for aanvraag in case["aanvragen"]:
        if aanvraag["voorziening"] not in applies:
            continue
        first = before[aanvraag["id"]]
        if prop.soort == EigenschapSoort.stijgend:
            assert prop.feit is not None
            value = _get(case, aanvraag, prop.feit)
            if value is None:
                continue
            if isinstance(value, str):
                higher: Any = format_euro(parse_euro(value) + 100 * step)
            else:
                higher = value + step
            other = _set(case, aanvraag, prop.feit, higher)
            second = _decisions(regelset, other)[aanvraag["id"]]
            if first["uitkomst"] == second["uitkomst"] == "toegekend" and _cents(second) < _cents(
                first
            ):
                raise PropertyViolation(
                    case,
                    other,
                    f"{aanvraag['id']}: {prop.feit} {value} → {higher}, eigen bijdrage "
                    f"{format_euro(_cents(first))} → {format_euro(_cents(second))}",
                )
        elif first["uitkomst"] == "toegekend":
            for name in prop.feiten:
                if _get(case, aanvraag, name) is not True:
                    continue
                other = _set(case, aanvraag, name, False)
                second = _decisions(regelset, other)[aanvraag["id"]]
                if second["uitkomst"] != "toegekend":
                    raise PropertyViolation(
                        case,
                        other,
                        f"{aanvraag['id']}: toegekend met {name} = waar, "
                        f"{second['uitkomst']} met {name} = onwaar",
                    )


def check_property(
    regelset: Regelset, prop: Eigenschap, *, aantal: int, seed_value: int, peildatum: dt.date
) -> PropertyViolation | None:
    rs = regelset.compiled
    applies = set(selection(rs, prop.voor))
    strategy = households([rs], peildatum, voorzieningen=sorted(applies))

    @settings(
        max_examples=aantal,
        database=None,
        deadline=None,
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @seed(seed_value)
    @given(strategy, st.integers(1, 150))
    def holds(case: dict[str, Any], step: int) -> None:
        check_case(regelset, prop, applies, case, step)

    try:
        holds()
    except PropertyViolation as violation:
        return violation
    return None


def declared(regelset: Regelset) -> list[Eigenschap]:
    found = problems(regelset.compiled)
    if found:
        raise VerordeningError(found)
    return [p for _, model in regelset.compiled.source.eigenschappen for p in model.eigenschappen]
