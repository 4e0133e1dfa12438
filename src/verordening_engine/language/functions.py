"""The functions of the rule language (euro, datum, min, max, procent, date arithmetic,
statutory terms, the AOW age by cohort and a parameter's value on a date).

Each function type-checks its arguments at compile time and returns a compiled closure.
"""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Callable
from typing import Any

from .aow import aow_datum
from .termijnen import FEESTDAGEN, plus_werkdagen, termijn_einde
from .types import ORDERED, Builder, Compiled, MissingValue, Ref, T, Value, _err
from .values import add_months, months_between, parse_euro, round_half_up_percent


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


def _feestdagen(c: Builder, node: ast.AST) -> tuple[str, ...]:
    """The list of erkende feestdagen a rule passes: constant names this module knows."""
    if not isinstance(node, ast.List) or not node.elts:
        raise _err(node, "give the feestdagen as a list of names, e.g. ['nieuwjaarsdag', ...]")
    names: list[str] = []
    for element in node.elts:
        if not isinstance(element, ast.Constant) or element.value not in FEESTDAGEN:
            raise _err(element, f"unknown feestdag; known: {', '.join(FEESTDAGEN)}")
        names.append(element.value)
    c.expect(node, T.lijst_tekst)
    return tuple(names)


def _fn_termijn_einde(c: Builder, node: ast.Call) -> Compiled:
    """termijn_einde(datum, [feestdagen]): Algemene termijnenwet art. 1 lid 1."""
    if len(node.args) != 2:
        raise _err(node, "termijn_einde() takes 2 arguments: datum, a list of feestdagen")
    day = c.expect(node.args[0], T.datum)
    names = _feestdagen(c, node.args[1])
    df = day.fn
    return c.make(node, T.datum, day.reads, lambda ctx: termijn_einde(df(ctx), names))


def _fn_plus_werkdagen(c: Builder, node: ast.Call) -> Compiled:
    """plus_werkdagen(datum, getal, [feestdagen]): Saturdays, Sundays and feestdagen skipped."""
    if len(node.args) != 3:
        raise _err(node, "plus_werkdagen() takes 3 arguments: datum, getal, a list of feestdagen")
    day, count = c.expect(node.args[0], T.datum), c.expect(node.args[1], T.getal)
    names = _feestdagen(c, node.args[2])
    df, nf = day.fn, count.fn
    return c.make(
        node,
        T.datum,
        day.reads | count.reads,
        lambda ctx: plus_werkdagen(df(ctx), nf(ctx), names),
    )


def _fn_aow_datum(c: Builder, node: ast.Call) -> Compiled:
    """aow_datum(geboortedatum): the day the pensioengerechtigde leeftijd is reached (AOW 7a)."""
    (born,) = _args(c, node, T.datum)
    bf = born.fn
    return c.make(node, T.datum, born.reads, lambda ctx: aow_datum(bf(ctx)))


def _fn_waarde_op(c: Builder, node: ast.Call) -> Compiled:
    """waarde_op(param.x, datum): the value parameter x has on that date (not the peildatum)."""
    if (
        len(node.args) != 2
        or not isinstance(node.args[0], ast.Attribute)
        or not isinstance(node.args[0].value, ast.Name)
        or node.args[0].value.id != "param"
    ):
        raise _err(
            node, "waarde_op() takes a parameter and a datum, e.g. waarde_op(param.x, datum)"
        )
    param = c.compile(node.args[0])
    day = c.expect(node.args[1], T.datum)
    name = node.args[0].attr
    series = c.series(name)
    if series is None:
        raise _err(node, f"the values of parameter '{name}' by date are not known here")
    ref = Ref("param", name)
    df = day.fn

    def value_on(ctx: Any) -> Value:
        when = df(ctx)
        chosen: Value | None = None
        for vanaf, value in series:
            if vanaf <= when:
                chosen = value
        if chosen is None:
            raise MissingValue(ref)
        return chosen

    return c.make(node, param.type, param.reads | day.reads, value_on)


_FUNCTIONS: dict[str, Callable[[Builder, ast.Call], Compiled]] = {
    "euro": _fn_euro,
    "datum": _fn_datum,
    "min": _extreme(min),
    "max": _extreme(max),
    "procent": _fn_procent,
    "termijn_einde": _fn_termijn_einde,
    "plus_werkdagen": _fn_plus_werkdagen,
    "aow_datum": _fn_aow_datum,
    "waarde_op": _fn_waarde_op,
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
        )
    },
}
