"""Hypothesis strategies for realistic households, derived from the vocabulary of regelsets.

Used by regression runs, invariant checks and the property tests: every fact a version
declares is drawn with a range that fits its type and unit, ages cluster around the
boundaries the rules care about (17.5, 18, 21, 23, the AOW age), incomes around the
social minimum.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from .compiling import CompiledRegelset
from .expressions import add_months, format_euro
from .regelset_model import Feit

# ages in months the rules turn on; households are drawn near them more often
BOUNDARY_MONTHS = (
    0,
    12 * 4,
    12 * 12,
    209,
    210,
    211,
    215,
    216,
    217,
    12 * 21,
    12 * 23,
    12 * 21 - 1,
    12 * 23 - 1,
    12 * 40,
    803,
    804,
    805,
    807,
    12 * 80,
)


def _age_months() -> st.SearchStrategy[int]:
    near = st.sampled_from(BOUNDARY_MONTHS).flatmap(lambda m: st.integers(max(0, m - 2), m + 2))
    return st.one_of(near, st.integers(0, 12 * 95))


def _value(feit: Feit, peildatum: dt.date) -> st.SearchStrategy[Any]:
    kind = feit.type.value
    if kind == "waarheid":
        return st.booleans()
    if kind == "tekst":
        return st.sampled_from(feit.waarden) if feit.waarden else st.just("onbekend")
    if kind == "datum":
        return st.integers(0, 400).map(lambda d: peildatum - dt.timedelta(days=d))
    if kind == "bedrag":
        return st.one_of(st.integers(0, 300_00), st.integers(0, 40_000_00)).map(format_euro)
    unit = feit.eenheid or ""
    ranges = {
        "procent": (40, 320),
        "maanden": (0, 120),
        "jaren": (0, 30),
        "kilometer": (0, 60),
        "weken": (0, 104),
        "dagen": (0, 730),
        "aantal": (0, 10),
    }
    low, high = ranges.get(unit, (0, 1000))
    if unit == "procent":
        near = st.sampled_from((100, 105, 109, 110, 111, 120, 130, 135)).flatmap(
            lambda p: st.integers(p - 1, p + 1)
        )
        return st.one_of(near, st.integers(low, high))
    return st.integers(low, high)


def _facts(vocab: dict[str, Feit], peildatum: dt.date) -> st.SearchStrategy[dict[str, Any]]:
    if not vocab:
        return st.just({})
    return st.fixed_dictionaries(
        {name: _value(feit, peildatum) for name, feit in sorted(vocab.items())}
    )


def union_vocabulary(regelsets: Sequence[CompiledRegelset], space: str) -> dict[str, Feit]:
    merged: dict[str, Feit] = {}
    for rs in regelsets:
        for name, feit in rs.inputs[space].items():
            merged.setdefault(name, feit)
    return merged


@st.composite
def households(
    draw: st.DrawFn,
    regelsets: Sequence[CompiledRegelset],
    peildatum: dt.date,
    voorzieningen: Sequence[str] | None = None,
    max_requests: int = 3,
) -> dict[str, Any]:
    """A case dict valid for every given version (facts unknown to one are dropped later)."""
    catalogue = sorted(voorzieningen or {v for rs in regelsets for v in rs.catalogue})
    persoon = union_vocabulary(regelsets, "persoon")
    leden = []
    roles = ["aanvrager"]
    if draw(st.booleans()):
        roles.append("partner")
    roles += ["kind"] * draw(st.integers(0, 3))
    for i, rol in enumerate(roles):
        months = draw(_age_months()) if rol != "kind" else draw(st.integers(0, 12 * 24))
        born = add_months(peildatum, -months) - dt.timedelta(days=draw(st.integers(0, 27)))
        leden.append(
            {
                "id": f"p{i + 1}",
                "geboortedatum": born,
                "rol": rol,
                "feiten": draw(_facts(persoon, peildatum)),
            }
        )
    huishouden = {
        "leden": leden,
        "feiten": draw(_facts(union_vocabulary(regelsets, "huishouden"), peildatum)),
    }
    aanvraag_vocab = union_vocabulary(regelsets, "aanvraag")
    aanvragen = []
    for j in range(draw(st.integers(1, max_requests))):
        aanvragen.append(
            {
                "id": f"a{j + 1}",
                "persoon": draw(st.sampled_from([lid["id"] for lid in leden])),
                "voorziening": draw(st.sampled_from(catalogue)),
                "feiten": draw(_facts(aanvraag_vocab, peildatum)),
            }
        )
    return {
        "casus": "gegenereerd",
        "peildatum": peildatum,
        "huishouden": huishouden,
        "aanvragen": aanvragen,
    }


def restrict(case: dict[str, Any], regelset: CompiledRegelset) -> tuple[dict[str, Any], list[str]]:
    """The case as one version sees it: unknown facts dropped, unknown voorzieningen removed.

    Returns the case and the ids of requests whose voorziening the version does not have.
    """
    known = regelset.inputs
    leden = [
        {**lid, "feiten": {k: v for k, v in lid["feiten"].items() if k in known["persoon"]}}
        for lid in case["huishouden"]["leden"]
    ]
    hh = {k: v for k, v in case["huishouden"]["feiten"].items() if k in known["huishouden"]}
    kept, missing = [], []
    for aanvraag in case["aanvragen"]:
        if aanvraag["voorziening"] not in regelset.catalogue:
            missing.append(aanvraag["id"])
            continue
        kept.append(
            {
                **aanvraag,
                "feiten": {k: v for k, v in aanvraag["feiten"].items() if k in known["aanvraag"]},
            }
        )
    return ({**case, "huishouden": {"leden": leden, "feiten": hh}, "aanvragen": kept}, missing)
