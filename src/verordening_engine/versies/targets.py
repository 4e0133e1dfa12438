"""What a population must reach, read from the compiled rules of the versions compared.

Every comparison in a condition or a derived fact whose one side is an input fact (or an
age or duration computed from an input date) and whose other side the versions fix (a
parameter on the peildatum, a constant) is a *boundary*: the generator tries values on both
sides of it, for the values of every version. Every rule that can decide a request (each
besluit: a refusal ground, a verwijzing, a grant; each eigen bijdrage regime) is a
*target*: the generator steers households into its condition and out of the conditions of
the rules that would set it aside.

The module is longer than 500 lines because the boundary collection, the relations between
facts and the solver read the same forms of expression and share their helpers; split, each
part would re-implement how a term and a threshold are recognised.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import itertools
import re
from collections.abc import Callable, Sequence
from typing import Any

from ..language.expressions import (
    ExpressionError,
    Ref,
    T,
    add_months,
    compile_expression,
    format_euro,
    parse_euro,
)
from ..regels.compiled import (
    BUILTIN_HUISHOUDEN,
    BUILTIN_VOORZIENING,
    EURO_UNITS,
    CompiledRegelset,
    CompiledRule,
)
from .constraints import Constraints, Term, sort_key, years_to_months

RELATIVE = ("aanvraag", "huishouden")
_SYMBOL = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_FLIP = {ast.Lt: ast.Gt, ast.LtE: ast.GtE, ast.Gt: ast.Lt, ast.GtE: ast.LtE}


class Thresholds:
    """Boundaries per term and a solver that turns a condition into constraints."""

    def __init__(self, regelsets: Sequence[CompiledRegelset], peildatum: dt.date) -> None:
        self.regelsets = list(regelsets)
        self.peildatum = peildatum
        self.values: dict[Term, set[Any]] = {}
        self._tests: dict[tuple[str, str], list[str]] = {}
        self.relations: dict[str, list[tuple[Term, Any, Callable[[Ref], Any]]]] = {}
        self._seen_relations: set[tuple[str, Term, str]] = set()
        self._applies: list[str] = []
        self._others: dict[
            tuple[str, str, str], Callable[[dict[str, dict[str, Any]]], Any] | None
        ] = {}
        # the node is kept with its value, so that its id is not reused while cached
        self._constants: dict[tuple[str, str, int], tuple[ast.AST, tuple[Any, T] | None]] = {}
        for rs in self.regelsets:
            for rule in rs.rules:
                sources = [rule.regel.als] if rule.regel.als else []
                if rule.kind == "bepaal":
                    sources += [e.source for e in rule.outputs.values()]
                self._applies = sorted(rule.applies_to)
                for source in sources:
                    for voorziening in self._applies[:1]:
                        self._collect(rs, voorziening, source)

    # ------------------------------------------------------------------ evaluation helpers
    def _param_ctx(self, rs: CompiledRegelset, voorziening: str) -> Callable[[Ref], Any]:
        item = rs.catalogue[voorziening]

        def ctx(ref: Ref) -> Any:
            if ref.space == "peildatum":
                return self.peildatum
            if ref.space == "param":
                value = rs.param_at(ref.name, self.peildatum)
                if value is None:
                    raise KeyError(ref)
                return value.value
            if ref.space == "voorziening":
                if ref.name == "kenmerken":
                    return frozenset(item.kenmerken)
                if ref.name in BUILTIN_VOORZIENING:
                    return getattr(item, ref.name)
                pname = item.parameters[ref.name]
                value = rs.param_at(pname, self.peildatum)
                if value is None:
                    raise KeyError(ref)
                return value.value
            raise KeyError(ref)

        return ctx

    def _constant(self, rs: CompiledRegelset, voorziening: str, node: ast.AST) -> Any:
        found = self._typed_constant(rs, voorziening, node)
        return None if found is None else found[0]

    def _typed_constant(
        self, rs: CompiledRegelset, voorziening: str, node: ast.AST
    ) -> tuple[Any, T] | None:
        key = (rs.sha256, voorziening, id(node))
        if key not in self._constants:
            self._constants[key] = (node, self._compute_constant(rs, voorziening, node))
        return self._constants[key][1]

    def _compute_constant(
        self, rs: CompiledRegelset, voorziening: str, node: ast.AST
    ) -> tuple[Any, T] | None:
        """The value of an expression that reads only parameters, constants and the
        peildatum (None when it reads case facts or cannot be computed)."""

        def resolve(ref: Ref) -> T | None:
            if ref.space == "peildatum":
                return T.datum
            if ref.space == "param" and ref.name in rs.parameters:
                unit = rs.parameter_units[ref.name]
                return T.bedrag if unit in EURO_UNITS else T.getal
            if ref.space == "voorziening":
                if ref.name == "kenmerken":
                    return T.lijst_tekst
                if ref.name in BUILTIN_VOORZIENING:
                    return T.tekst
                if ref.name in rs.catalogue[voorziening].parameters:
                    return T.bedrag
            return None

        try:
            compiled = compile_expression(ast.unparse(node), resolve)
            return compiled(self._param_ctx(rs, voorziening)), compiled.type
        except (ExpressionError, KeyError, ArithmeticError, OverflowError):
            return None

    def _term(self, rs: CompiledRegelset, node: ast.AST, depth: int = 0) -> tuple[Term, T] | None:
        """The settable term an expression stands for, with its type."""
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            space = node.value.id
            if space in ("persoon", "partner", "huishouden", "aanvraag"):
                base = "persoon" if space == "partner" else space
                if node.attr == "geboortedatum" and base == "persoon":
                    return ("input", space, node.attr), T.datum
                if space == "huishouden" and node.attr in (
                    "aantal_kinderen",
                    "aantal_leden",
                    "aantal_minderjarige_kinderen",
                ):
                    return ("input", space, node.attr), T.getal
                feit = rs.inputs.get(base, {}).get(node.attr)
                if feit is not None:
                    return ("input", space, node.attr), T(feit.type.value)
            return None
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("maanden_tussen", "jaren_tussen")
            and len(node.args) == 2
            and isinstance(node.args[1], ast.Name)
            and self._on_peildatum(rs, node.args[1])
        ):
            inner = self._term(rs, node.args[0], depth + 1)
            if inner is not None and inner[0][0] == "input" and inner[1] == T.datum:
                kind = "months" if node.func.id == "maanden_tussen" else "years"
                return (kind, inner[0][1], inner[0][2]), T.getal
            return None
        if isinstance(node, ast.Name) and depth < 4:
            definition = self._definition(rs, node.id)
            if definition is not None:
                return self._term(rs, definition, depth + 1)
        return None

    def _on_peildatum(self, rs: CompiledRegelset, node: ast.Name) -> bool:
        """Whether a date is the peildatum, or a derived date that is the peildatum in one of
        its branches (the ingang of support that the Jeugdwet does not also give): an age on
        it is then steered as an age on the peildatum, and the engine decides the rest."""
        if node.id == "peildatum":
            return True
        definition = self._definition(rs, node.id)
        return isinstance(definition, ast.IfExp) and any(
            isinstance(side, ast.Name) and side.id == "peildatum"
            for side in (definition.body, definition.orelse)
        )

    def _definition(self, rs: CompiledRegelset, name: str) -> ast.AST | None:
        for rule in rs.rules:
            if rule.kind == "bepaal" and name in rule.outputs and rule.regel.als is None:
                return _parse(rule.outputs[name].source)
        return None

    # ------------------------------------------------------------------ boundaries
    def _collect(self, rs: CompiledRegelset, voorziening: str, source: str) -> None:
        try:
            tree = ast.parse(source.strip(), mode="eval")
        except SyntaxError:
            return
        for node in ast.walk(tree):
            if not isinstance(node, ast.Compare):
                continue
            operands = [node.left, *node.comparators]
            for left, right in itertools.pairwise(operands):
                for a, b in ((left, right), (right, left)):
                    found = self._term(rs, a)
                    if found is None:
                        continue
                    values = self._threshold_values(rs, voorziening, b)
                    for value in values:
                        if value[1] is None or value[1] == found[1]:
                            self._add(found[0], found[1], value[0])
                    direct = self._typed_constant(rs, voorziening, b)
                    if direct is None and found[0][0] == "input" and found[0][1] in RELATIVE:
                        self._relate(rs, voorziening, found, b)

    def _relate(
        self, rs: CompiledRegelset, voorziening: str, found: tuple[Term, T], node: ast.AST
    ) -> None:
        """A comparison with another fact of the same request (a date plus a term, another
        amount): kept, so the generator can put the fact right at that other value."""

        def resolve(ref: Ref) -> T | None:
            if ref.space == "peildatum":
                return T.datum
            if ref.space == "param" and ref.name in rs.parameters:
                return T.bedrag if rs.parameter_units[ref.name] in EURO_UNITS else T.getal
            if ref.space in RELATIVE:
                feit = rs.inputs[ref.space].get(ref.name)
                return T(feit.type.value) if feit else None
            return None

        try:
            compiled = compile_expression(ast.unparse(node), resolve)
        except ExpressionError:
            return
        if compiled.type != found[1]:
            return
        for each in self._applies or [voorziening]:
            key = (each, found[0], f"{rs.sha256}:{compiled.source}")
            if key not in self._seen_relations:
                self._seen_relations.add(key)
                self.relations.setdefault(each, []).append(
                    (found[0], compiled, self._param_ctx(rs, each))
                )

    def _other_side(
        self, rs: CompiledRegelset, voorziening: str, node: ast.AST, type_: T
    ) -> Callable[[dict[str, dict[str, Any]]], Any] | None:
        """The other side of a comparison with another fact of the case, as a function of the
        case's facts (None when it reads more than the request's and household's facts)."""
        key = (rs.sha256, voorziening, ast.unparse(node))
        if key not in self._others:
            self._others[key] = self._compile_other(rs, voorziening, node, type_)
        return self._others[key]

    def _compile_other(
        self, rs: CompiledRegelset, voorziening: str, node: ast.AST, type_: T
    ) -> Callable[[dict[str, dict[str, Any]]], Any] | None:
        derived: dict[str, Any] = {}  # derived facts read, compiled from their definitions

        def resolve(ref: Ref) -> T | None:
            if ref.space == "peildatum":
                return T.datum
            if ref.space == "param" and ref.name in rs.parameters:
                return T.bedrag if rs.parameter_units[ref.name] in EURO_UNITS else T.getal
            if ref.space == "huishouden" and ref.name in BUILTIN_HUISHOUDEN:
                return BUILTIN_HUISHOUDEN[ref.name]
            if ref.space in RELATIVE:
                feit = rs.inputs[ref.space].get(ref.name)
                return T(feit.type.value) if feit else None
            if ref.space == "afgeleid" and len(derived) < 4:
                definition = self._definition(rs, ref.name)
                if definition is None:
                    return None
                try:
                    derived[ref.name] = compile_expression(ast.unparse(definition), resolve)
                except ExpressionError:
                    return None
                return derived[ref.name].type  # type: ignore[no-any-return]
            return None

        try:
            compiled = compile_expression(ast.unparse(node), resolve)
        except ExpressionError:
            return None
        if compiled.type != type_:
            return None
        params = self._param_ctx(rs, voorziening)

        def other(facts: dict[str, dict[str, Any]]) -> Any:
            def ctx(ref: Ref) -> Any:
                if ref.space in RELATIVE:
                    value = facts.get(ref.space, {}).get(ref.name)
                    if value is None:
                        raise KeyError(ref)
                    return parse_euro(value) if isinstance(value, str) and _money(value) else value
                if ref.space == "afgeleid":
                    return derived[ref.name](ctx)
                return params(ref)

            return compiled(ctx)

        return other

    def nudge(
        self, voorziening: str, facts: dict[str, dict[str, Any]], pick: Callable[[int], int]
    ) -> None:
        """Put one fact of a request right at (or one unit beside) another fact it is compared
        with, e.g. the day a term ends; `facts` maps aanvraag/huishouden to their values."""
        for term, compiled, params in self.relations.get(voorziening, ()):
            if pick(2):
                continue
            space, name = term[1], term[2]
            if name not in facts.get(space, {}):
                continue

            def ctx(ref: Ref, params: Callable[[Ref], Any] = params) -> Any:
                if ref.space in RELATIVE:
                    value = facts.get(ref.space, {}).get(ref.name)
                    if value is None:
                        raise KeyError(ref)
                    return parse_euro(value) if isinstance(value, str) and _money(value) else value
                return params(ref)

            recent = self.peildatum - dt.timedelta(days=3653)
            for ref in compiled.reads:  # an event long ago (a default) made recent first
                other = facts.get(ref.space, {}).get(ref.name)
                if isinstance(other, dt.date) and other < recent:
                    facts[ref.space][ref.name] = add_months(self.peildatum, -1 - pick(36))
            try:
                target = compiled(ctx)
            except (KeyError, ArithmeticError, OverflowError, ValueError):
                continue
            step = pick(3) - 1
            if isinstance(target, dt.date):
                value: Any = target + dt.timedelta(days=step)
                if not recent <= value <= self.peildatum:
                    continue
            elif isinstance(target, int) and not isinstance(target, bool):
                value = max(target + step, 0)
                if isinstance(facts[space][name], str):
                    value = format_euro(value)
            else:
                continue
            facts[space][name] = value

    def _threshold_values(
        self, rs: CompiledRegelset, voorziening: str, node: ast.AST
    ) -> list[tuple[Any, T | None]]:
        """Threshold values with their type (None: unknown, e.g. a date or a text)."""
        typed = self._typed_constant(rs, voorziening, node)
        if typed is not None:
            return [typed]
        # a derived fact chosen among parameters (a limit per leefvorm): each candidate counts
        out: list[tuple[Any, T | None]] = []
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name):
                definition = self._definition(rs, sub.id)
                if definition is not None:
                    out += self._threshold_values(rs, voorziening, definition)
            if (
                isinstance(sub, ast.Attribute)
                and isinstance(sub.value, ast.Name)
                and sub.value.id == "param"
            ):
                found = self._typed_constant(rs, voorziening, sub)
                if found is not None:
                    out.append(found)
        return out

    def _add(self, term: Term, type_: T, value: Any) -> None:
        if term[0] == "years" and isinstance(value, int):
            term = ("months", term[1], term[2])
            bucket = self.values.setdefault(term, set())
            for months in (12 * value - 1, 12 * value, 12 * value + 1, 12 * value + 11):
                bucket.add(months)
            return
        bucket = self.values.setdefault(term, set())
        if isinstance(value, dt.date) and type_ == T.datum:
            bucket.update({value - dt.timedelta(days=1), value, value + dt.timedelta(days=1)})
        elif (
            isinstance(value, int) and not isinstance(value, bool) and type_ in (T.getal, T.bedrag)
        ):
            bucket.update({value - 1, value, value + 1})
        elif isinstance(value, str) and type_ == T.tekst:
            bucket.add(value)

    def candidates(self, term: Term) -> list[Any]:
        return sorted(self.values.get(term, ()), key=sort_key)

    # ------------------------------------------------------------------ steering
    def steer(
        self,
        rs: CompiledRegelset,
        voorziening: str,
        rule: CompiledRule,
        choose: Callable[[int], int],
        visit: int | None = None,
    ) -> Constraints | None:
        """Constraints that make `rule` decide for `voorziening`: its condition holds and
        the conditions of the rules that set it aside do not (None when it cannot decide
        for this voorziening, e.g. a condition on a kenmerk it does not have).

        `visit` counts the households steered at this rule so far: the sides of the choices
        in what a grant gets are then enumerated (visit 0, 1, 2, 3 take the four combinations
        of the first two choices, and so on) instead of drawn, so that a rare combination (a
        single without minor children granted the IIT) is not left to chance."""
        out = Constraints()
        goals: list[tuple[str, bool]] = []
        if rule.regel.als:
            goals.append((rule.regel.als, True))
        if rule.kind in ("eigen_bijdrage", "vaststelling"):  # only said of a grant
            grants = [
                r
                for r in rs.rules_for.get(voorziening, ())
                if r.kind == "besluit"
                and r.regel.besluit is not None
                and r.regel.besluit.uitkomst.value == "toegekend"
            ]
            if grants:
                grant = grants[choose(len(grants))]
                if grant.regel.als:
                    goals.append((grant.regel.als, True))
                goals += self._not_defeated(rs, voorziening, grant)
        goals += self._not_defeated(rs, voorziening, rule)
        # an exception decides only where the rule it is an exception to would apply
        overridden = [
            rs.rule_by_id[i]
            for i in rule.regel.uitzondering_op
            if i in rs.rule_by_id and voorziening in rs.rule_by_id[i].applies_to
        ]
        if overridden:
            base = overridden[choose(len(overridden))]
            if base.regel.als:
                goals.append((base.regel.als, True))
        if rule.kind in ("eigen_bijdrage", "vaststelling") or (
            rule.regel.besluit is not None and rule.regel.besluit.uitkomst.value == "toegekend"
        ):
            goals += self._branches(rs, voorziening, choose, visit)
        for source, want in goals:
            tree = _parse(source)
            solved = self._solve(rs, voorziening, tree, want, out, choose)
            if not solved and (source, want) == goals[0]:
                return None
        return out

    def _branches(
        self,
        rs: CompiledRegelset,
        voorziening: str,
        choose: Callable[[int], int],
        visit: int | None = None,
    ) -> list[tuple[str, bool]]:
        """Each choice inside what a granted request gets (an amount per leefvorm, a
        percentage per kind of help): one side of it, drawn, so every regime is reached."""
        key = (rs.sha256, voorziening)
        tests = self._tests.get(key)
        if tests is None:
            found = [
                ast.unparse(node.test)
                for rule in rs.rules_for.get(voorziening, ())
                if rule.kind != "besluit"
                for expr in rule.outputs.values()
                for node in ast.walk(_parse(expr.source))
                if isinstance(node, ast.IfExp)
            ]
            tests = self._tests[key] = list(dict.fromkeys(found))  # each test once
        if visit is None:
            return [(test, choose(2) == 0) for test in tests]
        return [
            (test, (visit >> i) % 2 == 0 if i < 2 or (1 << i) <= visit else choose(2) == 0)
            for i, test in enumerate(tests)
        ]

    def _not_defeated(
        self, rs: CompiledRegelset, voorziening: str, rule: CompiledRule
    ) -> list[tuple[str, bool]]:
        out = []
        for other in rs.rules_for.get(voorziening, ()):
            if rule.id in rs.defeats.get(other.id, frozenset()) and other.regel.als:
                out.append((other.regel.als, False))
        return out

    def _solve(
        self,
        rs: CompiledRegelset,
        voorziening: str,
        node: ast.AST,
        want: bool,
        out: Constraints,
        choose: Callable[[int], int],
        depth: int = 0,
    ) -> bool:
        """Add constraints making `node` evaluate to `want`; False when it cannot."""
        if depth > 8:
            return True
        if isinstance(node, ast.BoolOp):
            every = isinstance(node.op, ast.And) == want
            if every:
                return all(
                    self._solve(rs, voorziening, v, want, out, choose, depth + 1)
                    for v in node.values
                )
            order = list(node.values)
            start = choose(len(order))
            order = order[start:] + order[:start]
            return any(
                self._solve(rs, voorziening, v, want, out, choose, depth + 1) for v in order[:1]
            ) or any(
                self._solve(rs, voorziening, v, want, out, choose, depth + 1) for v in order[1:]
            )
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return self._solve(rs, voorziening, node.operand, not want, out, choose, depth + 1)
        constant = self._constant(rs, voorziening, node)
        if isinstance(constant, bool):
            return constant == want
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            pairs = list(itertools.pairwise(operands))
            if want or len(pairs) == 1:
                ok = True
                for (a, b), op in zip(pairs, node.ops, strict=True):
                    ok = self._compare(rs, voorziening, a, op, b, want, out) and ok
                return ok
            (a, b), op = pairs[choose(len(pairs))], node.ops[0]
            return self._compare(rs, voorziening, a, op, b, False, out)
        if isinstance(node, ast.IfExp):
            return True  # a choice between values: left to the draw
        found = self._term(rs, node) if not isinstance(node, ast.Name) else None
        if found is not None and found[1] == T.waarheid:
            return out.fix(found[0], want)
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "huishouden"
            and node.attr == "heeft_partner"
        ):
            return out.fix(("input", "huishouden", "heeft_partner"), want)
        if isinstance(node, ast.Name):
            definition = self._definition(rs, node.id)
            if definition is not None:
                return self._solve(rs, voorziening, definition, want, out, choose, depth + 1)
        return True  # not steerable: left to the draw

    def _compare(
        self,
        rs: CompiledRegelset,
        voorziening: str,
        a: ast.AST,
        op: ast.cmpop,
        b: ast.AST,
        want: bool,
        out: Constraints,
    ) -> bool:
        if isinstance(op, ast.In | ast.NotIn):
            found = self._term(rs, a)
            values = self._constant(rs, voorziening, b)
            if found is None or not isinstance(values, frozenset):
                return True
            inside = want != isinstance(op, ast.NotIn)
            if inside:
                out.fix(found[0], sorted(values)[0] if len(values) == 1 else ("een van", values))
            else:
                for v in values:
                    out.exclude(found[0], v)
            return True
        value_side, oper = b, type(op)
        found = self._term(rs, a)
        if found is None:
            found = self._term(rs, b)
            value_side = a
            oper = _FLIP.get(oper, oper)
        if found is None:
            return True
        value = self._constant(rs, voorziening, value_side)
        term, type_ = found
        if value is None:
            if term[0] == "input" and term[1] in RELATIVE:
                other = self._other_side(rs, voorziening, value_side, type_)
                if other is not None:
                    symbol = _SYMBOL[oper] if want else _NEGATED[_SYMBOL[oper]]
                    out.relations.append((term, symbol, other))
            return True
        symbol = _SYMBOL[oper] if want else _NEGATED[_SYMBOL[oper]]
        if term[0] == "years":
            term = ("months", term[1], term[2])
            value, symbol = years_to_months(value, symbol)
        if type_ == T.tekst or type_ == T.waarheid:
            if symbol == "==":
                return out.fix(term, value)
            if symbol == "!=":
                return out.exclude(term, value)
            return True
        if symbol == "==":
            out.fix(term, value)
        else:
            out.bound(term, symbol, value)
        return True


@functools.lru_cache(maxsize=4096)
def _parse(source: str) -> ast.expr:
    """An expression's tree, parsed once (the trees are only read)."""
    return ast.parse(source.strip(), mode="eval").body


def _money(text: str) -> bool:
    return bool(re.fullmatch(r"-?[0-9]+\.[0-9]{2}", text))
