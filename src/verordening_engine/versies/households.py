"""Realistic generated households, derived from the vocabulary of one or more regelsets.

One builder, two sources of randomness: a hypothesis strategy (for invariant checks and for
shrinking to minimal examples) and a seeded `random.Random` (for regression populations,
where hypothesis' preference for simple values would skew the numbers). Ages cluster
around the boundaries the rules care about (17.5, 18, 21, 23, the AOW age), incomes around
the social minimum, findings of the onderzoek at their default two times in three.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from hypothesis import strategies as st

from ..language.expressions import add_months, format_euro
from ..regels.compiled import CompiledRegelset
from ..regels.model import Feit

X = TypeVar("X")

# ages in months the rules turn on; some households are drawn near them
BOUNDARY_MONTHS = (
    48,
    144,
    209,
    210,
    211,
    215,
    216,
    217,
    12 * 21 - 1,
    12 * 21,
    12 * 23 - 1,
    12 * 23,
    803,
    804,
    805,
    807,
)
PERCENT_NEAR = (100, 105, 109, 110, 111, 120, 130, 135)
RANGES = {
    "procent": (40, 320),
    "maanden": (0, 120),
    "jaren": (0, 30),
    "kilometer": (0, 60),
    "weken": (0, 104),
    "dagen": (0, 730),
    "werkdagen": (0, 60),
    "aantal": (0, 10),
}


class Source(Protocol):
    """Where the random choices come from."""

    def integer(self, low: int, high: int) -> int: ...

    def choice(self, items: Sequence[X]) -> X: ...


class RandomSource:
    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd

    def integer(self, low: int, high: int) -> int:
        return self.rnd.randint(low, high)

    def choice(self, items: Sequence[X]) -> X:
        return items[self.rnd.randrange(len(items))]


class HypothesisSource:
    """Choices as hypothesis draws, so failing households shrink to minimal ones."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw

    def integer(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))

    def choice(self, items: Sequence[X]) -> X:
        return self.draw(st.sampled_from(items))


def _mostly(src: Source, rare: bool = False) -> bool:
    """True two times in three, or 19 in 20 for `rare` (and for hypothesis' simplest draw)."""
    return src.integer(0, 19) < 19 if rare else src.integer(0, 2) < 2


def _age_months(src: Source) -> int:
    if src.integer(0, 3) == 3:
        month = src.choice(BOUNDARY_MONTHS)
        return max(0, month + src.integer(-2, 2))
    return src.integer(12 * 18, 12 * 95)


def _value(src: Source, feit: Feit, peildatum: dt.date, rare: bool = False) -> Any:
    kind = feit.type.value
    default = feit.standaard
    if default is not None and _mostly(src, rare):
        return default
    if kind == "waarheid":
        return (not default) if isinstance(default, bool) else src.choice([True, False])
    if kind == "tekst":
        return src.choice(feit.waarden) if feit.waarden else "onbekend"
    if kind == "datum":
        return peildatum - dt.timedelta(days=src.integer(0, 400))
    if kind == "bedrag":
        if feit.eenheid == "euro_per_jaar":
            return format_euro(src.integer(0, 90_000_00))
        high = 300_00 if src.integer(0, 1) == 0 else 40_000_00
        return format_euro(src.integer(0, high))
    unit = feit.eenheid or ""
    low, high = RANGES.get(unit, (0, 1000))
    if unit == "procent" and src.integer(0, 1) == 0:
        return src.choice(PERCENT_NEAR) + src.integer(-1, 1)
    return src.integer(low, high)


def _facts(
    src: Source, vocab: dict[str, Feit], peildatum: dt.date, rare: bool = False
) -> dict[str, Any]:
    """Facts of one person, household or request; a person's conditions (a Wlz indication,
    a contribution owed elsewhere) are `rare`."""
    return {name: _value(src, feit, peildatum, rare) for name, feit in sorted(vocab.items())}


def union_vocabulary(regelsets: Sequence[CompiledRegelset], space: str) -> dict[str, Feit]:
    merged: dict[str, Feit] = {}
    for rs in regelsets:
        for name, feit in rs.inputs[space].items():
            merged.setdefault(name, feit)
    return merged


def build_household(
    src: Source,
    regelsets: Sequence[CompiledRegelset],
    peildatum: dt.date,
    voorzieningen: Sequence[str] | None = None,
    max_requests: int = 3,
) -> dict[str, Any]:
    """A case dict valid for every given version (facts unknown to one are dropped later)."""
    catalogue = sorted(voorzieningen or {v for rs in regelsets for v in rs.catalogue})
    persoon = union_vocabulary(regelsets, "persoon")
    roles = ["aanvrager"]
    if src.integer(0, 1) == 1:
        roles.append("partner")
    roles += ["kind"] * src.integer(0, 3)
    if len(roles) == 1 and src.integer(0, 1) == 0:
        roles.append("kind")
    leden = []
    for i, rol in enumerate(roles):
        if rol != "kind":
            months = _age_months(src)
        else:  # mostly minors, some young adults (verlengde jeugdhulp, pleegzorg)
            months = (
                src.integer(0, 12 * 18 - 1)
                if src.integer(0, 3) < 3
                else src.integer(12 * 18, 12 * 24)
            )
        born = add_months(peildatum, -months) - dt.timedelta(days=src.integer(0, 27))
        leden.append(
            {
                "id": f"p{i + 1}",
                "geboortedatum": born,
                "rol": rol,
                "feiten": _facts(src, persoon, peildatum, rare=True),
            }
        )
    huishouden = {
        "leden": leden,
        "feiten": _facts(src, union_vocabulary(regelsets, "huishouden"), peildatum),
    }
    aanvraag_vocab = union_vocabulary(regelsets, "aanvraag")
    aanvragen = []
    youth = {v for rs in regelsets for v, item in rs.catalogue.items() if item.wet == "jeugdwet"}
    children = [lid["id"] for lid in leden if lid["rol"] == "kind"]
    for j in range(src.integer(1, max_requests)):
        voorziening = src.choice(catalogue)
        if voorziening in youth and children and src.integer(0, 4) < 4:
            who = src.choice(children)  # jeugdhulp is mostly asked for a child
        elif src.integer(0, 2) < 2:
            who = "p1"  # mostly the applicant; sometimes another member
        else:
            who = src.choice([lid["id"] for lid in leden])
        aanvragen.append(
            {
                "id": f"a{j + 1}",
                "persoon": who,
                "voorziening": voorziening,
                "feiten": _facts(src, aanvraag_vocab, peildatum),
            }
        )
    return {
        "casus": "gegenereerd",
        "peildatum": peildatum,
        "huishouden": huishouden,
        "aanvragen": aanvragen,
    }


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
        if lid["id"] in needed or draw(st.booleans())
    ]
    return {
        **observed,
        "huishouden": {
            "leden": leden,
            "feiten": facts("huishouden", observed["huishouden"]["feiten"]),
        },
        "aanvragen": [{**request, "feiten": facts("aanvraag", request["feiten"])}],
    }


def random_households(
    regelsets: Sequence[CompiledRegelset],
    peildatum: dt.date,
    n: int,
    seed: int,
    voorzieningen: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """`n` households from a seeded generator: the same seed gives the same households."""
    src = RandomSource(random.Random(seed))
    return [build_household(src, regelsets, peildatum, voorzieningen) for _ in range(n)]


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
