"""Generated facts made possible: the vocabulary's declared checks hold for them.

A generated household must be a case the engine accepts: date facts in their declared
order, and a fact left out where `alleen_als` says the case may not give it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from ..language.expressions import (
    ExpressionError,
    MissingValue,
    Ref,
    T,
    compile_expression,
    format_euro,
    parse_euro,
)
from ..regels.compiled import CompiledRegelset, _input_type
from ..regels.model import Feit

_PLAIN = re.compile(r"^(persoon|huishouden|aanvraag)\.([a-z][a-z0-9_]*)$")


def possible_facts(
    facts: dict[str, Any], vocab: dict[str, Feit], peildatum: dt.date
) -> dict[str, Any]:
    """Respect the vocabulary's checks: date order (niet_voor a fact of the same space) and
    `alleen_als` (a fact left out where the case may not give it)."""
    for name, feit in sorted(vocab.items()):
        for text in feit.niet_voor:
            match = _PLAIN.match(text.strip())
            other = facts.get(match.group(2)) if match else None
            if isinstance(other, dt.date) and isinstance(facts.get(name), dt.date):
                facts[name] = min(max(facts[name], other), peildatum)
        if feit.alleen_als is None or name not in facts:
            continue
        try:
            ok = compile_expression(feit.alleen_als, _resolver(vocab), T.waarheid)(
                _context(facts, vocab)
            )
        except (ExpressionError, MissingValue, TypeError, ValueError):
            ok = False
        if not ok:
            del facts[name]
    return facts


def _resolver(vocab: dict[str, Feit]) -> Any:
    def resolve(ref: Ref) -> T | None:
        feit = vocab.get(ref.name)
        return T(feit.type.value) if feit is not None else None

    return resolve


def _context(facts: dict[str, Any], vocab: dict[str, Feit]) -> Any:
    def ctx(ref: Ref) -> Any:
        if ref.name not in facts:
            raise MissingValue(ref)
        value = facts[ref.name]
        if vocab[ref.name].type.value == "bedrag" and isinstance(value, str):
            return parse_euro(value)
        return value

    return ctx


def _typed(feit: Feit | None, value: Any) -> Any:
    if feit is not None and feit.type.value == "bedrag" and isinstance(value, str):
        return parse_euro(value)
    return value


class _Scope:
    """The values a declared check of one member, the household or one request reads."""

    def __init__(
        self,
        rs: CompiledRegelset,
        peildatum: dt.date,
        spaces: dict[str, dict[str, Any]],
    ) -> None:
        self.rs = rs
        self.peildatum = peildatum
        self.spaces = spaces

    def __call__(self, ref: Ref) -> Any:
        if ref.space == "peildatum":
            return self.peildatum
        space = "persoon" if ref.space == "partner" else ref.space
        given = self.spaces.get(ref.space, self.spaces.get(space))
        if given is None:
            raise MissingValue(ref)
        feit = self.rs.inputs.get(space, {}).get(ref.name)
        if ref.name in given:
            return _typed(feit, given[ref.name])
        if feit is not None and feit.standaard is not None:
            return _typed(feit, feit.standaard)
        raise MissingValue(ref)


_COMPILED: dict[tuple[str, str, str, str], Any] = {}


def _expression(rs: CompiledRegelset, space: str, text: str, expected: T) -> Any:
    """A declared check's expression, compiled once per version (it type-checked at load)."""
    key = (rs.sha256, space, text, expected.value)
    if key not in _COMPILED:

        def resolve(ref: Ref) -> T | None:
            if ref.space == "peildatum":
                return T.datum
            return _input_type(rs.inputs, ref)

        _COMPILED[key] = compile_expression(text, resolve, expected)
    return _COMPILED[key]


def _value(rs: CompiledRegelset, space: str, text: str, expected: T, scope: _Scope) -> Any:
    try:
        return _expression(rs, space, text, expected)(scope)
    except (ExpressionError, MissingValue, ArithmeticError, TypeError, ValueError):
        return None


def _repair(rs: CompiledRegelset, space: str, facts: dict[str, Any], scope: _Scope) -> bool:
    """One pass of the fact-level declarations of `rs` over `facts`; True if something moved."""
    moved = False
    for name, feit in rs.inputs[space].items():
        if name not in facts:
            continue
        value = facts[name]
        if (
            feit.bereik is not None
            and isinstance(value, (int, str))
            and not isinstance(value, bool)
        ):
            number = _typed(feit, value)
            low = _typed(feit, feit.bereik.min)
            high = _typed(feit, feit.bereik.max)
            fitted = number
            if isinstance(low, int):
                fitted = max(fitted, low)
            if isinstance(high, int):
                fitted = min(fitted, high)
            if fitted != number:
                facts[name] = format_euro(fitted) if feit.type.value == "bedrag" else fitted
                moved = True
        if isinstance(value, dt.date):
            date = value
            for text in feit.niet_voor:
                bound = _value(rs, space, text, T.datum, scope)
                if isinstance(bound, dt.date) and date < bound:
                    date = bound
            for text in feit.niet_na:
                bound = _value(rs, space, text, T.datum, scope)
                if isinstance(bound, dt.date) and date > bound:
                    date = bound
            if date != value:
                facts[name] = date
                moved = True
        if (
            feit.alleen_als is not None
            and name in facts
            and _value(rs, space, feit.alleen_als, T.waarheid, scope) is False
        ):
            del facts[name]
            moved = True
    return moved


def _violated(rs: CompiledRegelset, space: str, facts: dict[str, Any], scope: _Scope) -> list[str]:
    """Facts given in `facts` that a declared check of `rs` (controles too) still refuses."""
    out = []
    for check in rs.checks:
        if check.space != space or (check.gegeven is not None and check.gegeven not in facts):
            continue
        try:
            if check.als is not None and not check.als(scope):
                continue
            if check.eis(scope):
                continue
        except MissingValue:
            continue
        except (ArithmeticError, ValueError, TypeError):
            pass
        veld = check.gegeven or check.veld
        if veld in facts:
            out.append(veld)
    return out


def possible_case(case: dict[str, Any], regelsets: Sequence[CompiledRegelset]) -> dict[str, Any]:
    """Make a generated case one every version accepts, from the declared checks alone.

    Per version, the fact-level declarations are applied until nothing moves: a number is
    brought within `bereik`, a date after its `niet_voor` and before its `niet_na` bounds,
    and a fact the case may not give (`alleen_als` false) is left out. A fact a check
    (`controles` included) still refuses is then left out: absent input is a valid case.
    """
    peildatum = case["peildatum"]
    hh = case["huishouden"]["feiten"]
    members = {lid["id"]: lid for lid in case["huishouden"]["leden"]}

    def person(lid: dict[str, Any]) -> dict[str, Any]:
        return {**lid["feiten"], "geboortedatum": lid["geboortedatum"], "rol": lid["rol"]}

    for rs in regelsets:
        units: list[tuple[str, dict[str, Any], dict[str, dict[str, Any]]]] = [
            ("huishouden", hh, {"huishouden": hh})
        ]
        for lid in members.values():
            units.append(("persoon", lid["feiten"], {"persoon": person(lid), "huishouden": hh}))
        for aanvraag in case["aanvragen"]:
            lid = members.get(aanvraag["persoon"])
            spaces = {"aanvraag": aanvraag["feiten"], "huishouden": hh}
            if lid is not None:
                spaces["persoon"] = person(lid)
            units.append(("aanvraag", aanvraag["feiten"], spaces))
        for space, facts, spaces in units:
            scope = _Scope(rs, peildatum, spaces)
            builtin = (
                {k: spaces[space][k] for k in ("geboortedatum", "rol")}
                if space == "persoon"
                else {}
            )
            for _ in range(4):
                if space == "persoon":
                    spaces["persoon"] = {**facts, **builtin}
                if not _repair(rs, space, facts, scope):
                    break
            if space == "persoon":
                spaces["persoon"] = {**facts, **builtin}
            for name in _violated(rs, space, facts, scope):
                facts.pop(name, None)
    return case
