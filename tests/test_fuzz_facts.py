"""Fuzzing aimed at the rules: real households (the scenarios) with real facts of the
vocabulary set to extreme or wrongly spelled values. Whatever the values, a case gives a
decision or VerordeningError located in the case; never a rule fault, never another error."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verordening_engine.api import load_regelset, read_case
from verordening_engine.errors import VerordeningError
from verordening_engine.reading.yaml_loading import read_document

from .conftest import REGELS, SCENARIOS

CASES = [
    case
    for case in (read_document(f).data for f in sorted(SCENARIOS.glob("*.yaml")))
    if "versie" not in case
]
COMPILED = load_regelset(REGELS, versie="2026-04-01").compiled
SPACE = {"persoon": "persoon", "partner": "persoon", "huishouden": "huishouden"}


def _facts_read_for(voorziening: str) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(space, name, type, allowed values) of every input fact the rules for it read."""
    out = set()
    for rule in COMPILED.rules_for.get(voorziening, ()):
        for ref in rule.reads:
            space = SPACE.get(ref.space, ref.space)
            feit = COMPILED.inputs.get(space, {}).get(ref.name)
            if feit is not None:
                out.add((space, ref.name, feit.type.value, tuple(feit.waarden or ())))
    return sorted(out)


EXTREME: dict[str, list[Any]] = {
    "getal": [0, -1, 1, 10**12, -(10**12), 10**12 + 1, 2**63, "12", 1.5, True, None],
    "bedrag": [
        "0.00",
        "-0.01",
        "0.01",
        "999999999999.99",
        "1000000000.01",
        "1e3",
        " 1_700 ",
        "١٢٣.٤٥",
        "12,50",
        "NaN",
        170,
        None,
    ],
    "datum": [
        "1880-01-01",
        "1879-12-31",
        "2200-12-31",
        "2201-01-01",
        "0001-01-01",
        "9999-12-31",
        "2026-02-29",
        "20260501",
        1_700_000_000,
        None,
    ],
    "waarheid": [True, False, "true", 1, 0, None],
    "tekst": ["", "x" * 5000, "\x00", "\u202e", 7, None],
}


@st.composite
def extreme_case(draw: st.DrawFn) -> dict[str, Any]:
    """A scenario household with 1-4 facts its rules read set to extreme values."""
    case = copy.deepcopy(draw(st.sampled_from(CASES)))
    case.pop("verwachting", None)
    facts = [f for a in case["aanvragen"] for f in _facts_read_for(a["voorziening"])]
    for _ in range(draw(st.integers(1, 4))):
        space, name, kind, waarden = draw(st.sampled_from(facts))
        value = draw(st.sampled_from([*EXTREME[kind], *waarden]))
        if space == "persoon":
            members = case["huishouden"]["leden"]
            target = members[draw(st.integers(0, len(members) - 1))].setdefault("feiten", {})
        elif space == "huishouden":
            target = case["huishouden"].setdefault("feiten", {})
        else:
            requests = case["aanvragen"]
            target = requests[draw(st.integers(0, len(requests) - 1))].setdefault("feiten", {})
        target[name] = value
    if draw(st.booleans()):
        case["peildatum"] = draw(
            st.sampled_from(["1880-01-01", "2200-12-31", "2026-04-01", "2025-12-31"])
        )
    if draw(st.booleans()):
        member = draw(st.sampled_from(case["huishouden"]["leden"]))
        member["geboortedatum"] = draw(
            st.dates(min_value=dt.date(1880, 1, 1), max_value=dt.date(2200, 12, 31)).map(str)
        )
    return case


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(extreme_case())
def test_known_facts_with_extreme_values_decide_or_are_located(case: dict[str, Any]) -> None:
    try:
        casus, doc = read_case(case)
        regelset = load_regelset(REGELS, peildatum=casus.peildatum)
        regelset.evaluate_casus(casus, doc)
    except VerordeningError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.message
            assert problem.field, problem  # located: the field of the case it is about
