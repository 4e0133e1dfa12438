"""Generated facts made possible: the vocabulary's declared checks hold for them.

A generated household must be a case the engine accepts: date facts in their declared
order, and a fact left out where `alleen_als` says the case may not give it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..language.expressions import (
    ExpressionError,
    MissingValue,
    Ref,
    T,
    compile_expression,
    parse_euro,
)
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
