"""The rule language: a small, typed subset of Python expression syntax.

Expressions are parsed with `ast` and only the node types listed here are accepted; each
is type-checked against the vocabulary when the regelset is compiled and turned into a
closure. Nothing is ever passed to `eval`. Money is integer cents, dates are `date`.
"""

from __future__ import annotations

import ast
import calendar
import datetime as dt
import itertools
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, NamedTuple

Value = bool | int | str | dt.date | tuple[Any, ...]


class T(StrEnum):
    """Types of the rule language (the Dutch names used in `begrippen.yaml`)."""

    waarheid = "waarheid"
    getal = "getal"
    bedrag = "bedrag"
    datum = "datum"
    tekst = "tekst"
    lijst_tekst = "lijst van tekst"
    lijst_getal = "lijst van getal"


NAMESPACES = ("persoon", "partner", "huishouden", "aanvraag", "param", "voorziening", "besluit")


class Ref(NamedTuple):
    """A name an expression reads: a namespace ('afgeleid' for derived facts) and a name.

    A tuple, so hashing and ordering are cheap on the per-case path.
    """

    space: str
    name: str

    def __str__(self) -> str:
        if self.space in ("afgeleid", "peildatum"):
            return self.name
        return f"{self.space}.{self.name}"


class ExpressionError(Exception):
    """A problem in an expression, with the 1-based line and column inside the expression."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class MissingValue(Exception):
    """An expression read a value the case does not have (e.g. partner.* without a partner)."""

    def __init__(self, ref: Ref) -> None:
        super().__init__(str(ref))
        self.ref = ref


Resolver = Callable[[Ref], T | None]
Context = Callable[[Ref], Value]
Fn = Callable[[Context], Any]


@dataclass(frozen=True)
class Compiled:
    """A type-checked expression: its source, type, what it reads and how to compute it."""

    source: str
    type: T
    reads: frozenset[Ref]
    fn: Fn
    conjuncts: tuple[Compiled, ...] = field(default=())

    def __call__(self, ctx: Context) -> Any:
        return self.fn(ctx)


# ---------------------------------------------------------------- date arithmetic


def add_months(d: dt.date, months: int) -> dt.date:
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise OverflowError("date out of range")
    day = min(d.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day)


def add_working_days(d: dt.date, days: int) -> dt.date:
    """Shift by working days (Monday to Friday; public holidays are not modelled)."""
    if not 0 <= days <= 10_000:
        raise OverflowError("working days out of range")
    current = d
    while days > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from start to end (negative when end is earlier)."""
    if end < start:
        return -months_between(end, start)
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, months) > end:
        months -= 1
    return months


def round_half_up_percent(cents: int, pct: int) -> int:
    numerator = cents * pct
    q, r = divmod(abs(numerator), 100)
    if r * 2 >= 100:
        q += 1
    return q if numerator >= 0 else -q


def parse_euro(text: str) -> int:
    """'21.80' -> 2180 cents; at most two decimals, never a float."""
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"'{text}' is not an amount in euros (write e.g. '21.80')") from None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError(f"'{text}' must have at most two decimals")
    if abs(amount) > Decimal("1000000000"):
        raise ValueError(f"'{text}' is out of range")
    return int(amount * 100)


def format_euro(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


# ---------------------------------------------------------------- compiler


_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_ORDERED = {T.getal, T.bedrag, T.datum}
_SYMBOL = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}


def _err(node: ast.AST, message: str) -> ExpressionError:
    return ExpressionError(message, getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1)


class _Compiler:
    def __init__(self, source: str, resolve: Resolver) -> None:
        self.source = source
        self.resolve = resolve

    def segment(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.source, node) or self.source

    def compile(self, node: ast.AST) -> Compiled:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise _err(node, f"'{self.segment(node)}' is not allowed in the rule language")
        result: Compiled = method(node)
        return result

    def _make(
        self,
        node: ast.AST,
        type_: T,
        reads: frozenset[Ref],
        fn: Fn,
        conjuncts: tuple[Compiled, ...] = (),
    ) -> Compiled:
        return Compiled(self.segment(node), type_, reads, fn, conjuncts)

    # literals and names
    def _Constant(self, node: ast.Constant) -> Compiled:
        value = node.value
        if isinstance(value, bool):
            return self._make(node, T.waarheid, frozenset(), lambda ctx: value)
        if isinstance(value, int):
            if abs(value) > 10**12:
                raise _err(node, "number out of range")
            return self._make(node, T.getal, frozenset(), lambda ctx: value)
        if isinstance(value, str):
            return self._make(node, T.tekst, frozenset(), lambda ctx: value)
        if isinstance(value, float):
            raise _err(node, "decimal numbers are not allowed: write money as euro('12.50')")
        raise _err(node, f"constant '{self.segment(node)}' is not allowed")

    def _Name(self, node: ast.Name) -> Compiled:
        if node.id in ("waar", "onwaar"):
            flag = node.id == "waar"
            return self._make(node, T.waarheid, frozenset(), lambda ctx: flag)
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
        return self._make(node, type_, frozenset({ref}), lambda ctx: ctx(ref))

    # boolean logic
    def _BoolOp(self, node: ast.BoolOp) -> Compiled:
        parts = [self._expect(v, T.waarheid) for v in node.values]
        fns = [p.fn for p in parts]
        reads = frozenset().union(*(p.reads for p in parts))
        if isinstance(node.op, ast.And):
            conj: list[Compiled] = []
            for p in parts:
                conj.extend(p.conjuncts or (p,))

            def all_(ctx: Context) -> bool:
                return all(f(ctx) for f in fns)

            return self._make(node, T.waarheid, reads, all_, tuple(conj))

        def any_(ctx: Context) -> bool:
            return any(f(ctx) for f in fns)

        return self._make(node, T.waarheid, reads, any_)

    def _UnaryOp(self, node: ast.UnaryOp) -> Compiled:
        inner = self.compile(node.operand)
        f = inner.fn
        if isinstance(node.op, ast.Not):
            self._check(node.operand, inner, T.waarheid)
            return self._make(node, T.waarheid, inner.reads, lambda ctx: not f(ctx))
        if isinstance(node.op, ast.USub) and inner.type in (T.getal, T.bedrag):
            return self._make(node, inner.type, inner.reads, lambda ctx: -f(ctx))
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

            return self._make(node, result, reads, safe)
        return self._make(node, result, reads, lambda ctx: fn(lf(ctx), rf(ctx)))

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
            if not isinstance(op, ast.Eq | ast.NotEq) and a.type not in _ORDERED:
                raise _err(node, f"'{self.segment(node)}': {a.type} values have no order")
            checks.append((_COMPARE[type(op)], a.fn, b.fn))
        reads = frozenset().union(*(o.reads for o in operands))

        def compare(ctx: Context) -> bool:
            return all(cmp(lf(ctx), rf(ctx)) for cmp, lf, rf in checks)

        return self._make(node, T.waarheid, reads, compare)

    def _IfExp(self, node: ast.IfExp) -> Compiled:
        test = self._expect(node.test, T.waarheid)
        body, orelse = self.compile(node.body), self.compile(node.orelse)
        if body.type != orelse.type:
            raise _err(node, f"both branches must have one type, not {body.type} and {orelse.type}")
        tf, bf, of = test.fn, body.fn, orelse.fn
        return self._make(
            node,
            body.type,
            test.reads | body.reads | orelse.reads,
            lambda ctx: bf(ctx) if tf(ctx) else of(ctx),
        )

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
        values = frozenset(i.fn(_no_context) for i in items)
        return self._make(node, type_, frozenset(), lambda ctx: values)

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
    def _expect(self, node: ast.AST, type_: T) -> Compiled:
        compiled = self.compile(node)
        self._check(node, compiled, type_)
        return compiled

    def _check(self, node: ast.AST, compiled: Compiled, type_: T) -> None:
        if compiled.type != type_:
            raise _err(node, f"'{self.segment(node)}' is {compiled.type}, expected {type_}")


def _no_context(ref: Ref) -> Value:
    raise AssertionError(ref)


def _string_literal(c: _Compiler, node: ast.Call, what: str) -> str:
    if (
        len(node.args) != 1
        or not isinstance(node.args[0], ast.Constant)
        or not isinstance(node.args[0].value, str)
    ):
        raise _err(node, f"{what}() takes one text constant, e.g. {what}('{_EXAMPLE[what]}')")
    return node.args[0].value


_EXAMPLE = {"euro": "21.80", "datum": "2026-04-01"}


def _fn_euro(c: _Compiler, node: ast.Call) -> Compiled:
    text = _string_literal(c, node, "euro")
    try:
        cents = parse_euro(text)
    except ValueError as exc:
        raise _err(node, str(exc)) from None
    return c._make(node, T.bedrag, frozenset(), lambda ctx: cents)


def _fn_datum(c: _Compiler, node: ast.Call) -> Compiled:
    text = _string_literal(c, node, "datum")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise _err(node, f"'{text}' is not a date (write YYYY-MM-DD)") from None
    return c._make(node, T.datum, frozenset(), lambda ctx: day)


def _args(c: _Compiler, node: ast.Call, *types: T) -> list[Compiled]:
    name = node.func.id  # type: ignore[attr-defined]
    if len(node.args) != len(types):
        raise _err(
            node, f"{name}() takes {len(types)} arguments: {', '.join(t.value for t in types)}"
        )
    return [c._expect(a, t) for a, t in zip(node.args, types, strict=True)]


def _date_fn(kind: str) -> Callable[[_Compiler, ast.Call], Compiled]:
    def build(c: _Compiler, node: ast.Call) -> Compiled:
        if kind.endswith("tussen"):
            a, b = _args(c, node, T.datum, T.datum)
            af, bf = a.fn, b.fn
            between: dict[str, Callable[[dt.date, dt.date], int]] = {
                "jaren_tussen": lambda x, y: (
                    months_between(x, y) // 12 if y >= x else -(months_between(y, x) // 12)
                ),
                "maanden_tussen": months_between,
                "dagen_tussen": lambda x, y: (y - x).days,
            }
            f = between[kind]
            return c._make(node, T.getal, a.reads | b.reads, lambda ctx: f(af(ctx), bf(ctx)))
        d, n = _args(c, node, T.datum, T.getal)
        df, nf = d.fn, n.fn
        shift: dict[str, Callable[[dt.date, int], dt.date]] = {
            "plus_jaren": lambda x, k: add_months(x, 12 * k),
            "plus_maanden": add_months,
            "plus_weken": lambda x, k: x + dt.timedelta(weeks=k),
            "plus_dagen": lambda x, k: x + dt.timedelta(days=k),
            "plus_werkdagen": add_working_days,
        }
        g = shift[kind]
        return c._make(node, T.datum, d.reads | n.reads, lambda ctx: g(df(ctx), nf(ctx)))

    return build


def _extreme(pick: Callable[..., Any]) -> Callable[[_Compiler, ast.Call], Compiled]:
    def build(c: _Compiler, node: ast.Call) -> Compiled:
        if len(node.args) < 2:
            raise _err(node, "min() and max() take at least two arguments")
        parts = [c.compile(a) for a in node.args]
        kinds = {p.type for p in parts}
        if len(kinds) != 1 or not kinds <= _ORDERED:
            raise _err(node, "min() and max() need arguments of one type: getal, bedrag or datum")
        fns = [p.fn for p in parts]
        return c._make(
            node,
            parts[0].type,
            frozenset().union(*(p.reads for p in parts)),
            lambda ctx: pick(f(ctx) for f in fns),
        )

    return build


def _fn_procent(c: _Compiler, node: ast.Call) -> Compiled:
    amount, pct = _args(c, node, T.bedrag, T.getal)
    af, pf = amount.fn, pct.fn
    return c._make(
        node,
        T.bedrag,
        amount.reads | pct.reads,
        lambda ctx: round_half_up_percent(af(ctx), pf(ctx)),
    )


_FUNCTIONS: dict[str, Callable[[_Compiler, ast.Call], Compiled]] = {
    "euro": _fn_euro,
    "datum": _fn_datum,
    "min": _extreme(min),
    "max": _extreme(max),
    "procent": _fn_procent,
    **{
        k: _date_fn(k)
        for k in (
            "jaren_tussen",
            "maanden_tussen",
            "dagen_tussen",
            "plus_jaren",
            "plus_maanden",
            "plus_weken",
            "plus_dagen",
            "plus_werkdagen",
        )
    },
}


def compile_expression(source: str, resolve: Resolver, expected: T | None = None) -> Compiled:
    """Parse and type-check `source`; raise ExpressionError with a position on any problem."""
    text = source.strip()
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(
            f"syntax error: {exc.msg}", exc.lineno or 1, exc.offset or 1
        ) from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError("expression cannot be parsed") from None
    compiler = _Compiler(text, resolve)
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
