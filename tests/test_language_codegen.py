"""Generated Python functions compute exactly what the closures compute, errors included."""

from __future__ import annotations

import ast
import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verordening_engine.language.codegen import _Writer, generate, generate_deciders
from verordening_engine.language.expressions import (
    MissingValue,
    Ref,
    T,
    compile_expression,
    constant_env,
)

TYPES = {
    Ref("persoon", "n"): T.getal,
    Ref("persoon", "m"): T.getal,
    Ref("persoon", "geld"): T.bedrag,
    Ref("persoon", "dag"): T.datum,
    Ref("persoon", "soort"): T.tekst,
    Ref("persoon", "vlag"): T.waarheid,
    Ref("afgeleid", "afgeleid_getal"): T.getal,
    Ref("peildatum", "peildatum"): T.datum,
}
EXPRESSIONS = [
    "persoon.n + persoon.m * 3 - afgeleid_getal",
    "persoon.n // persoon.m + persoon.n % persoon.m",
    "persoon.geld // euro('12.50')",
    "0 < persoon.n <= persoon.m != 7",
    "persoon.n in [1, 2, 3] and persoon.soort not in ['a', 'b']",
    "not persoon.vlag or persoon.n > 5 and waar",
    "procent(persoon.geld, persoon.n) if persoon.vlag else -persoon.geld",
    "min(persoon.n, persoon.m, 4) + max(persoon.n, 2)",
    "jaren_tussen(persoon.dag, peildatum) + maanden_tussen(peildatum, persoon.dag)",
    "dagen_tussen(persoon.dag, plus_werkdagen(persoon.dag, persoon.m % 30, "
    "['nieuwjaarsdag', 'koningsdag', 'tweede_paasdag']))",
    "termijn_einde(plus_dagen(persoon.dag, persoon.n), ['eerste_kerstdag', 'hemelvaartsdag'])",
    "jaren_tussen(persoon.dag, aow_datum(persoon.dag)) * 12 + persoon.n",
    "plus_jaren(persoon.dag, persoon.m % 50) >= plus_maanden(peildatum, -3)",
    "max(plus_weken(persoon.dag, 2), plus_dagen(datum('2026-04-01'), persoon.n % 400))",
]


def _resolve(ref: Ref) -> T | None:
    return TYPES.get(ref)


def _outcome(fn: Any, env: dict[Ref, Any]) -> tuple[str, Any]:
    try:
        return ("value", fn(env))
    except MissingValue as exc:
        return ("missing", exc.ref)
    except (ZeroDivisionError, OverflowError, ValueError) as exc:
        return (type(exc).__name__, str(exc))


envs = st.fixed_dictionaries(
    {
        Ref("persoon", "n"): st.integers(-50, 50),
        Ref("persoon", "m"): st.integers(-5, 50),
        Ref("persoon", "geld"): st.integers(-(10**6), 10**6),
        Ref("persoon", "dag"): st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)),
        Ref("persoon", "soort"): st.sampled_from(["a", "b", "c"]),
        Ref("persoon", "vlag"): st.booleans(),
        Ref("afgeleid", "afgeleid_getal"): st.integers(-9, 9),
        Ref("peildatum", "peildatum"): st.dates(dt.date(2000, 1, 1), dt.date(2050, 1, 1)),
    }
)


@settings(max_examples=200, deadline=None)
@given(envs, st.sets(st.sampled_from(sorted(TYPES)), max_size=2))
def test_generated_functions_equal_the_closures(env: dict[Ref, Any], drop: set[Ref]) -> None:
    compiled = [compile_expression(e, _resolve) for e in EXPRESSIONS]
    generated = generate(compiled)
    for ref in drop:  # some names missing: the same MissingValue from both
        env.pop(ref)
    for expr, fn in zip(compiled, generated, strict=True):
        closure = _outcome(lambda e, expr=expr: expr(constant_env(e)), env)
        assert _outcome(fn, env) == closure, expr.source


def test_a_call_is_written_only_with_the_arity_the_language_checks() -> None:
    # plus_werkdagen takes the rules' feestdagen (3 arguments): it runs as its closure
    text = "plus_werkdagen(persoon.dag, 2, ['nieuwjaarsdag'])"
    expr = compile_expression(text, _resolve)
    [fn] = generate([expr])
    day = dt.date(2026, 12, 31)  # a Thursday; 1 January is a feestdag, then the weekend
    assert (
        fn({Ref("persoon", "dag"): day})
        == dt.date(2027, 1, 5)
        == expr(constant_env({Ref("persoon", "dag"): day}))
    )
    for call in ("plus_dagen(persoon.dag)", "plus_dagen(persoon.dag, 1, 2)", "min(persoon.n)"):
        with pytest.raises(ValueError, match="cannot generate"):
            _Writer({}, call).write(ast.parse(call, mode="eval").body)


def test_division_by_zero_names_the_expression() -> None:
    [fn] = generate([compile_expression("persoon.n // (persoon.m - 1)", _resolve)])
    with pytest.raises(ZeroDivisionError, match=r"division by zero in 'persoon.n // \("):
        fn({Ref("persoon", "n"): 4, Ref("persoon", "m"): 1})


def test_an_expression_too_deep_for_python_still_runs() -> None:
    text = " + ".join(["persoon.n"] * 400)  # 400 nested additions: beyond Python's parser
    [fn] = generate([compile_expression(text, _resolve)])
    assert fn({Ref("persoon", "n"): 2}) == 800


def test_rule_text_never_reaches_the_generated_source() -> None:
    # a text constant that looks like code stays a text constant
    [fn] = generate([compile_expression("persoon.soort == '); import os; ('", _resolve)])
    assert fn({Ref("persoon", "soort"): "); import os; ("}) is True


@settings(max_examples=100, deadline=None)
@given(envs, st.sets(st.sampled_from(sorted(TYPES)), max_size=2))
def test_a_rule_decider_equals_its_condition_and_outputs(
    env: dict[Ref, Any], drop: set[Ref]
) -> None:
    condition = compile_expression("persoon.n > 0 and not persoon.vlag", _resolve)
    outputs = [(f"o{i}", compile_expression(e, _resolve)) for i, e in enumerate(EXPRESSIONS)]
    deep = compile_expression(" + ".join(["persoon.n"] * 400), _resolve)  # composed fallback
    deciders = generate_deciders([(condition, outputs), (None, [("diep", deep)])])
    for ref in drop:
        env.pop(ref)

    def expected(cond: Any, outs: list[tuple[str, Any]]) -> Any:
        if cond is not None and not cond(constant_env(env)):
            return None
        return {key: expr(constant_env(env)) for key, expr in outs}

    for decider, (cond, outs) in zip(
        deciders, [(condition, outputs), (None, [("diep", deep)])], strict=True
    ):
        want = _outcome(lambda _, c=cond, o=outs: expected(c, o), env)
        assert _outcome(decider, env) == want
