"""The rule language: what it accepts, how it computes, and how it refuses."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verordening_engine.language.expressions import (
    ExpressionError,
    Ref,
    T,
    add_months,
    compile_expression,
    constant_env,
    format_euro,
    months_between,
    parse_euro,
)

TYPES = {
    Ref("aanvraag", "wlz"): T.waarheid,
    Ref("persoon", "geboortedatum"): T.datum,
    Ref("peildatum", "peildatum"): T.datum,
    Ref("param", "tarief"): T.bedrag,
    Ref("param", "kostprijs"): T.bedrag,
    Ref("huishouden", "inkomen"): T.getal,
    Ref("aanvraag", "soort"): T.tekst,
    Ref("afgeleid", "leeftijd"): T.getal,
}
VALUES = {
    Ref("aanvraag", "wlz"): False,
    Ref("persoon", "geboortedatum"): dt.date(2008, 10, 31),
    Ref("peildatum", "peildatum"): dt.date(2026, 4, 30),
    Ref("param", "tarief"): 1250,
    Ref("param", "kostprijs"): 975,
    Ref("huishouden", "inkomen"): 110,
    Ref("aanvraag", "soort"): "hulp",
    Ref("afgeleid", "leeftijd"): 17,
}


def run(source: str) -> object:
    return compile_expression(source, TYPES.get)(constant_env(VALUES))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("min(param.tarief, param.kostprijs)", 975),
        ("max(param.tarief, euro('20.00'))", 2000),
        # 31 Oct + 210 months falls on the non-existent 31 April: the month is complete on 30 April
        ("maanden_tussen(persoon.geboortedatum, peildatum)", 210),
        ("maanden_tussen(persoon.geboortedatum, datum('2026-04-29'))", 209),
        ("jaren_tussen(persoon.geboortedatum, peildatum)", 17),
        ("plus_jaren(persoon.geboortedatum, 18)", dt.date(2026, 10, 31)),
        ("plus_maanden(datum('2026-01-31'), 1)", dt.date(2026, 2, 28)),
        ("huishouden.inkomen <= 110 and not aanvraag.wlz", True),
        ("aanvraag.soort in ['hulp', 'vervoer']", True),
        ("aanvraag.soort not in ['hulp']", False),
        ("procent(param.tarief, 50)", 625),
        ("param.tarief * 2 - euro('0.50')", 2450),
        ("17 if leeftijd < 18 else 18", 17),
        ("leeftijd // 2", 8),
        ("param.tarief // euro('1.00')", 12),
        ("16 < leeftijd <= 17", True),
    ],
)
def test_evaluates(source: str, expected: object) -> None:
    assert run(source) == expected


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("1.5 > 2", "decimal numbers are not allowed"),
        ("__import__('os')", "unknown function"),
        ("open('x')", "unknown function"),
        ("aanvraag.wlz + 1", "cannot combine"),
        ("x.y", "before the dot"),
        ("persoon.geboortedatum < 3", "cannot compare datum with getal"),
        ("onbekend > 1", "unknown name 'onbekend'"),
        ("param.tarief * param.kostprijs", "cannot combine"),
        ("aanvraag.soort < 'a'", "have no order"),
        ("[x for x in y]", "not allowed"),
        ("lambda: 1", "not allowed"),
        ("euro('1.234')", "at most two decimals"),
        ("euro(param.tarief)", "takes one text constant"),
        ("a if", "syntax error"),
        ("leeftijd is 3", "'is' is not allowed"),
        ("min(leeftijd)", "at least two"),
        ("(1).__class__", "before the dot"),
    ],
)
def test_refuses(source: str, fragment: str) -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expression(source, TYPES.get)
    assert fragment in info.value.message


def test_error_points_at_column() -> None:
    with pytest.raises(ExpressionError) as info:
        compile_expression("leeftijd > 1 and onbekend", TYPES.get)
    assert info.value.column == 18


def test_expected_type_is_enforced() -> None:
    with pytest.raises(ExpressionError, match="expected bedrag"):
        compile_expression("leeftijd", TYPES.get, T.bedrag)


def test_conjuncts_are_split_for_why_not() -> None:
    compiled = compile_expression("leeftijd > 1 and (aanvraag.wlz and leeftijd < 3)", TYPES.get)
    assert [c.source for c in compiled.conjuncts] == [
        "leeftijd > 1",
        "aanvraag.wlz",
        "leeftijd < 3",
    ]


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_euro_round_trip(cents: int) -> None:
    assert parse_euro(format_euro(cents)) == cents


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.integers(min_value=0, max_value=1200),
)
def test_months_between_inverts_add_months(start: dt.date, months: int) -> None:
    end = add_months(start, months)
    assert months_between(start, end) == months or end.day < start.day
    assert months_between(start, end) <= months
    assert add_months(start, months_between(start, end)) <= end
