"""The rule language: a small, typed subset of Python expression syntax.

Expressions are parsed with `ast` and only the node types listed here are accepted; each
is type-checked against the vocabulary when the regelset is compiled and turned into a
closure. Nothing is ever passed to `eval`. Money is integer cents, dates are `date`.
"""

from __future__ import annotations

import ast
import datetime as dt
import itertools
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

from .functions import _FUNCTIONS
from .types import (
    NAMESPACES,
    ORDERED,
    Compiled,
    Context,
    ExpressionError,
    Fn,
    MissingValue,
    Ref,
    Resolver,
    Series,
    T,
    Value,
    _err,
    no_context,
)
from .values import add_months, add_working_days, format_euro, months_between, parse_euro

__all__ = [
    "Compiled",
    "Context",
    "ExpressionError",
    "MissingValue",
    "Ref",
    "Resolver",
    "T",
    "Value",
    "add_months",
    "add_working_days",
    "compile_expression",
    "constant_env",
    "format_euro",
    "months_between",
    "parse_euro",
]

# ---------------------------------------------------------------- compiler


_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_SYMBOL = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


class _Compiler:
    def __init__(self, source: str, resolve: Resolver, series: Series | None = None) -> None:
        self.source = source
        self.resolve = resolve
        self._series = series
        # lines as UTF-8 once (ast offsets count bytes): a node's text is then a slice, not a
        # fresh split of the whole source per node (that made compiling quadratic)
        self.lines: list[bytes] = [str(line).encode("utf-8") for line in _LINE.findall(source)]

    def series(self, name: str) -> tuple[tuple[dt.date, Value], ...] | None:
        """The values of parameter `name` by date, when the caller knows them."""
        return self._series(name) if self._series is not None else None

    def segment(self, node: ast.AST) -> str:
        first: int | None = getattr(node, "lineno", None)
        last: int | None = getattr(node, "end_lineno", None)
        start: int | None = getattr(node, "col_offset", None)
        end: int | None = getattr(node, "end_col_offset", None)
        if first is None or last is None or start is None or end is None:
            return self.source
        if first == last:
            return self.lines[first - 1][start:end].decode("utf-8", "replace")
        parts = [self.lines[first - 1][start:], *self.lines[first : last - 1]]
        parts.append(self.lines[last - 1][:end])
        return b"".join(parts).decode("utf-8", "replace")

    def compile(self, node: ast.AST) -> Compiled:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise _err(node, f"'{self.segment(node)}' is not allowed in the rule language")
        result: Compiled = method(node)
        return result

    def make(
        self,
        node: ast.AST,
        type_: T,
        reads: frozenset[Ref],
        fn: Fn,
        conjuncts: tuple[Compiled, ...] = (),
    ) -> Compiled:
        expr = node if isinstance(node, ast.expr) else None
        return Compiled(self.segment(node), type_, reads, fn, conjuncts, expr, self.source)

    # literals and names
    def _Constant(self, node: ast.Constant) -> Compiled:
        value = node.value
        if isinstance(value, bool):
            return self.make(node, T.waarheid, frozenset(), lambda ctx: value)
        if isinstance(value, int):
            if abs(value) > 10**12:
                raise _err(node, "number out of range")
            return self.make(node, T.getal, frozenset(), lambda ctx: value)
        if isinstance(value, str):
            return self.make(node, T.tekst, frozenset(), lambda ctx: value)
        if isinstance(value, float):
            raise _err(node, "decimal numbers are not allowed: write money as euro('12.50')")
        raise _err(node, f"constant '{self.segment(node)}' is not allowed")

    def _Name(self, node: ast.Name) -> Compiled:
        if node.id in ("waar", "onwaar"):
            flag = node.id == "waar"
            return self.make(node, T.waarheid, frozenset(), lambda ctx: flag)
        ref = Ref("peildatum", "peildatum") if node.id == "peildatum" else Ref("afgeleid", node.id)
        return self._ref(node, ref)

    def _Attribute(self, node: ast.Attribute) -> Compiled:
        if not isinstance(node.value, ast.Name) or node.value.id not in NAMESPACES:
            raise _err(
                node, f"'{self.segment(node)}': use one of {', '.join(NAMESPACES)} before the dot"
            )
        return self._ref(node, Ref(node.value.id, node.attr))

    def _ref(self, node: ast.AST, ref: Ref) -> Compiled:
        type_ = self.resolve(ref)
        if type_ is None:
            raise _err(node, f"unknown name '{ref}'")
        return self.make(node, type_, frozenset({ref}), lambda ctx: ctx(ref))

    # boolean logic
    def _BoolOp(self, node: ast.BoolOp) -> Compiled:
        parts = [self.expect(v, T.waarheid) for v in node.values]
        fns = [p.fn for p in parts]
        reads = frozenset().union(*(p.reads for p in parts))
        if isinstance(node.op, ast.And):
            conj: list[Compiled] = []
            for p in parts:
                conj.extend(p.conjuncts or (p,))

            def all_(ctx: Context) -> bool:
                # Kleene: false if any part is false, even when another part is unknown
                unknown: MissingValue | None = None
                for f in fns:
                    try:
                        if not f(ctx):
                            return False
                    except MissingValue as exc:
                        unknown = exc if unknown is None else unknown.merged(exc)
                if unknown is not None:
                    raise unknown
                return True

            return self.make(node, T.waarheid, reads, all_, tuple(conj))

        def any_(ctx: Context) -> bool:
            # Kleene: true if any part is true, even when another part is unknown
            unknown: MissingValue | None = None
            for f in fns:
                try:
                    if f(ctx):
                        return True
                except MissingValue as exc:
                    unknown = exc if unknown is None else unknown.merged(exc)
            if unknown is not None:
                raise unknown
            return False

        return self.make(node, T.waarheid, reads, any_)

    def _UnaryOp(self, node: ast.UnaryOp) -> Compiled:
        inner = self.compile(node.operand)
        f = inner.fn
        if isinstance(node.op, ast.Not):
            self._check(node.operand, inner, T.waarheid)
            return self.make(node, T.waarheid, inner.reads, lambda ctx: not f(ctx))
        if isinstance(node.op, ast.USub) and inner.type in (T.getal, T.bedrag):
            return self.make(node, inner.type, inner.reads, lambda ctx: -f(ctx))
        raise _err(node, f"'{self.segment(node)}' is not allowed")

    def _BinOp(self, node: ast.BinOp) -> Compiled:
        left, right = self.compile(node.left), self.compile(node.right)
        lf, rf = left.fn, right.fn
        reads = left.reads | right.reads
        pair = (left.type, right.type)
        op = node.op
        result: T | None = None
        if isinstance(op, ast.Add | ast.Sub):
            if pair in ((T.getal, T.getal), (T.bedrag, T.bedrag)):
                result = left.type
        elif isinstance(op, ast.Mult):
            if pair == (T.getal, T.getal):
                result = T.getal
            elif T.bedrag in pair and T.getal in pair:
                result = T.bedrag
        elif isinstance(op, ast.FloorDiv | ast.Mod) and pair == (T.getal, T.getal):
            result = T.getal
        elif isinstance(op, ast.FloorDiv) and pair == (T.bedrag, T.bedrag):
            result = T.getal  # how many whole times one amount fits in another
        if result is None:
            raise _err(
                node,
                f"'{self.segment(node)}': cannot combine {left.type} and "
                f"{right.type} with this operator (use procent() for percentages of money)",
            )
        fn: Callable[[Any, Any], Any] = {
            ast.Add: operator.add,
            ast.Sub: operator.sub,
            ast.Mult: operator.mul,
            ast.FloorDiv: operator.floordiv,
            ast.Mod: operator.mod,
        }[type(op)]
        if isinstance(op, ast.FloorDiv | ast.Mod):

            def safe(ctx: Context) -> Any:
                divisor = rf(ctx)
                if divisor == 0:
                    raise ZeroDivisionError(f"division by zero in '{self.segment(node)}'")
                return fn(lf(ctx), divisor)

            return self.make(node, result, reads, safe)
        return self.make(node, result, reads, lambda ctx: fn(lf(ctx), rf(ctx)))

    def _Compare(self, node: ast.Compare) -> Compiled:
        operands = [self.compile(node.left)] + [self.compile(c) for c in node.comparators]
        checks: list[tuple[Callable[[Any, Any], bool], Fn, Fn]] = []
        for op, (a, b), b_node in zip(
            node.ops, itertools.pairwise(operands), node.comparators, strict=True
        ):
            if isinstance(op, ast.In | ast.NotIn):
                member = {T.lijst_tekst: T.tekst, T.lijst_getal: T.getal}.get(b.type)
                if member is None or a.type != member:
                    raise _err(
                        node,
                        f"'{self.segment(node)}': 'in' needs a {a.type} on the "
                        f"left and a list of {a.type} on the right",
                    )
                negate = isinstance(op, ast.NotIn)

                def member_of(x: Any, y: Any, n: bool = negate) -> bool:
                    return (x in y) != n

                checks.append((member_of, a.fn, b.fn))
                continue
            if isinstance(op, ast.Is | ast.IsNot):
                raise _err(b_node, "'is' is not allowed: use == or !=")
            if a.type != b.type:
                raise _err(node, f"'{self.segment(node)}': cannot compare {a.type} with {b.type}")
            if not isinstance(op, ast.Eq | ast.NotEq) and a.type not in ORDERED:
                raise _err(node, f"'{self.segment(node)}': {a.type} values have no order")
            checks.append((_COMPARE[type(op)], a.fn, b.fn))
        reads = frozenset().union(*(o.reads for o in operands))

        def compare(ctx: Context) -> bool:
            return all(cmp(lf(ctx), rf(ctx)) for cmp, lf, rf in checks)

        return self.make(node, T.waarheid, reads, compare)

    def _IfExp(self, node: ast.IfExp) -> Compiled:
        test = self.expect(node.test, T.waarheid)
        body, orelse = self.compile(node.body), self.compile(node.orelse)
        if body.type != orelse.type:
            raise _err(node, f"both branches must have one type, not {body.type} and {orelse.type}")
        tf, bf, of = test.fn, body.fn, orelse.fn

        def choose(ctx: Context) -> Any:
            try:
                test_value = tf(ctx)
            except MissingValue as exc:
                # an unknown test still gives a value when both branches agree
                try:
                    a, b = bf(ctx), of(ctx)
                except MissingValue as inner:
                    raise exc.merged(inner) from None
                if a == b:
                    return a
                raise
            return bf(ctx) if test_value else of(ctx)

        return self.make(node, body.type, test.reads | body.reads | orelse.reads, choose)

    def _List(self, node: ast.List | ast.Tuple | ast.Set) -> Compiled:
        items = [self.compile(e) for e in node.elts]
        if not items:
            raise _err(node, "an empty list is not allowed")
        if any(i.reads for i in items):
            raise _err(node, "list elements must be constants")
        kinds = {i.type for i in items}
        if kinds == {T.tekst}:
            type_ = T.lijst_tekst
        elif kinds == {T.getal}:
            type_ = T.lijst_getal
        else:
            raise _err(node, "a list must hold only texts or only whole numbers")
        values = frozenset(i.fn(no_context) for i in items)
        return self.make(node, type_, frozenset(), lambda ctx: values)

    _Tuple = _List
    _Set = _List

    def _Call(self, node: ast.Call) -> Compiled:
        if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS:
            raise _err(
                node,
                f"unknown function in '{self.segment(node)}'; allowed: "
                f"{', '.join(sorted(_FUNCTIONS))}",
            )
        if node.keywords:
            raise _err(node, "keyword arguments are not allowed")
        return _FUNCTIONS[node.func.id](self, node)

    # helpers
    def expect(self, node: ast.AST, type_: T) -> Compiled:
        compiled = self.compile(node)
        self._check(node, compiled, type_)
        return compiled

    def _check(self, node: ast.AST, compiled: Compiled, type_: T) -> None:
        if compiled.type != type_:
            raise _err(node, f"'{self.segment(node)}' is {compiled.type}, expected {type_}")


def compile_expression(
    source: str, resolve: Resolver, expected: T | None = None, series: Series | None = None
) -> Compiled:
    """Parse and type-check `source`; raise ExpressionError with a position on any problem.

    `series` gives a parameter's values by date, for waarde_op(); without it that function
    is not available.
    """
    text = source.strip()
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(
            f"syntax error: {exc.msg}", exc.lineno or 1, exc.offset or 1
        ) from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError("expression cannot be parsed") from None
    compiler = _Compiler(text, resolve, series)
    try:
        compiled = compiler.compile(tree.body)
    except RecursionError:
        raise ExpressionError("expression nested too deeply") from None
    if expected is not None and compiled.type != expected:
        raise ExpressionError(f"'{text}' is {compiled.type}, expected {expected}")
    return compiled


def constant_env(values: Mapping[Ref, Value]) -> Context:
    """A context that reads from a mapping (used by tests and the fixpoint evaluator)."""

    def ctx(ref: Ref) -> Value:
        try:
            return values[ref]
        except KeyError:
            raise MissingValue(ref) from None

    return ctx
