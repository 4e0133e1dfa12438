"""The paths the search for alternatives decides its variants on, against the reference.

The search decides dozens of changed versions of a request (`Evaluator.decide`, and with a
base run only the rules a change reaches); a variant decided differently from the
reference fixpoint would show an alternative the law does not bear out. The verification
applies changes to a copy of the case document that must leave the case itself as it was.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from functools import partial
from typing import Any

from verordening_engine.api import load_regelset, read_case
from verordening_engine.besluit.model import Wijziging
from verordening_engine.besluit.pointers import apply_changes
from verordening_engine.casus.binding import RequestInputs, bind_case
from verordening_engine.engine.evaluation import RequestRun, RuleRun, run_fixpoint
from verordening_engine.errors import EvaluationError
from verordening_engine.language.expressions import T
from verordening_engine.versies.households import random_households, restrict

from .conftest import REGELS

VERSIONS = {"2025-01-01": "2025-06-01", "2026-04-01": "2026-06-01", "2027-01-01": "2027-03-01"}


def _runs(result: RequestRun) -> list[tuple[Any, ...]]:
    def one(run: RuleRun) -> tuple[Any, ...]:
        return (run.rule.id, run.order, run.applied, run.outputs, run.missing, dict(run.unknown))

    return [one(r) for r in result.runs]


def _same(a: RequestRun, b: RequestRun) -> bool:
    return _runs(a) == _runs(b) and a.derived == b.derived and a.unknown == b.unknown


def _outcome(decide: Callable[[], RequestRun]) -> Any:
    """The runs of a decision, or the rule fault it ends in (a variant may be impossible,
    e.g. a partner's fact read without a partner: the search skips those)."""
    try:
        result = decide()
    except EvaluationError as exc:
        return ("fout", str(exc))
    return (_runs(result), result.derived, result.unknown)


def _requests() -> list[tuple[Any, RequestInputs]]:
    out = []
    for i, (versie, peildatum) in enumerate(VERSIONS.items()):
        regelset = load_regelset(REGELS, versie=versie)
        day = dt.date.fromisoformat(peildatum)
        for case in random_households([regelset.compiled], day, 12, 20261201 + i):
            case, _ = restrict(json.loads(json.dumps(case, default=str)), regelset.compiled)
            casus, doc = read_case(case)
            for request in bind_case(regelset.compiled, casus, doc):
                out.append((regelset, request))
    return out


def test_variants_are_decided_as_the_reference_fixpoint_decides_them() -> None:
    """Every request of generated households, and each with one yes/no fact it reads
    flipped: the search's decision equals the reference fixpoint rule for rule (order,
    outcome, conclusions, open facts), whether all rules run or only those a change reaches."""
    requests = _requests()
    assert len(requests) > 20
    flipped = 0
    for regelset, request in requests:
        compiled, evaluator = regelset.compiled, regelset.evaluator
        base = evaluator.decide(request)
        assert _same(base, run_fixpoint(compiled, [request])[0])
        reads = sorted(
            {
                ref
                for rule in compiled.rules_for[request.voorziening]
                for ref in rule.reads
                if ref in request.values and compiled.input_type(ref) is T.waarheid
            }
        )
        for ref in reads[:4]:
            values = {**request.values, ref: not request.values[ref]}
            changed = dataclasses.replace(request, values=values)
            reference = _outcome(lambda: run_fixpoint(compiled, [changed])[0])  # noqa: B023
            assert _outcome(partial(evaluator.decide, changed)) == reference
            assert _outcome(partial(evaluator.decide, changed, base, frozenset({ref}))) == reference
            flipped += 1
    assert flipped > 20


def test_applying_changes_leaves_the_case_document_as_it_was() -> None:
    data = {
        "casus": "x",
        "huishouden": {"leden": [{"id": "p1", "feiten": {"inkomen": "10.00"}}], "feiten": {}},
        "aanvragen": [{"id": "a1", "feiten": {"afstand_km": 3}}],
    }
    before = copy.deepcopy(data)
    changes = [
        Wijziging(pad="/huishouden/leden/0/feiten/inkomen", van="10.00", naar="9.00"),
        Wijziging(pad="/aanvragen/0/feiten/afstand_km", van=3, naar=4),
        Wijziging(pad="/aanvragen/0/feiten/nieuw~1feit", van=False, naar=True),
    ]
    changed = apply_changes(data, changes)
    assert data == before
    assert changed["huishouden"]["leden"][0]["feiten"]["inkomen"] == "9.00"
    assert changed["aanvragen"][0]["feiten"] == {"afstand_km": 4, "nieuw/feit": True}
    assert changed["huishouden"]["feiten"] == {}
    # a second application to the same document starts from the original values again
    again = apply_changes(data, changes[:1])
    assert again["aanvragen"][0]["feiten"] == {"afstand_km": 3}
