"""Evaluate the requests of one case: on durable-rules by strata, or by plain fixpoint.

The default path runs each voorziening's precomputed plan (its rules by stratum, their
expressions as generated Python functions) with durable-rules chaining the strata. The
reference fixpoint fires the closure-compiled rules with `fire` until nothing changes;
the two are independent implementations and are compared rule for rule in the tests. A
rule that cannot be evaluated because the case lacks a fact it reads is fired with `fire`
on the default path too: it evaluates in three-valued logic and says which absent facts
leave the rule open.

This module is longer than 500 lines because its three evaluations of the same rules (the
durable path, the reference fixpoint, and `Evaluator.decide` for the search for
alternatives) share their firing functions and are compared with each other rule for rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

from ..casus.binding import RequestInputs
from ..errors import CaseValueError, EvaluationError
from ..language.codegen import Decider, Generated, generate, generate_deciders
from ..language.expressions import Compiled, Context, MissingValue, Ref, Value
from ..regels.compiled import CompiledRegelset, CompiledRule
from .durable_agenda import agenda

NOTHING_UNKNOWN: Mapping[str, frozenset[Ref]] = MappingProxyType({})

PER = Ref("voorziening", "bijdrage_per")


class RuleRun(NamedTuple):
    """The result of evaluating one rule for one request (a tuple: cheap to make)."""

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
    unknown: Mapping[str, frozenset[Ref]] = NOTHING_UNKNOWN


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


@dataclass(frozen=True)
class _FastRule:
    """A rule with its expressions as generated Python functions (see language.codegen)."""

    rule: CompiledRule
    condition: Generated | None
    conjuncts: tuple[tuple[Compiled, Generated], ...]
    outputs: tuple[tuple[str, Generated], ...]
    per_from_voorziening: bool
    reads: tuple[Ref, ...]
    derives: tuple[tuple[str, Ref], ...]
    decide: Decider  # condition and outputs in one call, for the decision-only path


@dataclass(frozen=True)
class Plan:
    """What one voorziening runs: its rules by stratum, and each rule's place in the trace.

    Every rule for a voorziening fires exactly once (a `bepaal` rule has no condition, and a
    rule only reads facts defined for all its voorzieningen), so both are static. The trace
    order is the one the agenda always had: among the rules whose facts are known, the
    earliest-defined group first; the explanation lists steps in this order.
    """

    strata: tuple[tuple[_FastRule, ...], ...]
    position: dict[int, int]


def _strata(rules: Sequence[CompiledRule]) -> list[list[CompiledRule]]:
    definer = {name: r for r in rules if r.kind == "bepaal" for name in r.outputs}
    level: dict[int, int] = {}
    for rule in rules:  # iterative, so a long chain of derived facts cannot overflow the stack
        stack = [rule]
        while stack:
            top = stack[-1]
            if top.index in level:
                stack.pop()
                continue
            todo = [definer[n] for n in top.needs if definer[n].index not in level]
            if todo:
                stack.extend(todo)
                continue
            level[top.index] = 1 + max((level[definer[n].index] for n in top.needs), default=-1)
            stack.pop()
    out: list[list[CompiledRule]] = [[] for _ in range(1 + max(level.values(), default=-1))]
    for rule in rules:
        out[level[rule.index]].append(rule)
    return out


def _trace_order(groups: list[tuple[int, tuple[str, ...], list[CompiledRule]]]) -> list[int]:
    """Rule indices in agenda order: repeatedly the first group whose needs are all known."""
    known: set[str] = set()
    pending = list(groups)
    order: list[int] = []
    while pending:
        ready = next(
            (i for i, (_, needs, _m) in enumerate(pending) if all(n in known for n in needs)),
            None,
        )
        if ready is None:
            raise EvaluationError("a rule waits for a fact no rule for its voorziening defines")
        for rule in pending.pop(ready)[2]:
            order.append(rule.index)
            if rule.kind == "bepaal":
                known.update(rule.outputs)
    return order


class Evaluator:
    """Runs compiled rules for the requests of a case; one per compiled regelset."""

    def __init__(self, regelset: CompiledRegelset) -> None:
        self.rs = regelset
        self.label = f"regelset {regelset.meta.id} {regelset.meta.versie}"
        # groups of rules that wait for the same facts, in order of first definition
        self.group_of: dict[tuple[frozenset[str], tuple[str, ...]], int] = {}
        for r in regelset.rules:
            self.group_of.setdefault((r.applies_to, r.needs), len(self.group_of))
        self.fast: dict[int, _FastRule] = {}
        self.plans: dict[str, Plan] = {}
        self.orders: dict[str, tuple[_FastRule, ...]] = {}
        self.touched: dict[tuple[str, frozenset[Ref]], frozenset[int]] = {}

    def plan(self, voorziening: str) -> Plan:
        """The plan of one voorziening, made on first use (a cold CLI run needs one or two)."""
        found = self.plans.get(voorziening)
        if found is not None:
            return found
        rules = self.rs.rules_for[voorziening]
        self.fast.update(self._generate([r for r in rules if r.index not in self.fast]))
        groups: dict[int, tuple[int, tuple[str, ...], list[CompiledRule]]] = {}
        for r in rules:
            g = self.group_of[(r.applies_to, r.needs)]
            groups.setdefault(g, (g, r.needs, []))[2].append(r)
        order = _trace_order([groups[g] for g in sorted(groups)])
        found = Plan(
            tuple(tuple(self.fast[r.index] for r in layer) for layer in _strata(rules)),
            {index: place for place, index in enumerate(order)},
        )
        self.plans[voorziening] = found
        return found

    @staticmethod
    def _generate(rules: Sequence[CompiledRule]) -> dict[int, _FastRule]:
        exprs: list[Compiled] = []
        for r in rules:
            if r.condition is not None:
                exprs.append(r.condition)
                exprs.extend(r.condition.conjuncts)
            exprs.extend(r.outputs.values())
        functions = iter(generate(exprs))
        deciders = iter(generate_deciders([(r.condition, list(r.outputs.items())) for r in rules]))
        out = {}
        for r in rules:
            condition = conjuncts = None
            if r.condition is not None:
                condition = next(functions)
                conjuncts = tuple((c, next(functions)) for c in r.condition.conjuncts)
                if not conjuncts:
                    conjuncts = ((r.condition, condition),)
            outputs = tuple((name, next(functions)) for name in r.outputs)
            per = (
                r.kind == "eigen_bijdrage"
                and r.regel.eigen_bijdrage is not None
                and r.regel.eigen_bijdrage.per is None
            )
            derives = (
                tuple((n, Ref("afgeleid", n)) for n in r.outputs) if r.kind == "bepaal" else ()
            )
            out[r.index] = _FastRule(
                r,
                condition,
                conjuncts or (),
                outputs,
                per,
                tuple(sorted(r.reads)),
                derives,
                next(deciders),
            )
        return out

    def fixpoint_order(self, voorziening: str) -> tuple[_FastRule, ...]:
        """The rules of a voorziening in the order `run_fixpoint` fires them (static: a
        `bepaal` rule always defines or leaves unknown each of its facts)."""
        found = self.orders.get(voorziening)
        if found is not None:
            return found
        self.plan(voorziening)
        known: set[str] = set()
        pending = list(self.rs.rules_for[voorziening])
        order: list[_FastRule] = []
        progress = True
        while progress:
            progress = False
            for rule in list(pending):
                if all(n in known for n in rule.needs):
                    order.append(self.fast[rule.index])
                    if rule.kind == "bepaal":
                        known.update(rule.outputs)
                    pending.remove(rule)
                    progress = True
        found = self.orders[voorziening] = tuple(order)
        return found

    def decide(
        self,
        request: RequestInputs,
        base: RequestRun | None = None,
        changed: frozenset[Ref] = frozenset(),
    ) -> RequestRun:
        """One request decided as `run_fixpoint` decides it (same runs, same order, same
        errors) but on the generated functions: for searches that decide many variants of a
        request (alternatives). No durable-rules, no explanation facts.

        With `base` (this method's result for the same request before the input facts in
        `changed` changed), only the rules that read a changed fact, directly or through a
        derived fact, are evaluated again; every other rule's run is the base's.
        """
        result = RequestRun(request)
        env = dict(request.values)
        order_ = self.fixpoint_order(request.voorziening)
        again = None if base is None else self.affected(request.voorziening, changed)
        for order, fast in enumerate(order_):
            if again is not None and base is not None and fast.rule.index not in again:
                run = base.runs[order]
            else:
                run = decide_rule(fast, env, request, result.derived, order, result.unknown)
            result.unknown.update(run.unknown)
            result.runs.append(run)
            for name, ref in fast.derives:
                if name in run.outputs:
                    env[ref] = result.derived[name] = run.outputs[name]
        return result

    def affected(self, voorziening: str, changed: frozenset[Ref]) -> frozenset[int]:
        """The rules of `voorziening` whose run can change when the facts `changed` do."""
        key = (voorziening, changed)
        found = self.touched.get(key)
        if found is None:
            names: set[str] = set()
            out: set[int] = set()
            for fast in self.fixpoint_order(voorziening):
                rule = fast.rule
                if not changed.isdisjoint(rule.reads) or not names.isdisjoint(rule.needs):
                    out.add(rule.index)
                    if rule.kind == "bepaal":
                        names.update(rule.outputs)
            if len(self.touched) > 4096:
                self.touched.clear()
            found = self.touched[key] = frozenset(out)
        return found

    def run(self, requests: Sequence[RequestInputs], explain: bool = True) -> list[RequestRun]:
        """Forward chaining on durable-rules, one stratum of every request per action."""
        results = [RequestRun(r) for r in requests]
        work = [
            (result, dict(result.inputs.values), self.plan(result.inputs.voorziening))
            for result in results
        ]
        label = self.label

        def step(stratum: int) -> None:
            for result, env, plan in work:
                if stratum >= len(plan.strata):
                    continue
                aanvraag = result.inputs.aanvraag
                position = plan.position
                for fast in plan.strata[stratum]:
                    order = position[fast.rule.index]
                    try:
                        if explain:
                            run = _fire_fast(fast, env, order, explain, aanvraag)
                        else:
                            run = _decide_fast(fast, env, order, aanvraag)
                    except MissingValue:
                        # a fact the rule reads is absent (or a derived fact it reads could
                        # not be defined): the reference firing says what that leaves open
                        run = fire(fast.rule, result.inputs, result.derived, order, result.unknown)
                        result.unknown.update(run.unknown)
                    result.runs.append(run)
                    for name, ref in fast.derives:
                        if name in run.outputs:
                            value = run.outputs[name]
                            env[ref] = value
                            result.derived[name] = value

        strata = max((len(plan.strata) for _, _, plan in work), default=0)
        agenda().run(strata, step, label)
        return results


def decide_rule(
    fast: _FastRule,
    env: dict[Ref, Value],
    request: RequestInputs,
    derived: dict[str, Value],
    order: int,
    unknown: Mapping[str, frozenset[Ref]] | None = None,
) -> RuleRun:
    """`fire` without the facts for explaining, on the generated decider: `env` holds the
    request's values and the derived facts so far (as `afgeleid` refs), `derived` the same
    derived facts by name. A rule that reads an absent fact is fired the reference way."""
    try:
        return _decide_fast(fast, env, order, request.aanvraag)
    except MissingValue:
        return fire(fast.rule, request, derived, order, unknown)


def _decide_fast(fast: _FastRule, env: dict[Ref, Value], order: int, aanvraag: str) -> RuleRun:
    """The decision-only firing: one generated call per rule, nothing kept for explaining.

    A MissingValue propagates: the caller fires the rule the reference way instead.
    """
    try:
        outputs = fast.decide(env)
    except (OverflowError, ValueError) as exc:
        raise _value_error(fast, env, exc, aanvraag) from None
    except ZeroDivisionError as exc:
        raise EvaluationError(f"{fast.rule.label}: {exc}") from None
    if outputs is None:
        return RuleRun(fast.rule, order, False, {}, {}, None)
    if fast.per_from_voorziening:
        outputs["per"] = env[PER]
    return RuleRun(fast.rule, order, True, {}, outputs, None)


def _fire_fast(
    fast: _FastRule, env: dict[Ref, Value], order: int, explain: bool, aanvraag: str
) -> RuleRun:
    """`fire` on generated functions; without `explain` the facts used are not collected.

    A MissingValue propagates (generated code is three-valued like the closures): the
    caller fires the rule the reference way, which says what an absent fact leaves open.
    """
    rule = fast.rule
    try:
        applied = True
        failed = None
        if fast.condition is not None:
            applied = bool(fast.condition(env))
            if not applied and explain:
                for part, fn in fast.conjuncts:
                    if not fn(env):
                        failed = part
                        break
        outputs = {name: fn(env) for name, fn in fast.outputs} if applied else {}
        if applied and fast.per_from_voorziening:
            outputs["per"] = env[PER]
    except (OverflowError, ValueError) as exc:
        raise _value_error(fast, env, exc, aanvraag) from None
    except ZeroDivisionError as exc:
        raise EvaluationError(f"{rule.label}: {exc}") from None
    used = {ref: env[ref] for ref in fast.reads if ref in env} if explain else {}
    return RuleRun(rule, order, applied, used, outputs, failed)


def _value_error(
    fast: _FastRule, env: Mapping[Ref, Value], exc: Exception, aanvraag: str
) -> Exception:
    """Out of range on a case's own values is bad input, located in the case; else a rule fault."""
    facts = {
        str(ref): str(env[ref]) for ref in fast.reads if ref.space in CASE_SPACES and ref in env
    }
    if facts:  # the rules type-checked: out of range on a case's values is bad input
        return CaseValueError(f"{fast.rule.label}: {exc}", aanvraag, facts)
    return EvaluationError(f"{fast.rule.label}: {exc}")


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
