"""Check a version's declared invariants on generated households, with shrunk counterexamples.

Each invariant gets its own hypothesis search over households that request a voorziening
the invariant is about; a violation is shrunk by hypothesis to a minimal household.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings

from ..api import Regelset, read_case
from ..besluit.model import Besluit
from ..engine.evaluation import request_context
from ..language.expressions import MissingValue, Value, parse_euro
from ..regels.compiled import CompiledInvariant
from ..versies.households import households

ONE_DECISION = "een-besluit-per-aanvraag"


@dataclass(frozen=True)
class InvariantResult:
    id: str
    omschrijving: str
    voldaan: bool
    tegenvoorbeeld: dict[str, Any] | None = None
    besluit: Besluit | None = None
    toelichting: str | None = None


class _Violation(Exception):
    def __init__(self, case: dict[str, Any], besluit: Besluit | None, detail: str) -> None:
        super().__init__(detail)
        self.case = case
        self.besluit = besluit
        self.detail = detail


def _decision_values(besluit: Besluit) -> dict[str, Value]:
    """The decision as the names besluit.* of an invariant."""
    bijdrage = besluit.eigen_bijdrage
    cents = parse_euro(bijdrage.bedrag) if bijdrage is not None else 0
    return {
        "uitkomst": besluit.uitkomst.value if besluit.uitkomst else "",
        "verwijzing": besluit.verwijzing or "",
        "toegekend": besluit.uitkomst is not None and besluit.uitkomst.value == "toegekend",
        "heeft_eigen_bijdrage": bijdrage is not None,
        "eigen_bijdrage": cents,
    }


def _check_case(
    regelset: Regelset, invariant: CompiledInvariant | None, case: dict[str, Any]
) -> None:
    casus, doc = read_case(case)
    document, runs = regelset.evaluate_detailed(casus, doc)
    if invariant is None:
        if len(document.besluiten) != len(casus.aanvragen):
            raise _Violation(case, None, "not every request got one decision")
        for besluit in document.besluiten:
            if besluit.uitkomst is None or besluit.problemen:
                raise _Violation(case, besluit, "; ".join(besluit.problemen) or "no outcome")
        return
    for besluit, run in zip(document.besluiten, runs, strict=True):
        if besluit.voorziening not in invariant.applies_to:
            continue
        ctx = request_context(run.inputs.values, run.derived, _decision_values(besluit))
        try:
            if invariant.condition is not None and not invariant.condition(ctx):
                continue
            holds = invariant.claim(ctx)
        except MissingValue as exc:
            raise _Violation(
                case, besluit, f"the invariant reads '{exc.ref}', which this request does not have"
            ) from None
        if not holds:
            raise _Violation(case, besluit, f"niet voldaan: {invariant.claim.source}")


def _search(
    regelset: Regelset,
    invariant: CompiledInvariant | None,
    strategy: Any,
    aantal: int,
    seed_value: int,
) -> None:
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
    @given(strategy)
    def holds(case: dict[str, Any]) -> None:
        _check_case(regelset, invariant, case)

    holds()


def check_invariants(
    regelset: Regelset, *, aantal: int = 200, seed_value: int = 0, peildatum: dt.date | None = None
) -> list[InvariantResult]:
    """Search for a counterexample to each invariant (and to 'one decision per request')."""
    day = peildatum or regelset.compiled.meta.geldig_vanaf
    rs = regelset.compiled
    checks: list[tuple[str, str, CompiledInvariant | None, list[str]]] = [
        (
            ONE_DECISION,
            "Elke aanvraag krijgt precies één besluit, zonder conflict of gat.",
            None,
            sorted(rs.catalogue),
        ),
    ]
    checks += [(inv.id, inv.omschrijving, inv, sorted(inv.applies_to)) for inv in rs.invariants]
    results = []
    for ident, description, invariant, voorzieningen in checks:
        strategy = households([rs], day, voorzieningen=voorzieningen)
        try:
            _search(regelset, invariant, strategy, aantal, seed_value)
        except _Violation as violation:
            results.append(
                InvariantResult(
                    ident, description, False, violation.case, violation.besluit, violation.detail
                )
            )
            continue
        results.append(InvariantResult(ident, description, True))
    return results
