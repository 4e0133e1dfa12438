"""Constraints a steered request must meet, and the plain helpers that test them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..language.expressions import add_months
from ..regels.compiled import CompiledRegelset, CompiledRule

# a term the generator can set: an input fact, or whole months/years since an input date
# ("input", space, name) | ("months", space, name): months since that date on the peildatum
Term = tuple[str, str, str]


@dataclass
class Constraints:
    """What a steered request needs: fixed values and comparisons per term, and structure."""

    fixed: dict[Term, Any] = field(default_factory=dict)
    excluded: dict[Term, set[Any]] = field(default_factory=dict)
    bounds: dict[Term, list[tuple[str, Any]]] = field(default_factory=dict)
    # a fact compared with another fact of the case (a date plus a term): (term, op, value of
    # the other side given the case's facts); put right at that value once the facts are drawn
    relations: list[tuple[Term, str, Callable[[dict[str, dict[str, Any]]], Any]]] = field(
        default_factory=list
    )

    def fix(self, term: Term, value: Any) -> bool:
        """Fix a value; False when an earlier goal fixed another one (which stays)."""
        if value in self.excluded.get(term, ()):
            return False
        return bool(self.fixed.setdefault(term, value) == value)

    def exclude(self, term: Term, value: Any) -> bool:
        """Rule a value out; False when an earlier goal fixed exactly that value."""
        if term in self.fixed and self.fixed[term] == value:
            return False
        self.excluded.setdefault(term, set()).add(value)
        return True

    def bound(self, term: Term, op: str, value: Any) -> None:
        """Add a comparison unless it contradicts the ones already there (first goal wins)."""
        current = self.bounds.get(term, [])
        if feasible([*current, (op, value)]):
            self.bounds[term] = [*current, (op, value)]


def beside(target: Any, op: str, side: int) -> Any:
    """A value that meets `op target` right at the boundary (`side` 0 or 1: which of the two
    values nearest to it that still meet it)."""
    one: Any = dt.timedelta(days=1) if isinstance(target, dt.date) else 1
    return {
        "<": target - one * (1 + side),
        "<=": target - one * side,
        ">": target + one * (1 + side),
        ">=": target + one * side,
        "==": target,
        "!=": target + one if side else target - one,
    }[op]


def outcome_label(rs: CompiledRegelset, rule: CompiledRule, voorziening: str) -> str:
    """A reader's name for what a deciding rule concludes: '<uitkomst>[ → verwijzing]: rule'."""
    regel = rule.regel
    if rule.kind == "eigen_bijdrage":
        return f"bijdrage: {rule.id}"
    assert regel.besluit is not None
    text = regel.besluit.uitkomst.value
    if regel.besluit.verwijzing:
        text += f" → {regel.besluit.verwijzing}"
    elif regel.besluit.verwijzing_naar:
        text += " → (verwijzing uit de aanvraag)"
    return f"{text}: {rule.id}"


def years_to_months(years: int, symbol: str) -> tuple[int, str]:
    """A comparison on whole years as one on whole months."""
    return {
        "<": (12 * years, "<"),
        ">=": (12 * years, ">="),
        "<=": (12 * (years + 1), "<"),
        ">": (12 * (years + 1), ">="),
        "==": (12 * years, ">="),  # approximated: at least that many years
        "!=": (12 * years, "<"),
    }[symbol]


def feasible(bounds: list[tuple[str, Any]]) -> bool:
    """Whether some whole number (or date) meets every comparison."""
    low, high = -(10**15), 10**15
    as_int = [
        (op, v.toordinal() if isinstance(v, dt.date) else v)
        for op, v in bounds
        if isinstance(v, int | dt.date) and not isinstance(v, bool)
    ]
    for op, v in as_int:
        if op == "<":
            high = min(high, v - 1)
        elif op == "<=":
            high = min(high, v)
        elif op == ">":
            low = max(low, v + 1)
        elif op == ">=":
            low = max(low, v)
    return low <= high


def satisfies(value: Any, bounds: Iterable[tuple[str, Any]]) -> bool:
    checks: dict[str, Callable[[Any, Any], bool]] = {
        "<": lambda x, y: x < y,
        "<=": lambda x, y: x <= y,
        ">": lambda x, y: x > y,
        ">=": lambda x, y: x >= y,
        "!=": lambda x, y: x != y,
        "==": lambda x, y: x == y,
    }
    try:
        return all(checks[op](value, limit) for op, limit in bounds)
    except TypeError:
        return False


def sort_key(value: Any) -> tuple[str, Any]:
    return (type(value).__name__, value)


def months_ago(peildatum: dt.date, months: int, days: int = 0) -> dt.date:
    """A date exactly `months` whole months before the peildatum (and `days` earlier)."""
    return add_months(peildatum, -months) - dt.timedelta(days=days)
