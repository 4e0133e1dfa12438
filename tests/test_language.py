"""The rule language: what it accepts, how it computes, and how it refuses."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verordening_engine.language.expressions import (
    ExpressionError,
    MissingValue,
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


# ---------------------------------------------------------------- statutory terms and ages

ATW = (
    "['nieuwjaarsdag', 'goede_vrijdag', 'tweede_paasdag', 'koningsdag', 'bevrijdingsdag', "
    "'hemelvaartsdag', 'tweede_pinksterdag', 'eerste_kerstdag', 'tweede_kerstdag']"
)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # Algemene termijnenwet art. 1: Friday 25 December (Kerstdag), 26th, Sunday -> Monday 28
        (f"termijn_einde(datum('2026-12-25'), {ATW})", dt.date(2026, 12, 28)),
        # Saturday 25 April, Sunday, Koningsdag Monday 27 April 2026 -> Tuesday 28
        (f"termijn_einde(datum('2026-04-25'), {ATW})", dt.date(2026, 4, 28)),
        # Hemelvaartsdag 2026 is Thursday 14 May
        (f"termijn_einde(datum('2026-05-14'), {ATW})", dt.date(2026, 5, 15)),
        # Koningsdag 2025: 27 April is a Sunday, so the King's day is Saturday 26 April
        (f"termijn_einde(datum('2025-04-26'), {ATW})", dt.date(2025, 4, 28)),
        (f"termijn_einde(datum('2026-05-05'), {ATW})", dt.date(2026, 5, 6)),  # Bevrijdingsdag
        (f"termijn_einde(datum('2026-06-03'), {ATW})", dt.date(2026, 6, 3)),  # a Wednesday
        # three werkdagen after Thursday 2 April 2026: Goede Vrijdag, weekend, 2e Paasdag skipped
        (f"plus_werkdagen(datum('2026-04-02'), 3, {ATW})", dt.date(2026, 4, 9)),
        (f"plus_werkdagen(datum('2026-12-23'), 2, {ATW})", dt.date(2026, 12, 28)),
        # AOW art. 7a: the age of the year in which it is reached
        ("aow_datum(datum('1960-11-15'))", dt.date(2027, 11, 15)),  # 67 in 2027
        ("aow_datum(datum('1961-01-01'))", dt.date(2028, 4, 1)),  # 67 and 3 months in 2028
        ("aow_datum(datum('1957-09-01'))", dt.date(2024, 9, 1)),  # 67 in 2024
        ("aow_datum(datum('1956-12-31'))", dt.date(2023, 10, 31)),  # 66 and 10 months in 2023
        ("aow_datum(datum('1945-03-10'))", dt.date(2010, 3, 10)),  # 65 before 2013
    ],
)
def test_terms_and_pension_age(source: str, expected: object) -> None:
    assert run(source) == expected


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("termijn_einde(peildatum, ['kerstmis'])", "unknown feestdag"),
        ("termijn_einde(peildatum, aanvraag.soort)", "list of names"),
        ("plus_werkdagen(peildatum, 3)", "takes 3 arguments"),
        ("aow_datum(huishouden.inkomen)", "expected datum"),
        ("waarde_op(param.tarief, peildatum)", "by date are not known"),
        ("waarde_op(huishouden.inkomen, peildatum)", "takes a parameter"),
    ],
)
def test_term_functions_refuse(source: str, fragment: str) -> None:
    with pytest.raises(ExpressionError, match=fragment):
        compile_expression(source, TYPES.get)


def test_value_of_a_parameter_on_another_date() -> None:
    """waarde_op: the tarief of the month a besluit starts in, not of the peildatum."""

    def series(name: str) -> tuple[tuple[dt.date, object], ...] | None:
        if name != "tarief":
            return None
        return ((dt.date(2025, 1, 1), 2100), (dt.date(2026, 1, 1), 2180))

    compiled = compile_expression(
        "waarde_op(param.tarief, datum('2026-03-20'))",
        TYPES.get,
        series=series,  # type: ignore[arg-type]
    )
    assert compiled.type == T.bedrag
    assert compiled(constant_env(VALUES)) == 2180
    early = compile_expression(
        "waarde_op(param.tarief, datum('2025-12-31'))",
        TYPES.get,
        series=series,  # type: ignore[arg-type]
    )
    assert early(constant_env(VALUES)) == 2100


@given(st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(1963, 12, 31)))
def test_aow_date_uses_the_age_of_its_own_year(born: dt.date) -> None:
    from verordening_engine.language.aow import leeftijd_in

    reached = run(f"aow_datum(datum('{born.isoformat()}'))")
    assert isinstance(reached, dt.date)
    assert reached == add_months(born, leeftijd_in(reached.year).maanden)
    # not reached earlier: in every earlier year the age of that year fell after its end
    for year in range(max(born.year + 65, 2013), reached.year):
        assert add_months(born, leeftijd_in(year).maanden).year > year


MISSING = {**TYPES, Ref("aanvraag", "afstand"): T.getal}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # three-valued logic: a value that is known without the absent fact is returned
        ("aanvraag.wlz and aanvraag.afstand > 6", False),
        ("aanvraag.afstand > 6 and aanvraag.wlz", False),
        ("not aanvraag.wlz or aanvraag.afstand > 6", True),
        ("aanvraag.afstand > 6 or not aanvraag.wlz", True),
        ("5 if aanvraag.afstand > 6 else 5", 5),
        ("aanvraag.afstand if aanvraag.wlz else 3", 3),
    ],
)
def test_absent_fact_not_needed(source: str, expected: object) -> None:
    assert compile_expression(source, MISSING.get)(constant_env(VALUES)) == expected


@pytest.mark.parametrize(
    "source",
    [
        "not aanvraag.wlz and aanvraag.afstand > 6",
        "aanvraag.wlz or aanvraag.afstand > 6",
        "not (aanvraag.afstand > 6)",
        "5 if aanvraag.afstand > 6 else 6",
        "aanvraag.afstand if not aanvraag.wlz else 3",
        "min(aanvraag.afstand, 3) == 3",
    ],
)
def test_absent_fact_needed_is_reported(source: str) -> None:
    with pytest.raises(MissingValue) as info:
        compile_expression(source, MISSING.get)(constant_env(VALUES))
    assert info.value.refs == {Ref("aanvraag", "afstand")}
