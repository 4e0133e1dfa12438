"""The functions of the rule language (euro, datum, min, max, procent, date arithmetic).

Each function type-checks its arguments at compile time and returns a compiled closure.
"""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Callable
from typing import Any

from .types import ORDERED, Builder, Compiled, T, _err
from .values import add_months, add_working_days, months_between, parse_euro, round_half_up_percent


def _string_literal(c: Builder, node: ast.Call, what: str) -> str:
    if (
        len(node.args) != 1
        or not isinstance(node.args[0], ast.Constant)
        or not isinstance(node.args[0].value, str)
    ):
        raise _err(node, f"{what}() takes one text constant, e.g. {what}('{_EXAMPLE[what]}')")
    return node.args[0].value


_EXAMPLE = {"euro": "21.80", "datum": "2026-04-01"}


def _fn_euro(c: Builder, node: ast.Call) -> Compiled:
    text = _string_literal(c, node, "euro")
    try:
        cents = parse_euro(text)
    except ValueError as exc:
        raise _err(node, str(exc)) from None
    return c.make(node, T.bedrag, frozenset(), lambda ctx: cents)


def _fn_datum(c: Builder, node: ast.Call) -> Compiled:
    text = _string_literal(c, node, "datum")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise _err(node, f"'{text}' is not a date (write YYYY-MM-DD)") from None
    return c.make(node, T.datum, frozenset(), lambda ctx: day)


def _args(c: Builder, node: ast.Call, *types: T) -> list[Compiled]:
    name = node.func.id  # type: ignore[attr-defined]
    if len(node.args) != len(types):
        raise _err(
            node, f"{name}() takes {len(types)} arguments: {', '.join(t.value for t in types)}"
        )
    return [c.expect(a, t) for a, t in zip(node.args, types, strict=True)]


def _date_fn(kind: str) -> Callable[[Builder, ast.Call], Compiled]:
    def build(c: Builder, node: ast.Call) -> Compiled:
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
            return c.make(node, T.getal, a.reads | b.reads, lambda ctx: f(af(ctx), bf(ctx)))
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
        return c.make(node, T.datum, d.reads | n.reads, lambda ctx: g(df(ctx), nf(ctx)))

    return build


def _extreme(pick: Callable[..., Any]) -> Callable[[Builder, ast.Call], Compiled]:
    def build(c: Builder, node: ast.Call) -> Compiled:
        if len(node.args) < 2:
            raise _err(node, "min() and max() take at least two arguments")
        parts = [c.compile(a) for a in node.args]
        kinds = {p.type for p in parts}
        if len(kinds) != 1 or not kinds <= ORDERED:
            raise _err(node, "min() and max() need arguments of one type: getal, bedrag or datum")
        fns = [p.fn for p in parts]
        return c.make(
            node,
            parts[0].type,
            frozenset().union(*(p.reads for p in parts)),
            lambda ctx: pick(f(ctx) for f in fns),
        )

    return build


def _fn_procent(c: Builder, node: ast.Call) -> Compiled:
    amount, pct = _args(c, node, T.bedrag, T.getal)
    af, pf = amount.fn, pct.fn
    return c.make(
        node,
        T.bedrag,
        amount.reads | pct.reads,
        lambda ctx: round_half_up_percent(af(ctx), pf(ctx)),
    )


_FUNCTIONS: dict[str, Callable[[Builder, ast.Call], Compiled]] = {
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
