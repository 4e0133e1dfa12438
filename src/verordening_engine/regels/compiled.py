"""The compiled form of a regelset: what the engine runs, built once per process.

Kept apart from the compiler so that the engine and the explanation depend on the result
of compilation, not on how it is checked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from ..language.expressions import Compiled, Ref, T
from ..reading.yaml_loading import Loc
from .loading import RegelsetSource
from .model import Artikel, Feit, Regel, RegelsetMeta, Verificatie, Voorziening

Kind = Literal["bepaal", "besluit", "eigen_bijdrage", "ingangsdatum", "termijn", "vaststelling"]
KINDS: tuple[Kind, ...] = (
    "bepaal",
    "besluit",
    "eigen_bijdrage",
    "ingangsdatum",
    "termijn",
    "vaststelling",
)
EURO_UNITS = {
    "euro",
    "euro_per_maand",
    "euro_per_jaar",
    "euro_per_uur",
    "euro_per_keer",
    "euro_per_kilometer",
}

BUILTIN_PERSOON: dict[str, T] = {"geboortedatum": T.datum, "rol": T.tekst}
BUILTIN_HUISHOUDEN: dict[str, T] = {
    "heeft_partner": T.waarheid,
    "aantal_leden": T.getal,
    "aantal_kinderen": T.getal,
}
BUILTIN_VOORZIENING: dict[str, T] = {
    "id": T.tekst,
    "naam": T.tekst,
    "wet": T.tekst,
    "soort": T.tekst,
    "kenmerken": T.lijst_tekst,
    "bijdrage_per": T.tekst,
}


@dataclass(frozen=True)
class ParamValue:
    vanaf: dt.date
    value: int
    status: Verificatie
    bron: str


@dataclass(frozen=True)
class CompiledRule:
    """One rule ready to run: typed expressions, the voorzieningen it is about, what it reads."""

    index: int
    id: str
    artikel: Artikel
    regel: Regel
    kind: Kind
    condition: Compiled | None
    outputs: dict[str, Compiled]
    applies_to: frozenset[str]
    reads: frozenset[Ref]
    needs: tuple[str, ...]
    file: str
    loc: Loc

    @property
    def label(self) -> str:
        return f"artikel {self.artikel.nummer} ({self.id})"


BESLUIT_NAMES: dict[str, T] = {
    "uitkomst": T.tekst,
    "verwijzing": T.tekst,
    "toegekend": T.waarheid,
    "heeft_eigen_bijdrage": T.waarheid,
    "eigen_bijdrage": T.bedrag,
}


@dataclass(frozen=True)
class CompiledInvariant:
    id: str
    omschrijving: str
    applies_to: frozenset[str]
    condition: Compiled | None
    claim: Compiled
    file: str


@dataclass
class CompiledRegelset:
    """A regelset version compiled once per process; immutable after construction."""

    source: RegelsetSource
    meta: RegelsetMeta
    sha256: str
    inputs: dict[str, dict[str, Feit]]
    derived: dict[str, Feit]
    parameters: dict[str, list[ParamValue]]
    parameter_units: dict[str, str]
    catalogue: dict[str, Voorziening]
    rules: tuple[CompiledRule, ...]
    defeats: dict[str, frozenset[str]]
    defeat_kind: dict[tuple[str, str], str] = field(default_factory=dict)
    invariants: tuple[CompiledInvariant, ...] = ()

    @cached_property
    def rule_by_id(self) -> dict[str, CompiledRule]:
        return {r.id: r for r in self.rules}

    @cached_property
    def consumed(self) -> frozenset[str]:
        """Derived facts some rule reads: only these are asserted into the engine."""
        return frozenset(n for r in self.rules for n in r.needs)

    @cached_property
    def rules_for(self) -> dict[str, tuple[CompiledRule, ...]]:
        return {v: tuple(r for r in self.rules if v in r.applies_to) for v in self.catalogue}

    def param_at(self, name: str, day: dt.date) -> ParamValue | None:
        chosen = None
        for value in self.parameters[name]:
            if value.vanaf <= day:
                chosen = value
        return chosen

    def input_type(self, ref: Ref) -> T | None:
        return _input_type(self.inputs, ref)


def _input_type(inputs: dict[str, dict[str, Feit]], ref: Ref) -> T | None:
    space = "persoon" if ref.space == "partner" else ref.space
    if space == "persoon" and ref.name in BUILTIN_PERSOON:
        return BUILTIN_PERSOON[ref.name]
    if space == "huishouden" and ref.name in BUILTIN_HUISHOUDEN:
        return BUILTIN_HUISHOUDEN[ref.name]
    feit = inputs.get(space, {}).get(ref.name)
    return T(feit.type.value) if feit else None
