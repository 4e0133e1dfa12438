"""Hypothesis strategies over generated households: for invariant and property checks, and
for shrinking an observed change to a minimal household."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from ..regels.compiled import CompiledRegelset
from .consistency import possible_case
from .households import build_household, union_vocabulary
from .sources import HypothesisSource


@st.composite
def households(
    draw: st.DrawFn,
    regelsets: Sequence[CompiledRegelset],
    peildatum: dt.date,
    voorzieningen: Sequence[str] | None = None,
    max_requests: int = 3,
) -> dict[str, Any]:
    """The hypothesis strategy: shrinks towards one applicant, one request, default findings."""
    return build_household(
        HypothesisSource(draw), regelsets, peildatum, voorzieningen, max_requests
    )


@st.composite
def around(
    draw: st.DrawFn, observed: dict[str, Any], regelsets: Sequence[CompiledRegelset]
) -> dict[str, Any]:
    """Households between an observed one and its simplest form, for shrinking.

    Each fact with a default is either the observed value or the default, each other member
    is kept or left out; hypothesis' simplest draw is "default" and "left out", so shrinking
    moves from the observed household towards the smallest one that still shows a change.
    """
    vocab = {
        space: union_vocabulary(regelsets, space) for space in ("persoon", "huishouden", "aanvraag")
    }

    def facts(space: str, values: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for name, value in sorted(values.items()):
            feit = vocab[space].get(name)
            default = feit.standaard if feit is not None else None
            keep = default is None or value == default or draw(st.booleans())
            out[name] = value if keep else default
        return out

    request = observed["aanvragen"][0]
    needed = {request["persoon"], "p1"}
    leden = [
        {**lid, "feiten": facts("persoon", lid["feiten"])}
        for lid in observed["huishouden"]["leden"]
        if lid["id"] in needed or lid["rol"] != "kind" or draw(st.booleans())
    ]
    shrunk = {
        **observed,
        "huishouden": {
            "leden": leden,
            "feiten": facts("huishouden", observed["huishouden"]["feiten"]),
        },
        "aanvragen": [{**request, "feiten": facts("aanvraag", request["feiten"])}],
    }
    return possible_case(shrunk, regelsets)  # a default may make a given fact impossible
