"""Evaluate the requests of one case: fire rules (on durable-rules, or by plain fixpoint).

`fire` is the single place where a rule meets values; the durable agenda and the
reference fixpoint both call it, so they can be compared rule for rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..casus.binding import RequestInputs
from ..engine.durable_agenda import DurableRuleset, EngineRequest, EngineRule, Scalar
from ..errors import EvaluationError
from ..language.expressions import Compiled, Context, MissingValue, Ref, T, Value
from ..regels.compiled import CompiledRegelset, CompiledRule

PER = Ref("voorziening", "bijdrage_per")


@dataclass(frozen=True)
class RuleRun:
    """The result of evaluating one rule for one request."""

    rule: CompiledRule
    order: int
    applied: bool
    used: dict[Ref, Value]
    outputs: dict[str, Value]
    failed: Compiled | None


@dataclass
class RequestRun:
    inputs: RequestInputs
    runs: list[RuleRun] = field(default_factory=list)
    derived: dict[str, Value] = field(default_factory=dict)


def request_context(
    values: Mapping[Ref, Value],
    derived: Mapping[str, Value],
    decision: Mapping[str, Value] | None = None,
) -> Context:
    """What an expression reads for one request: inputs, derived facts, optionally the decision."""

    def ctx(ref: Ref) -> Value:
        if ref.space == "afgeleid":
            if ref.name in derived:
                return derived[ref.name]
        elif ref.space == "besluit":
            if decision is not None and ref.name in decision:
                return decision[ref.name]
        elif ref in values:
            return values[ref]
        raise MissingValue(ref)

    return ctx


def fire(
    rule: CompiledRule, inputs: RequestInputs, derived: dict[str, Value], order: int
) -> RuleRun:
    """Evaluate `rule` for one request with the derived facts it needs."""
    values = inputs.values
    ctx = request_context(values, derived)

    try:
        applied = True
        failed = None
        if rule.condition is not None:
            applied = bool(rule.condition(ctx))
            if not applied:
                for part in rule.condition.conjuncts or (rule.condition,):
                    if not part(ctx):
                        failed = part
                        break
        outputs = {name: expr(ctx) for name, expr in rule.outputs.items()} if applied else {}
        if (
            applied
            and rule.kind == "eigen_bijdrage"
            and rule.regel.eigen_bijdrage
            and (rule.regel.eigen_bijdrage.per is None)
        ):
            outputs["per"] = values[PER]
    except MissingValue as exc:
        raise EvaluationError(
            f"{rule.label} reads '{exc.ref}', which this case does not have "
            "(guard it, e.g. with huishouden.heeft_partner and ...)"
        ) from None
    except (ZeroDivisionError, OverflowError, ValueError) as exc:
        raise EvaluationError(f"{rule.label}: {exc}") from None
    used = {}
    for ref in sorted(rule.reads):
        try:
            used[ref] = ctx(ref)
        except MissingValue:
            continue
    return RuleRun(rule, order, applied, used, outputs, failed)


def encode(value: Value) -> Scalar:
    if isinstance(value, dt.date):
        return value.toordinal()
    assert isinstance(value, bool | int | str)
    return value


def decode(type_: T, value: Scalar) -> Value:
    if type_ is T.datum:
        assert isinstance(value, int)
        return dt.date.fromordinal(value)
    return value


class Evaluator:
    """Runs compiled rules for the requests of a case; one per compiled regelset."""

    def __init__(self, regelset: CompiledRegelset) -> None:
        self.rs = regelset
        self.types = {name: T(f.type.value) for name, f in regelset.derived.items()}
        groups: dict[tuple[frozenset[str], tuple[str, ...]], list[int]] = {}
        for r in regelset.rules:
            groups.setdefault((r.applies_to, r.needs), []).append(r.index)
        self.engine = DurableRuleset(
            f"{regelset.meta.id}@{regelset.meta.versie}",
            [EngineRule(tuple(ix), applies, needs) for (applies, needs), ix in groups.items()],
            frozenset(regelset.catalogue),
            regelset.consumed,
        )

    def max_firings(self, requests: Sequence[RequestInputs]) -> int:
        return sum(len(self.rs.rules_for[r.voorziening]) for r in requests) + 1

    def run(self, requests: Sequence[RequestInputs]) -> list[RequestRun]:
        """Forward chaining on durable-rules."""
        results = {r.aanvraag: RequestRun(r) for r in requests}
        counter = iter(range(10**9))

        def callback(index: int, key: str, matched: dict[str, Scalar]) -> list[tuple[str, Scalar]]:
            result = results[key]
            rule = self.rs.rules[index]
            derived = {name: decode(self.types[name], v) for name, v in matched.items()}
            run = fire(rule, result.inputs, derived, next(counter))
            result.runs.append(run)
            if rule.kind != "bepaal":
                return []
            result.derived.update(run.outputs)
            return [(name, encode(value)) for name, value in run.outputs.items()]

        self.engine.run(
            [EngineRequest(r.aanvraag, r.voorziening) for r in requests],
            callback,
            self.max_firings(requests),
        )
        return [results[r.aanvraag] for r in requests]


def run_fixpoint(regelset: CompiledRegelset, requests: Sequence[RequestInputs]) -> list[RequestRun]:
    """Reference evaluation: fire every rule whose inputs exist until nothing changes."""
    out = []
    order = 0
    for request in requests:
        result = RequestRun(request)
        pending = list(regelset.rules_for[request.voorziening])
        progress = True
        while progress:
            progress = False
            for rule in list(pending):
                if all(name in result.derived for name in rule.needs):
                    run = fire(rule, request, {n: result.derived[n] for n in rule.needs}, order)
                    order += 1
                    result.runs.append(run)
                    if rule.kind == "bepaal":
                        result.derived.update(run.outputs)
                    pending.remove(rule)
                    progress = True
        out.append(result)
    return out
