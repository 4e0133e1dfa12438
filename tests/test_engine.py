"""Properties of the engine over generated, realistic household cases.

A decision about a resident must not depend on how it was computed: the durable-rules
agenda and the plain fixpoint must agree, the order of the requests and members in the
case must not matter, threads, earlier cases and the hash seed of the process must leave
no trace in the JSON, and every request gets exactly one decision (these hold for the
whole catalogue). On top of that the legal limits of the Wmo slice must hold for every
case: no minimum age (only support the Jeugdwet also gives is referred there, below 17,5
years, and then starts on the 18th birthday), a Wlz refusal only by the college's recorded
choice, a contribution never above the cost price, and nothing to pay for minima.
Scenarios check a handful of stories; these properties check thousands of households.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from verordening_engine.api import Regelset, load_regelset_folder
from verordening_engine.besluit.model import Besluit, BesluitDocument
from verordening_engine.language.expressions import format_euro, parse_euro
from verordening_engine.regels.model import Feit
from verordening_engine.versies.consistency import possible_facts

ROOT = Path(__file__).resolve().parent.parent
VERSIE = ROOT / "regels" / "dordrecht" / "2026-04-01"
SRC = ROOT / "src"

PEIL_START = dt.date(2026, 4, 1)
PEIL_END = dt.date(2027, 12, 31)
MAX_AGE_DAYS = 95 * 365 + 23  # up to 95 years old
AGE_ANCHORS_MONTHS = (210, 216, 804, 807)  # 17,5 and 18 years, the AOW age (2026-27, 2028)
INKOMEN_GRENZEN = (50, 109, 110, 111, 300)
ENGINES = ("durable", "fixpoint")

X = TypeVar("X")

PROPERTY = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@cache
def regelset() -> Regelset:
    return load_regelset_folder(VERSIE)


# ---------------------------------------------------------------- case generation
#
# One builder serves both hypothesis (shrinkable draws) and a seeded random.Random
# (fixed corpora for the thread and process tests): it only asks a picker for numbers
# and choices.


class HypothesisPicker:
    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
        self.draw = draw

    def integer(self, lo: int, hi: int) -> int:
        value: int = self.draw(st.integers(lo, hi))
        return value

    def choice(self, options: Sequence[X]) -> X:
        value: X = self.draw(st.sampled_from(options))
        return value


class RandomPicker:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def integer(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def choice(self, options: Sequence[X]) -> X:
        return self.rng.choice(options)


Picker = HypothesisPicker | RandomPicker


def shift_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months, clamped to the end of a shorter month."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last))


def birthday(born: dt.date, years: int) -> dt.date:
    """The day someone born on `born` turns `years` (29 February -> 28 February)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return dt.date(born.year + years, 2, 28)


def birth_date(pick: Picker, peildatum: dt.date) -> dt.date:
    """Any age up to 95, often close to 17,5, 18 or the AOW age, at a month end or 29 February."""
    mode = pick.choice(("anywhere", "anchor", "anchor", "schrikkeldag"))
    if mode == "anywhere":
        return peildatum - dt.timedelta(days=pick.integer(0, MAX_AGE_DAYS))
    if mode == "schrikkeldag":
        leap = [y for y in range(peildatum.year - 95, peildatum.year) if calendar.isleap(y)]
        return dt.date(pick.choice((1960, 2008, *leap)), 2, 29)  # 1960: AOW age in 2027
    months = pick.choice(AGE_ANCHORS_MONTHS)
    born = shift_months(peildatum, -months) + dt.timedelta(days=pick.integer(-40, 40))
    if pick.choice((False, False, True)):
        born = born.replace(day=calendar.monthrange(born.year, born.month)[1])
    return born


def adult(born: dt.date, peildatum: dt.date) -> dt.date:
    """A partner is at least 18 (the vocabulary's check partner-meerderjarig)."""
    return min(born, shift_months(peildatum, -12 * 18))


def fact_value(pick: Picker, feit: Feit, peildatum: dt.date) -> Any:
    """A plausible value for a fact that is not a yes/no finding, by its type and unit."""
    kind, unit = feit.type.value, feit.eenheid
    if feit.waarden:
        return pick.choice(feit.waarden)
    if kind == "datum":
        return peildatum - dt.timedelta(days=pick.integer(0, pick.choice((60, 400, 6 * 365))))
    if kind == "bedrag":
        if unit == "euro_per_maand":
            return format_euro(pick.integer(900_00, 2_500_00))
        return format_euro(pick.choice((0, 1)) * pick.integer(0, 10_000_00))
    if unit == "procent":
        return pick.choice((None, *INKOMEN_GRENZEN)) or pick.integer(50, 300)
    high = {"kilometer": 60, "maanden": 120, "jaren": 30}.get(unit or "", 4)
    if feit.bereik is not None and isinstance(feit.bereik.max, int):
        high = min(high, feit.bereik.max)  # the declared range: beyond it is impossible input
    return pick.integer(0, high)


# The dates of one request, in the order they happen (all on or before the peildatum).
DATE_CHAIN = ("meldingsdatum", "datum_eerste_gesprek", "aanvraagdatum")
# How likely a yes/no finding with a default is true: most people and requests are
# ordinary (nothing that blocks support, so grants and the limits on them are common).
PROFILES = ((False, None), (False, None), (False, None, False, True), (False, True))


@cache
def facts_read(voorziening: str | None, space: str) -> tuple[str, ...]:
    """The facts of `space` the rules for `voorziening` read (all of them for None)."""
    rs = regelset().compiled
    if voorziening is None:
        return tuple(sorted(rs.inputs[space]))
    reads = {ref.name for r in rs.rules_for[voorziening] for ref in r.reads if ref.space == space}
    return tuple(sorted(reads & set(rs.inputs[space])))


def findings(
    pick: Picker, space: str, peildatum: dt.date, voorziening: str | None = None
) -> dict[str, Any]:
    """Random values for the facts of `space` the rules read (omitted: the default)."""
    profile = pick.choice(PROFILES)
    out: dict[str, Any] = {}
    vocab = regelset().compiled.inputs[space]
    for name in facts_read(voorziening, space):
        feit = vocab[name]
        value: Any
        if feit.type.value == "waarheid":
            value = pick.choice((True, True, False) if feit.standaard is None else profile)
        elif feit.standaard is None or pick.choice((True, False)):
            value = fact_value(pick, feit, peildatum)
        else:
            value = None
        if value is not None:
            out[name] = value
    chain = [name for name in DATE_CHAIN if name in out]
    for name, day in zip(chain, sorted(out[name] for name in chain), strict=True):
        out[name] = day
    return possible_facts(out, vocab, peildatum)


@cache
def decidable() -> tuple[str, ...]:
    """The voorzieningen some article decides (chapters still being written decide none)."""
    rs = regelset().compiled
    return tuple(
        sorted(v for v in rs.catalogue if any(r.kind == "besluit" for r in rs.rules_for[v]))
    )


def build_case(
    pick: Picker, name: str = "eigenschap", voorzieningen: Sequence[str] = ()
) -> dict[str, Any]:
    """A valid, realistic case for the 2026-04-01 version (requests for `voorzieningen`)."""
    peildatum = PEIL_START + dt.timedelta(days=pick.integer(0, (PEIL_END - PEIL_START).days))
    size = pick.integer(1, 4)
    roles = ["aanvrager"]
    if size > 1 and pick.choice((True, False)):
        roles.append("partner")
    while len(roles) < size:
        roles.append(pick.choice(("kind", "kind", "kind", "ouder", "overig")))
    first = pick.integer(0, size - 1)  # the aanvrager is not always listed first
    roles = roles[first:] + roles[:first]
    leden = [
        {
            "id": f"p{i + 1}",
            "geboortedatum": adult(birth_date(pick, peildatum), peildatum)
            if rol == "partner"
            else birth_date(pick, peildatum),
            "rol": rol,
            "feiten": findings(pick, "persoon", peildatum),
        }
        for i, rol in enumerate(roles)
    ]
    aanvragen = []
    for i in range(pick.integer(1, 3)):
        persoon = pick.choice([lid["id"] for lid in leden])
        voorziening = pick.choice(voorzieningen or decidable())
        feiten = findings(pick, "aanvraag", peildatum, voorziening)
        aanvragen.append(
            {"id": f"a{i + 1}", "persoon": persoon, "voorziening": voorziening, "feiten": feiten}
        )
    return {
        "casus": name,
        "peildatum": peildatum,
        "huishouden": {"leden": leden, "feiten": findings(pick, "huishouden", peildatum)},
        "aanvragen": aanvragen,
    }


@st.composite
def cases(
    draw: Callable[[st.SearchStrategy[Any]], Any], voorzieningen: Sequence[str] = ()
) -> dict[str, Any]:
    return build_case(HypothesisPicker(draw), voorzieningen=voorzieningen)


@cache
def wmo() -> tuple[str, ...]:
    """The Wmo voorzieningen: the slice the legal properties below are about."""
    rs = regelset().compiled
    return tuple(v for v in decidable() if rs.catalogue[v].wet == "wmo2015")


def seeded_cases(count: int, seed: int, voorzieningen: Sequence[str] = ()) -> list[dict[str, Any]]:
    pick = RandomPicker(seed)
    return [build_case(pick, f"casus-{seed}-{i}", voorzieningen) for i in range(count)]


def neutral(feit: Feit, peildatum: dt.date) -> Any:
    """A plain value for a fact a hand-made case does not care about."""
    if feit.waarden:
        return feit.waarden[0]
    if feit.type.value == "bedrag":
        return "1400.00" if feit.eenheid == "euro_per_maand" else "0.00"
    if feit.type.value == "getal":
        return 100 if feit.eenheid == "procent" else 0
    return {"waarheid": False, "datum": peildatum}.get(feit.type.value, "")


def filled(space: str, given: dict[str, Any], peildatum: dt.date) -> dict[str, Any]:
    """`given`, plus a neutral value for every fact of `space` that has no default."""
    vocab = regelset().compiled.inputs[space]
    required = {
        n: neutral(f, peildatum)
        for n, f in sorted(vocab.items())
        if f.standaard is None
        and f.alleen_als is None  # a guarded fact is given only with its guard
    }
    return required | given


def hand_made(
    voorziening: str,
    born: dt.date,
    *,
    inkomen: int = 150,
    persoon: dict[str, Any] | None = None,
    aanvraag: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A one-person case on 15 June 2026, for the boundaries a property is about."""
    peildatum = dt.date(2026, 6, 15)
    return {
        "casus": f"voorbeeld-{voorziening}",
        "peildatum": peildatum,
        "huishouden": {
            "leden": [
                {
                    "id": "p1",
                    "geboortedatum": born,
                    "rol": "aanvrager",
                    "feiten": filled("persoon", persoon or {}, peildatum),
                }
            ],
            "feiten": filled("huishouden", {"inkomen_pct_sociaal_minimum": inkomen}, peildatum),
        },
        "aanvragen": [
            {
                "id": "a1",
                "persoon": "p1",
                "voorziening": voorziening,
                "feiten": filled(
                    "aanvraag", {"beperking_vastgesteld": True, **(aanvraag or {})}, peildatum
                ),
            }
        ],
    }


# Explicit examples, so that each property meets its boundary in every run.
ONE_DAY_BEFORE_17_5 = hand_made("begeleiding_individueel", dt.date(2008, 12, 16))
EXACTLY_17_5 = hand_made("begeleiding_individueel", dt.date(2008, 12, 15))
CHILD_WONINGAANPASSING = hand_made(
    "woningaanpassing", dt.date(2017, 3, 1), aanvraag={"kostprijs_voorziening": "4000.00"}
)
WLZ = hand_made("begeleiding_individueel", dt.date(1950, 3, 3), persoon={"wlz_indicatie": True})
WLZ_BY_CHOICE = hand_made(
    "begeleiding_individueel",
    dt.date(1950, 3, 3),
    persoon={"wlz_indicatie": True, "wlz_aanspraak_verblijf_instelling": True},
    aanvraag={"college_weigert_wegens_wlz": True},
)
WASSERVICE = hand_made("wasservice", dt.date(1950, 3, 3), inkomen=200)
MINIMA = hand_made("begeleiding_individueel", dt.date(1980, 1, 31), inkomen=110)
END = dt.date(2027, 12, 31)
EVERYTHING = {
    "casus": "alles-tegelijk",
    "peildatum": END,
    "huishouden": {
        "leden": [
            {"id": "p1", "geboortedatum": dt.date(1960, 2, 29), "rol": "aanvrager"},
            {
                "id": "p2",
                "geboortedatum": dt.date(1961, 1, 1),
                "rol": "partner",
                "feiten": {"wlz_of_bw_bijdrage_verschuldigd": True},
            },
            {"id": "p3", "geboortedatum": dt.date(2012, 6, 30), "rol": "kind"},
        ],
        "feiten": filled("huishouden", {"inkomen_pct_sociaal_minimum": 111}, END),
    },
    "aanvragen": [
        {
            "id": "a1",
            "persoon": "p1",
            "voorziening": "huishoudelijke_ondersteuning",
            "feiten": filled(
                "aanvraag",
                {
                    "beperking_vastgesteld": True,
                    "eigen_kracht_volstaat": True,
                    "algemene_voorziening_volstaat": True,
                    "passende_algemene_voorziening": "wasservice",
                },
                END,
            ),
        },
        {
            "id": "a2",
            "persoon": "p3",
            "voorziening": "rolstoel",
            "feiten": filled("aanvraag", {"beperking_vastgesteld": True}, END),
        },
        {
            "id": "a3",
            "persoon": "p2",
            "voorziening": "zorgoppas",
            "feiten": filled("aanvraag", {}, END),
        },
    ],
}


# ---------------------------------------------------------------- helpers


def evaluate(case: dict[str, Any], engine: str = "durable") -> BesluitDocument:
    return regelset().evaluate(case, engine=engine)


def step_keys(besluit: Besluit) -> Counter[tuple[Any, ...]]:
    """The explanation steps of a decision as a multiset (the firing order may differ)."""
    return Counter(
        (
            s.regel,
            s.toegepast,
            s.status,
            s.opzij_gezet_door,
            json.dumps(s.feiten, sort_keys=True),
            s.conclusie,
            s.zin,
            s.waarom_niet,
        )
        for s in besluit.artikelen
    )


def decision(besluit: Besluit) -> dict[str, Any]:
    """Everything a decision says, with the explanation steps as a multiset."""
    out = besluit.model_dump(mode="json", exclude={"artikelen"})
    out["artikelen"] = sorted(step_keys(besluit).elements(), key=repr)
    for alternatief in out["alternatieven"]:  # a JSON Pointer names a position in the case
        for change in alternatief["wijzigingen"]:
            change["pad"] = re.sub(r"/\d+/", "/#/", change["pad"])
    return out


def finding(given_facts: dict[str, Any], space: str, name: str) -> Any:
    """A finding of the case, or its default from begrippen.yaml."""
    if name in given_facts:
        return given_facts[name]
    return regelset().compiled.inputs[space][name].standaard


def granted_requests(case: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any], Besluit]]:
    """(aanvraag, lid, besluit) for each toegekend request of the durable evaluation."""
    doc = evaluate(case)
    leden = {lid["id"]: lid for lid in case["huishouden"]["leden"]}
    assert [b.aanvraag for b in doc.besluiten] == [a["id"] for a in case["aanvragen"]]
    return [
        (aanvraag, leden[aanvraag["persoon"]], besluit)
        for aanvraag, besluit in zip(case["aanvragen"], doc.besluiten, strict=True)
        if besluit.uitkomst == "toegekend"
    ]


def is_wmo_maatwerk(voorziening: str) -> bool:
    v = regelset().compiled.catalogue[voorziening]
    return (v.wet, v.soort.value) == ("wmo2015", "maatwerk")


# ---------------------------------------------------------------- engines agree


@settings(PROPERTY, max_examples=300)
@given(cases())
@example(EVERYTHING)
@example(EXACTLY_17_5)
def test_durable_agrees_with_fixpoint(case: dict[str, Any]) -> None:
    durable = evaluate(case, "durable")
    fixpoint = evaluate(case, "fixpoint")
    assert len(durable.besluiten) == len(fixpoint.besluiten) == len(case["aanvragen"])
    for d, f in zip(durable.besluiten, fixpoint.besluiten, strict=True):
        assert d.aanvraag == f.aanvraag
        assert d.uitkomst == f.uitkomst
        assert d.verwijzing == f.verwijzing
        assert d.eigen_bijdrage == f.eigen_bijdrage
        assert d.ingangsdatum == f.ingangsdatum
        assert d.beslissende_artikelen == f.beslissende_artikelen
        assert d.problemen == f.problemen
        assert step_keys(d) == step_keys(f)


@PROPERTY
@given(cases(), st.sampled_from(ENGINES))
@example(EVERYTHING, "durable")
@example(EVERYTHING, "fixpoint")
def test_order_of_requests_does_not_change_decisions(case: dict[str, Any], engine: str) -> None:
    reversed_case = dict(
        case,
        huishouden=dict(case["huishouden"], leden=case["huishouden"]["leden"][::-1]),
        aanvragen=case["aanvragen"][::-1],
    )
    forward = {b.aanvraag: decision(b) for b in evaluate(case, engine).besluiten}
    backward = {b.aanvraag: decision(b) for b in evaluate(reversed_case, engine).besluiten}
    assert forward == backward
    assert sorted(forward) == sorted(a["id"] for a in case["aanvragen"])


@PROPERTY
@given(cases(), st.sampled_from(ENGINES))
@example(EVERYTHING, "durable")
def test_every_request_gets_exactly_one_decision(case: dict[str, Any], engine: str) -> None:
    doc = evaluate(case, engine)
    assert [b.aanvraag for b in doc.besluiten] == [a["id"] for a in case["aanvragen"]]
    for aanvraag, besluit in zip(case["aanvragen"], doc.besluiten, strict=True):
        assert besluit.persoon == aanvraag["persoon"]
        assert besluit.voorziening == aanvraag["voorziening"]
        assert besluit.uitkomst is not None, besluit.problemen
        assert besluit.problemen == []
        assert besluit.beslissende_artikelen, "a decision names the article that decides it"
        decisive = {s.artikel for s in besluit.artikelen if s.status == "beslissend"}
        assert set(besluit.beslissende_artikelen) == decisive


def test_undecided_voorzieningen_are_only_placeholders() -> None:
    """A voorziening no article decides must have no rules of its own yet (chapter 3-6)."""
    rs = regelset().compiled
    for name in sorted(set(rs.catalogue) - set(decidable())):
        own = [r.id for r in rs.rules_for[name] if r.kind != "bepaal"]
        assert own == [], f"{name} has rules {own} but none decides it: a gap"
    assert "huishoudelijke_ondersteuning" in decidable()


@pytest.mark.parametrize("voorziening", decidable())
def test_every_single_finding_is_decided(voorziening: str) -> None:
    """Each finding on its own, at ages around the limits, for every voorziening: a decision."""
    rs = regelset().compiled
    singles: list[tuple[str, str]] = [
        (space, name)
        for space in ("persoon", "aanvraag")
        for name in facts_read(voorziening, space)
        if rs.inputs[space][name].type.value == "waarheid"
        and rs.inputs[space][name].standaard is not None
    ]
    for born in (
        dt.date(2012, 1, 1),
        dt.date(2008, 12, 16),
        dt.date(2008, 12, 15),
        dt.date(1959, 6, 15),
    ):
        for beperking in (True, False):
            for single in (None, *singles):
                case = hand_made(voorziening, born, aanvraag={"beperking_vastgesteld": beperking})
                if single is not None:
                    space, name = single
                    target = (
                        case["huishouden"]["leden"][0]
                        if space == "persoon"
                        else case["aanvragen"][0]
                    )
                    target["feiten"][name] = True
                durable = evaluate(case, "durable")
                fixpoint = evaluate(case, "fixpoint")
                (besluit,) = durable.besluiten
                assert besluit.uitkomst is not None and besluit.problemen == [], (born, single)
                assert decision(besluit) == decision(fixpoint.besluiten[0]), (born, single)


# ---------------------------------------------------------------- legal limits of this slice


def all_requests(case: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any], Besluit]]:
    """(aanvraag, lid, besluit) for every request of the durable evaluation."""
    doc = evaluate(case)
    leden = {lid["id"]: lid for lid in case["huishouden"]["leden"]}
    return [
        (aanvraag, leden[aanvraag["persoon"]], besluit)
        for aanvraag, besluit in zip(case["aanvragen"], doc.besluiten, strict=True)
    ]


def gives_jeugdhulp_too(voorziening: str) -> bool:
    return "ook_jeugdhulp" in regelset().compiled.catalogue[voorziening].kenmerken


@PROPERTY
@given(cases(wmo()))
@example(ONE_DAY_BEFORE_17_5)
@example(CHILD_WONINGAANPASSING)
def test_wmo_has_no_minimum_age(case: dict[str, Any]) -> None:
    """Only support the Jeugdwet gives too is referred there, and only below 17,5 years."""
    peildatum = case["peildatum"]
    overgang = regelset().compiled.param_at("wmo_aanvraag_vanaf_overgang_maanden", peildatum)
    assert overgang is not None and overgang.value == 210  # 17,5 years
    for aanvraag, lid, besluit in all_requests(case):
        if not is_wmo_maatwerk(aanvraag["voorziening"]):
            continue
        assert besluit.uitkomst != "niet_ontvankelijk", aanvraag["id"]
        young = shift_months(lid["geboortedatum"], overgang.value) > peildatum
        if besluit.verwijzing == "jeugdwet":
            assert young and gives_jeugdhulp_too(aanvraag["voorziening"]), aanvraag["id"]
        if besluit.uitkomst == "toegekend" and gives_jeugdhulp_too(aanvraag["voorziening"]):
            assert not young, f"{aanvraag['id']}: jeugdhulp via de Wmo onder 17,5 jaar"


@PROPERTY
@given(cases(wmo()))
@example(WLZ)
@example(WLZ_BY_CHOICE)
def test_wlz_refusal_only_by_the_colleges_recorded_choice(case: dict[str, Any]) -> None:
    """Wmo 2015 art. 2.3.5 lid 6 is a power ("kan"): a Wlz indicatie alone refuses nothing."""
    for aanvraag, lid, besluit in all_requests(case):
        if is_wmo_maatwerk(aanvraag["voorziening"]) and besluit.verwijzing == "wlz":
            assert finding(aanvraag["feiten"], "aanvraag", "college_weigert_wegens_wlz") is True
            assert (
                finding(lid["feiten"], "persoon", "wlz_aanspraak_verblijf_instelling") is True
                or finding(lid["feiten"], "persoon", "weigert_medewerking_wlz") is True
            )
            assert finding(lid["feiten"], "persoon", "wlz_verzekerde_11_1_1_lid_3") is False


@PROPERTY
@given(cases(wmo()))
@example(WASSERVICE)
def test_contribution_for_algemene_voorziening_never_above_cost_price(
    case: dict[str, Any],
) -> None:
    rs = regelset().compiled
    for aanvraag, _, besluit in granted_requests(case):
        voorziening = rs.catalogue[aanvraag["voorziening"]]
        if "kostprijs" in voorziening.parameters:  # zorgoppas, wasservice
            assert besluit.eigen_bijdrage is not None
            assert besluit.eigen_bijdrage.per == voorziening.bijdrage_per
            kostprijs = rs.param_at(voorziening.parameters["kostprijs"], case["peildatum"])
            assert kostprijs is not None
            assert parse_euro(besluit.eigen_bijdrage.bedrag) <= kostprijs.value
        elif "kosteloos" in voorziening.kenmerken:
            assert besluit.eigen_bijdrage is not None
            assert besluit.eigen_bijdrage.bedrag == "0.00"


def test_cost_prices_are_the_ones_the_properties_rely_on() -> None:
    """The cap matters only if a tariff is above its cost price (wasservice: 12.50 > 9.75)."""
    rs = regelset().compiled
    day = dt.date(2026, 6, 1)
    prices: dict[str, tuple[int, int]] = {}
    for name, voorziening in rs.catalogue.items():
        if "kostprijs" not in voorziening.parameters:
            continue
        tarief = rs.param_at(voorziening.parameters["tarief"], day)
        kostprijs = rs.param_at(voorziening.parameters["kostprijs"], day)
        assert tarief is not None and kostprijs is not None
        prices[name] = (tarief.value, kostprijs.value)
    assert prices["wasservice"][1] == 975
    assert prices["zorgoppas"][1] == 2450
    assert any(tarief > kostprijs for tarief, kostprijs in prices.values())


@PROPERTY
@given(cases(wmo()))
@example(MINIMA)
@example(EVERYTHING)
def test_minima_pay_nothing(case: dict[str, Any]) -> None:
    grens = regelset().compiled.param_at("minimagrens_eigen_bijdrage_procent", case["peildatum"])
    assert grens is not None
    if case["huishouden"]["feiten"]["inkomen_pct_sociaal_minimum"] > grens.value:
        return
    for aanvraag, _, besluit in granted_requests(case):
        if besluit.eigen_bijdrage is not None:
            assert besluit.eigen_bijdrage.bedrag == "0.00", aanvraag["id"]
        else:  # only a voorziening without any contribution rule may say nothing
            kinds = {r.kind for r in regelset().compiled.rules_for[aanvraag["voorziening"]]}
            assert "eigen_bijdrage" not in kinds, aanvraag["id"]


@PROPERTY
@given(cases(wmo()))
@example(EXACTLY_17_5)
@example(CHILD_WONINGAANPASSING)
def test_jeugdhulp_via_wmo_never_starts_before_the_18th_birthday(case: dict[str, Any]) -> None:
    for aanvraag, lid, besluit in granted_requests(case):
        if is_wmo_maatwerk(aanvraag["voorziening"]):
            assert besluit.ingangsdatum is not None, aanvraag["id"]
            if gives_jeugdhulp_too(aanvraag["voorziening"]):
                assert besluit.ingangsdatum >= birthday(lid["geboortedatum"], 18), aanvraag["id"]
            else:  # a woningaanpassing or hulpmiddel starts on the peildatum, at any age
                assert besluit.ingangsdatum == case["peildatum"], aanvraag["id"]


# ---------------------------------------------------------------- the generator and the examples


def test_generated_cases_reach_every_kind_of_decision() -> None:
    """Guard against vacuous properties: the generator reaches the cases they are about."""
    seen: Counter[str] = Counter()
    for case in seeded_cases(500, seed=7, voorzieningen=wmo()):
        inkomen = case["huishouden"]["feiten"]["inkomen_pct_sociaal_minimum"]
        leden = {lid["id"]: lid for lid in case["huishouden"]["leden"]}
        for aanvraag, besluit in zip(case["aanvragen"], evaluate(case).besluiten, strict=True):
            seen[str(besluit.uitkomst)] += 1
            if besluit.verwijzing:
                seen[f"verwijzing {besluit.verwijzing}"] += 1
            if besluit.uitkomst != "toegekend" or besluit.eigen_bijdrage is None:
                continue
            bedrag = besluit.eigen_bijdrage.bedrag
            soort = "maatwerk" if is_wmo_maatwerk(aanvraag["voorziening"]) else "algemeen"
            seen[f"{soort} toegekend"] += 1
            seen[f"{soort} betaalt"] += bedrag != "0.00"
            seen["minima toegekend"] += inkomen <= 110
            born = leden[aanvraag["persoon"]]["geboortedatum"]
            seen["ingang op 18e verjaardag"] += besluit.ingangsdatum == birthday(born, 18)
    for key in (
        "toegekend",
        "afgewezen",
        "verwijzing jeugdwet",
        "verwijzing wlz",
        "maatwerk toegekend",
        "maatwerk betaalt",
        "algemeen toegekend",
        "algemeen betaalt",
        "minima toegekend",
        "ingang op 18e verjaardag",
    ):
        assert seen[key] >= 3, (key, dict(seen))


def test_hand_made_examples_are_on_their_boundaries() -> None:
    """The explicit examples above must keep meaning what their names say."""

    def only(case: dict[str, Any]) -> tuple[Any, ...]:
        (b,) = evaluate(case).besluiten
        bijdrage = (b.eigen_bijdrage.bedrag, b.eigen_bijdrage.per) if b.eigen_bijdrage else None
        return b.uitkomst, b.verwijzing, bijdrage, b.ingangsdatum

    assert only(ONE_DAY_BEFORE_17_5) == ("afgewezen", "jeugdwet", None, None)
    assert only(EXACTLY_17_5) == ("toegekend", None, ("21.80", "maand"), dt.date(2026, 12, 15))
    # a nine-year-old's woningaanpassing is Wmo: granted now, no bijdrage under 18 (3.8 lid 3 e)
    assert only(CHILD_WONINGAANPASSING) == (
        "toegekend",
        None,
        ("0.00", "maand"),
        dt.date(2026, 6, 15),
    )
    assert only(WLZ)[:2] == ("toegekend", None)  # a Wlz indicatie alone is no ground
    assert only(WLZ_BY_CHOICE) == ("afgewezen", "wlz", None, None)
    without_wlz = hand_made("begeleiding_individueel", dt.date(1950, 3, 3))
    assert only(without_wlz) == ("toegekend", None, ("21.80", "maand"), dt.date(2026, 6, 15))
    assert only(WASSERVICE) == ("toegekend", None, ("9.75", "keer"), None)
    assert only(MINIMA) == ("toegekend", None, ("0.00", "maand"), dt.date(2026, 6, 15))
    above_minima = hand_made("begeleiding_individueel", dt.date(1980, 1, 31), inkomen=111)
    assert only(above_minima)[2] == ("21.80", "maand")
    # the child's rolstoel is Wmo (no minimum age), free of bijdrage
    assert [b.uitkomst for b in evaluate(EVERYTHING).besluiten] == [
        "afgewezen",
        "toegekend",
        "toegekend",
    ]


# ---------------------------------------------------------------- no hidden state


def test_threads_give_same_decisions_as_sequential() -> None:
    corpus = seeded_cases(64, seed=2026)
    sequential = [evaluate(case).model_dump_json() for case in corpus]
    assert len(set(sequential)) == len(corpus)
    for _ in range(3):
        with ThreadPoolExecutor(8) as pool:
            threaded = list(pool.map(lambda c: evaluate(c).model_dump_json(), corpus))
        assert threaded == sequential


@settings(PROPERTY, max_examples=100)
@given(cases(), cases(), st.sampled_from(ENGINES))
def test_no_state_leaks_between_cases(a: dict[str, Any], b: dict[str, Any], engine: str) -> None:
    first = evaluate(a, engine).model_dump_json()
    evaluate(b, engine)
    again = evaluate(a, engine).model_dump_json()
    assert again == first


SUBPROCESS = """
import sys
from verordening_engine.api import load_regelset_folder
rs = load_regelset_folder(sys.argv[1])
for path in sys.argv[2:]:
    print(rs.evaluate(path).model_dump_json())
"""


def test_json_identical_across_processes_and_hash_seeds(tmp_path: Path) -> None:
    corpus = seeded_cases(4, seed=67)
    paths = []
    for i, case in enumerate(corpus):
        path = tmp_path / f"casus-{i}.json"
        path.write_text(json.dumps(case, default=dt.date.isoformat, indent=2), encoding="utf-8")
        paths.append(path)
    in_process = "".join(evaluate(case).model_dump_json() + "\n" for case in corpus)
    from_files = "".join(regelset().evaluate(p).model_dump_json() + "\n" for p in paths)
    assert from_files == in_process
    outputs = {}
    for seed in ("0", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
        done = subprocess.run(
            [sys.executable, "-c", SUBPROCESS, str(VERSIE), *map(str, paths)],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        outputs[seed] = done.stdout
    assert outputs["0"] == outputs["12345"]
    assert outputs["0"] == in_process
    assert len(outputs["0"].splitlines()) == len(corpus)
