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
from ..errors import CaseValueError, EvaluationError
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
    # missing is not a value: the absent input facts that left this rule open (its condition
    # or conclusion unknown); for a bepaal rule, `unknown` holds each derived fact it could
    # not define with the absent input facts behind it
    missing: frozenset[Ref] = frozenset()
    unknown: Mapping[str, frozenset[Ref]] = field(default_factory=dict)


@dataclass
class RequestRun:
    inputs: RequestInputs
    runs: list[RuleRun] = field(default_factory=list)
    derived: dict[str, Value] = field(default_factory=dict)
    unknown: dict[str, frozenset[Ref]] = field(default_factory=dict)


# a derived fact that could not be defined travels through the agenda as this value
UNKNOWN = "\x1fonbekend"  # inputs cannot hold control characters (binding)


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


def _absent_inputs(
    rule: CompiledRule,
    inputs: RequestInputs,
    unknown: Mapping[str, frozenset[Ref]],
    exc: MissingValue,
) -> frozenset[Ref]:
    """The absent input facts behind a MissingValue; any other missing name is a rule error."""
    found: set[Ref] = set()
    for ref in exc.refs:
        if ref.space == "afgeleid" and ref.name in unknown:
            found |= unknown[ref.name]
        elif ref in inputs.absent:
            found.add(ref)
        else:
            raise EvaluationError(
                f"{rule.label} reads '{ref}', which this case does not have "
                "(guard it, e.g. with huishouden.heeft_partner and ...)"
            )
    return frozenset(found)


def fire(
    rule: CompiledRule,
    inputs: RequestInputs,
    derived: dict[str, Value],
    order: int,
    unknown: Mapping[str, frozenset[Ref]] | None = None,
) -> RuleRun:
    """Evaluate `rule` for one request with the derived facts it needs.

    A rule that cannot be evaluated without an absent input fact (directly, or through a
    derived fact in `unknown`) is returned open, with those facts in `missing`.
    """
    values = inputs.values
    ctx = request_context(values, derived)
    unknown = unknown or {}
    pending: dict[str, frozenset[Ref]] = {}
    try:
        applied = True
        failed = None
        if rule.condition is not None:
            applied = bool(rule.condition(ctx))
            if not applied:
                for part in rule.condition.conjuncts or (rule.condition,):
                    try:
                        if not part(ctx):
                            failed = part
                            break
                    except MissingValue:
                        continue  # another conjunct is false: this one is not needed
        outputs = {}
        if applied:
            for name, expr in rule.outputs.items():
                try:
                    outputs[name] = expr(ctx)
                except MissingValue as exc:
                    pending[name] = _absent_inputs(rule, inputs, unknown, exc)
        if (
            applied
            and rule.kind == "eigen_bijdrage"
            and rule.regel.eigen_bijdrage
            and (rule.regel.eigen_bijdrage.per is None)
        ):
            outputs["per"] = values[PER]
    except MissingValue as exc:
        missing = _absent_inputs(rule, inputs, unknown, exc)
        return RuleRun(rule, order, False, {}, {}, None, missing)
    except (OverflowError, ValueError) as exc:
        facts = _case_facts(rule, ctx)
        if facts:  # the rules type-checked: out of range on a case's values is bad input
            raise CaseValueError(f"{rule.label}: {exc}", inputs.aanvraag, facts) from None
        raise EvaluationError(f"{rule.label}: {exc}") from None
    except ZeroDivisionError as exc:
        raise EvaluationError(f"{rule.label}: {exc}") from None
    if pending and rule.kind != "bepaal":
        missing = frozenset().union(*pending.values())
        return RuleRun(rule, order, False, {}, {}, None, missing)
    used = {}
    for ref in sorted(rule.reads):
        try:
            used[ref] = ctx(ref)
        except MissingValue:
            continue
    return RuleRun(rule, order, applied, used, outputs, failed, unknown=pending)


CASE_SPACES = frozenset({"persoon", "partner", "huishouden", "aanvraag", "peildatum"})


def _case_facts(rule: CompiledRule, ctx: Context) -> dict[str, str]:
    """The case values a rule read, as text (for a located input error)."""
    out = {}
    for ref in sorted(rule.reads):
        if ref.space in CASE_SPACES:
            try:
                out[str(ref)] = str(ctx(ref))
            except MissingValue:
                continue
    return out


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
            derived = {
                name: decode(self.types[name], v) for name, v in matched.items() if v != UNKNOWN
            }
            run = fire(rule, result.inputs, derived, next(counter), result.unknown)
            result.runs.append(run)
            if rule.kind != "bepaal":
                return []
            result.derived.update(run.outputs)
            result.unknown.update(run.unknown)
            return [(name, encode(value)) for name, value in run.outputs.items()] + [
                (name, UNKNOWN) for name in run.unknown
            ]

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
                if all(n in result.derived or n in result.unknown for n in rule.needs):
                    known = {n: result.derived[n] for n in rule.needs if n in result.derived}
                    run = fire(rule, request, known, order, result.unknown)
                    order += 1
                    result.runs.append(run)
                    if rule.kind == "bepaal":
                        result.derived.update(run.outputs)
                        result.unknown.update(run.unknown)
                    pending.remove(rule)
                    progress = True
        out.append(result)
    return out
