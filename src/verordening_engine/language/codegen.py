"""Checked rule expressions as plain Python functions, generated from their syntax tree.

`compile_expression` has already accepted and type-checked every node; here the same
tree is written out as Python source of our own making (names become dictionary reads,
constants and helpers become module globals, never rule text) and compiled once per
regelset. A generated function takes one mapping from `Ref` to value and is several
times faster than the closure tree. Anything the generator cannot write (a tree too deep
for Python's compiler, say) keeps the closure, so every valid rule still runs.
"""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .types import Compiled, Ref, Value
from .values import add_months, months_between, parse_euro, round_half_up_percent

Env = Mapping[Ref, Value]
Generated = Callable[[Env], Any]


def _zero(message: str) -> Any:
    raise ZeroDivisionError(message)


def _years_between(x: dt.date, y: dt.date) -> int:
    return months_between(x, y) // 12 if y >= x else -(months_between(y, x) // 12)


# the same operations the closures in functions.py use
_HELPERS: dict[str, Any] = {
    "_jaren_tussen": _years_between,
    "_maanden_tussen": months_between,
    "_dagen_tussen": lambda x, y: (y - x).days,
    "_plus_jaren": lambda x, k: add_months(x, 12 * k),
    "_plus_maanden": add_months,
    "_plus_weken": lambda x, k: x + dt.timedelta(weeks=k),
    "_plus_dagen": lambda x, k: x + dt.timedelta(days=k),
    # plus_werkdagen is not here: it takes the feestdagen of the rules, so it runs as closure
    "_procent": round_half_up_percent,
    "_min": min,
    "_max": max,
    "_zero": _zero,
}
# how many arguments each helper takes, as functions.py checks them (None: two or more);
# a call with another count is never written (it would be another function than checked)
_ARITY: dict[str, int | None] = {
    "jaren_tussen": 2,
    "maanden_tussen": 2,
    "dagen_tussen": 2,
    "plus_jaren": 2,
    "plus_maanden": 2,
    "plus_weken": 2,
    "plus_dagen": 2,
    "procent": 2,
    "min": None,
    "max": None,
}
_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.FloorDiv: "//", ast.Mod: "%"}
_CMP = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}


class _Writer:
    """Python source for one checked tree; values that are not literals become globals."""

    def __init__(self, names: dict[str, Any], text: str) -> None:
        self.names = names
        self.text = text
        self.temps = 0

    def constant(self, value: object) -> str:
        name = f"_k{len(self.names)}"
        self.names[name] = value
        return name

    def ref(self, ref: Ref) -> str:
        return f"v[{self.constant(ref)}]"

    def write(self, node: ast.expr) -> str:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool | int | str):
                return repr(node.value)
        elif isinstance(node, ast.Name):
            if node.id in ("waar", "onwaar"):
                return "True" if node.id == "waar" else "False"
            space = "peildatum" if node.id == "peildatum" else "afgeleid"
            return self.ref(Ref(space, node.id))
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            return self.ref(Ref(node.value.id, node.attr))
        elif isinstance(node, ast.BoolOp):
            word = " and " if isinstance(node.op, ast.And) else " or "
            return "(" + word.join(self.write(v) for v in node.values) + ")"
        elif isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                return f"(not {self.write(node.operand)})"
            if isinstance(node.op, ast.USub):
                return f"(-{self.write(node.operand)})"
        elif isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            left, right = self.write(node.left), self.write(node.right)
            symbol = _OPS[type(node.op)]
            if symbol in ("//", "%"):
                # the divisor first, as the closure does, then the dividend
                self.temps += 1
                t = f"_t{self.temps}"
                segment = ast.get_source_segment(self.text, node) or self.text
                msg = self.constant(f"division by zero in '{segment}'")
                return f"(_zero({msg}) if ({t} := {right}) == 0 else {left} {symbol} {t})"
            return f"({left} {symbol} {right})"
        elif isinstance(node, ast.Compare):
            parts = [self.write(node.left)]
            for op, comparator in zip(node.ops, node.comparators, strict=True):
                if isinstance(op, ast.In):
                    symbol = "in"
                elif isinstance(op, ast.NotIn):
                    symbol = "not in"
                else:
                    symbol = _CMP[type(op)]
                parts += [symbol, self.write(comparator)]
            return "(" + " ".join(parts) + ")"
        elif isinstance(node, ast.IfExp):
            test, body, orelse = (
                self.write(node.test),
                self.write(node.body),
                self.write(node.orelse),
            )
            return f"({body} if {test} else {orelse})"
        elif isinstance(node, ast.List | ast.Tuple | ast.Set):
            return self.constant(frozenset(_constant(e) for e in node.elts))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            if name in ("euro", "datum"):
                return self.constant(_constant(node))
            if name in _ARITY and not node.keywords:
                arity = _ARITY[name]
                if len(node.args) == arity or (arity is None and len(node.args) >= 2):
                    args = ", ".join(self.write(a) for a in node.args)
                    return f"_{name}({args})"
        raise ValueError(f"cannot generate code for {ast.dump(node)[:80]}")


def _constant(node: ast.expr) -> Any:
    """The value of a constant element (a checked list holds only literal texts or numbers)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | str):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_constant(node.operand)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
        arg = node.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            if node.func.id == "euro":
                return parse_euro(arg.value)
            if node.func.id == "datum":
                return dt.date.fromisoformat(arg.value)
    raise ValueError("not a constant")


# A name the mapping lacks hands the whole expression to its closure: the rule language is
# three-valued on missing facts (`x or y` is true when y is, even if x is unknown), which
# the closures implement and plain Python operators do not. With every name present the
# generated code computes what the closure computes, in the same order, errors included.
_BODY = """
def {name}(v):
    try:
        return {code}
    except KeyError:
        return _c{name}(v)
"""


def _closure(expr: Compiled) -> Generated:
    from .expressions import constant_env

    fn = expr.fn
    return lambda env: fn(constant_env(env))


def _one(expr: Compiled, names: dict[str, Any]) -> str | None:
    if expr.node is None:
        return None
    try:
        return _Writer(names, expr.text).write(expr.node)
    except (ValueError, RecursionError):
        return None


def generate(exprs: Sequence[Compiled]) -> list[Generated]:
    """One function per expression, in order; compiled together as one module."""
    names: dict[str, Any] = dict(_HELPERS)
    codes = [_one(e, names) for e in exprs]
    source = "".join(
        _BODY.format(name=f"_f{i}", code=code) for i, code in enumerate(codes) if code is not None
    )
    namespace: dict[str, Any] = {"__builtins__": {}, "KeyError": KeyError, **names}
    namespace.update({f"_c_f{i}": _closure(e) for i, e in enumerate(exprs)})
    try:
        exec(compile(source, "<verordening: generated rules>", "exec"), namespace)
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        if len(exprs) > 1:  # find the expression Python cannot compile; keep the others
            return [g for e in exprs for g in generate([e])]
        return [_closure(e) for e in exprs]
    return [
        namespace[f"_f{i}"] if code is not None else _closure(e)
        for i, (e, code) in enumerate(zip(exprs, codes, strict=True))
    ]


_DECIDE = """
def {name}(v):
    try:
        if not ({condition}):
            return None
        return {{{outputs}}}
    except KeyError:
        return _c{name}(v)
"""

Decider = Callable[[Env], dict[str, Any] | None]


def generate_deciders(
    rules: Sequence[tuple[Compiled | None, Sequence[tuple[str, Compiled]]]],
) -> list[Decider]:
    """Per rule one function: None when its condition fails, else its outputs by name.

    The decision-only path calls one function per rule instead of one per expression.
    A rule with an expression the generator cannot write is composed from `generate`.
    """
    names: dict[str, Any] = dict(_HELPERS)
    bodies: list[str | None] = []
    for i, (condition, outputs) in enumerate(rules):
        cond = "True" if condition is None else _one(condition, names)
        codes = [(key, _one(expr, names)) for key, expr in outputs]
        if cond is None or any(code is None for _, code in codes):
            bodies.append(None)
            continue
        fields = ", ".join(f"{key!r}: {code}" for key, code in codes)
        bodies.append(_DECIDE.format(name=f"_d{i}", condition=cond, outputs=fields))
    namespace: dict[str, Any] = {"__builtins__": {}, "KeyError": KeyError, **names}
    namespace.update({f"_c_d{i}": _by_closures(*rule) for i, rule in enumerate(rules)})
    try:
        exec(compile("".join(b for b in bodies if b), "<verordening: deciders>", "exec"), namespace)
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        if len(rules) > 1:
            return [d for rule in rules for d in generate_deciders([rule])]
        bodies = [None]
    return [
        namespace[f"_d{i}"] if body is not None else _composed(*rules[i])
        for i, body in enumerate(bodies)
    ]


def _composed(condition: Compiled | None, outputs: Sequence[tuple[str, Compiled]]) -> Decider:
    parts = generate([e for e in ([condition] if condition else []) + [e for _, e in outputs]])
    test = parts.pop(0) if condition is not None else None
    named = [(key, fn) for (key, _), fn in zip(outputs, parts, strict=True)]

    def decide(env: Env) -> dict[str, Any] | None:
        if test is not None and not test(env):
            return None
        return {key: fn(env) for key, fn in named}

    return decide


def _by_closures(condition: Compiled | None, outputs: Sequence[tuple[str, Compiled]]) -> Decider:
    """A rule's decider on its closures (for a mapping that lacks a name)."""
    test = _closure(condition) if condition is not None else None
    named = [(key, _closure(expr)) for key, expr in outputs]

    def decide(env: Env) -> dict[str, Any] | None:
        if test is not None and not test(env):
            return None
        return {key: fn(env) for key, fn in named}

    return decide
