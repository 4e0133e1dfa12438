"""Regression runs: the same generated households under two versions, and what changes for whom.

Households come from hypothesis strategies over the vocabulary of both versions, seeded so a
seed gives the same report. Every kind of change gets one minimal example household found by
hypothesis shrinking, with both decisions explained.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from hypothesis import HealthCheck, find, settings
from hypothesis.errors import NoSuchExample
from pydantic import BaseModel, ConfigDict

from ..api import Regelset
from ..batch import evaluate_many
from ..language.expressions import format_euro, parse_euro
from ..versies.households import around, households, random_households, restrict

NOT_IN_CATALOGUE = "niet in catalogus"
UNDECIDED = "geen besluit"


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VoorzieningTelling(Out):
    voorziening: str
    aanvragen: int
    gewijzigd: int


class Overgang(Out):
    voorziening: str
    van: str
    naar: str
    aantal: int


class BijdrageBanden(Out):
    verlies_groot: int
    verlies_klein: int
    gelijk: int
    winst_klein: int
    winst_groot: int


class Bijdragen(Out):
    totaal_a: str
    totaal_b: str
    verschil: str
    huishoudens: BijdrageBanden


class Voorbeeld(Out):
    soort: str
    aantal: int
    gevonden_door: str
    huishouden: dict[str, Any]
    besluit_a: dict[str, Any] | None
    besluit_b: dict[str, Any] | None


class RegressieRapport(Out):
    versie_a: str
    versie_b: str
    peildatum: dt.date
    seed: int
    huishoudens: int
    aanvragen: int
    huishoudens_gewijzigd: int
    aanvragen_gewijzigd: int
    per_voorziening: list[VoorzieningTelling]
    overgangen: list[Overgang]
    eigen_bijdrage: Bijdragen
    per_artikel: dict[str, int]
    voorbeelden: list[Voorbeeld]


def label(besluit: dict[str, Any] | None) -> str:
    if besluit is None:
        return NOT_IN_CATALOGUE
    if besluit["uitkomst"] is None:
        return UNDECIDED
    text = str(besluit["uitkomst"])
    return text + (f" → {besluit['verwijzing']}" if besluit["verwijzing"] else "")


def _cents(besluit: dict[str, Any] | None) -> int:
    if besluit is None or besluit["eigen_bijdrage"] is None:
        return 0
    return parse_euro(besluit["eigen_bijdrage"]["bedrag"])


def kind_of_change(
    voorziening: str, a: dict[str, Any] | None, b: dict[str, Any] | None
) -> str | None:
    la, lb = label(a), label(b)
    if la != lb:
        return f"{voorziening}: {la} ⇒ {lb}"
    if a is None or b is None:
        return None
    if a["eigen_bijdrage"] != b["eigen_bijdrage"]:
        return f"{voorziening}: eigen bijdrage gewijzigd ({la})"
    if (a["vaststellingen"], a["ingangsdatum"], a["termijnen"]) != (
        b["vaststellingen"],
        b["ingangsdatum"],
        b["termijnen"],
    ):
        return f"{voorziening}: vaststelling gewijzigd ({la})"
    return None


def _steps(besluit: dict[str, Any] | None) -> Counter[tuple[str, str]]:
    if besluit is None:
        return Counter()
    return Counter((s["artikel"], s["status"]) for s in besluit["artikelen"])


def population(
    regelsets: list[Regelset],
    peildatum: dt.date,
    n: int,
    seed_value: int,
    voorzieningen: list[str] | None = None,
) -> list[dict[str, Any]]:
    """`n` households from the seeded generator (same seed, same households)."""
    drawn = random_households(
        [r.compiled for r in regelsets], peildatum, n, seed_value, voorzieningen
    )
    for i, case in enumerate(drawn):
        case["casus"] = f"h{i + 1:05d}"
    return drawn


def _decide(regelset: Regelset, case: dict[str, Any]) -> dict[str, dict[str, Any] | None]:
    restricted, missing = restrict(case, regelset.compiled)
    out: dict[str, dict[str, Any] | None] = dict.fromkeys(missing)
    if restricted["aanvragen"]:
        doc = regelset.evaluate(restricted).model_dump(mode="json")
        out.update({b["aanvraag"]: b for b in doc["besluiten"]})
    return out


def _evaluate_all(
    regelset: Regelset,
    cases: list[dict[str, Any]],
    regels: str,
    executor: Executor | None,
    progress: Callable[[int], None] | None,
) -> list[dict[str, dict[str, Any] | None]]:
    restricted = [restrict(case, regelset.compiled) for case in cases]
    todo = [r for r, _ in restricted if r["aanvragen"]]
    docs = iter(
        evaluate_many(
            todo, regels=str(regelset.compiled.source.folder), executor=executor, progress=progress
        )
    )
    out = []
    for case, missing in restricted:
        decided: dict[str, dict[str, Any] | None] = dict.fromkeys(missing)
        if case["aanvragen"]:
            result = next(docs)
            if result.document is None:
                raise RuntimeError(f"generated case could not be evaluated: {result.error}")
            decided.update({b["aanvraag"]: _summary(b) for b in result.document["besluiten"]})
        out.append(decided)
    return out


SUMMARY_FIELDS = (
    "aanvraag",
    "uitkomst",
    "verwijzing",
    "eigen_bijdrage",
    "ingangsdatum",
    "termijnen",
    "vaststellingen",
)


def _summary(besluit: dict[str, Any]) -> dict[str, Any]:
    """What the comparison needs of a decision: 10,000 full explanations would not fit well."""
    kept = {key: besluit[key] for key in SUMMARY_FIELDS}
    kept["artikelen"] = [
        {"artikel": s["artikel"], "status": s["status"]} for s in besluit["artikelen"]
    ]
    return kept


def _minimal_example(
    a: Regelset,
    b: Regelset,
    peildatum: dt.date,
    voorziening: str,
    kind: str,
    observed: dict[str, Any],
) -> tuple[dict[str, Any], str]:
    """Shrink towards the smallest household with this kind of change.

    First a fresh hypothesis search over one-request households; when the change is too rare
    for that, hypothesis shrinks between the observed household and its simplest form.
    """

    def changes(case: dict[str, Any]) -> bool:
        da, db = _decide(a, case), _decide(b, case)
        return kind_of_change(voorziening, da.get("a1"), db.get("a1")) == kind

    quick = settings(
        max_examples=100,
        database=None,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    fresh = households(
        [a.compiled, b.compiled], peildatum, voorzieningen=[voorziening], max_requests=1
    )
    try:
        return find(fresh, changes, settings=quick), "hypothesis (verkleind)"
    except NoSuchExample:
        pass
    near = around(observed, [a.compiled, b.compiled])
    try:
        return (
            find(near, changes, settings=quick),
            "hypothesis (verkleind vanuit een waargenomen huishouden)",
        )
    except NoSuchExample:
        return observed, "waargenomen huishouden (niet verder verkleind)"


def _band(a: int, b: int) -> str:
    if a == b:
        return "gelijk"
    base = max(a, 1)
    share = abs(b - a) * 100 / base
    if b > a:
        return "verlies_groot" if share > 5 else "verlies_klein"
    return "winst_groot" if share > 5 else "winst_klein"


def regress(
    a: Regelset,
    b: Regelset,
    *,
    aantal: int,
    seed_value: int,
    peildatum: dt.date,
    regels: str = "regels",
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
    examples: bool = True,
    voorzieningen: list[str] | None = None,
) -> RegressieRapport:
    """Compare versions `a` and `b` on `aantal` generated households.

    `voorzieningen` narrows the requests to those provisions (households stay general).
    """
    cases = population([a, b], peildatum, aantal, seed_value, voorzieningen)
    under_a = _evaluate_all(a, cases, regels, executor, progress)
    under_b = _evaluate_all(b, cases, regels, executor, progress)
    per_voorziening: Counter[str] = Counter()
    changed_per_voorziening: Counter[str] = Counter()
    transitions: Counter[tuple[str, str, str]] = Counter()
    per_artikel: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    first_seen: dict[str, tuple[str, dict[str, Any]]] = {}
    bands: Counter[str] = Counter()
    total_a = total_b = 0
    households_changed = requests_changed = requests = 0
    for case, da, db in zip(cases, under_a, under_b, strict=True):
        household_changed = False
        pay_a = pay_b = 0
        for aanvraag in case["aanvragen"]:
            rid, v = aanvraag["id"], aanvraag["voorziening"]
            ba, bb = da.get(rid), db.get(rid)
            requests += 1
            per_voorziening[v] += 1
            transitions[(v, label(ba), label(bb))] += 1
            pay_a += _cents(ba) if ba and ba["uitkomst"] == "toegekend" else 0
            pay_b += _cents(bb) if bb and bb["uitkomst"] == "toegekend" else 0
            sa, sb = _steps(ba), _steps(bb)
            for artikel in sorted({k[0] for k in sa} | {k[0] for k in sb}):
                if {k: n for k, n in sa.items() if k[0] == artikel} != {
                    k: n for k, n in sb.items() if k[0] == artikel
                }:
                    per_artikel[artikel] += 1
            kind = kind_of_change(v, ba, bb)
            if kind is not None:
                requests_changed += 1
                changed_per_voorziening[v] += 1
                household_changed = True
                kinds[kind] += 1
                if kind not in first_seen:
                    only = {**case, "aanvragen": [{**aanvraag, "id": "a1"}]}
                    first_seen[kind] = (v, only)
        households_changed += household_changed
        total_a += pay_a
        total_b += pay_b
        bands[_band(pay_a, pay_b)] += 1
    voorbeelden = []
    for kind in sorted(kinds):
        v, observed = first_seen[kind]
        example, how = (
            _minimal_example(a, b, peildatum, v, kind, observed)
            if examples
            else (observed, "waargenomen huishouden")
        )
        example = {**example, "casus": "voorbeeld"}
        voorbeelden.append(
            Voorbeeld(
                soort=kind,
                aantal=kinds[kind],
                gevonden_door=how,
                huishouden=_jsonable(example),
                besluit_a=_decide(a, example).get("a1"),
                besluit_b=_decide(b, example).get("a1"),
            )
        )
    return RegressieRapport(
        versie_a=a.versie,
        versie_b=b.versie,
        peildatum=peildatum,
        seed=seed_value,
        huishoudens=len(cases),
        aanvragen=requests,
        huishoudens_gewijzigd=households_changed,
        aanvragen_gewijzigd=requests_changed,
        per_voorziening=[
            VoorzieningTelling(voorziening=v, aanvragen=n, gewijzigd=changed_per_voorziening[v])
            for v, n in sorted(per_voorziening.items())
        ],
        overgangen=[
            Overgang(voorziening=v, van=x, naar=y, aantal=n)
            for (v, x, y), n in sorted(transitions.items())
        ],
        eigen_bijdrage=Bijdragen(
            totaal_a=format_euro(total_a),
            totaal_b=format_euro(total_b),
            verschil=format_euro(total_b - total_a),
            huishoudens=BijdrageBanden(
                **{
                    k: bands[k]
                    for k in (
                        "verlies_groot",
                        "verlies_klein",
                        "gelijk",
                        "winst_klein",
                        "winst_groot",
                    )
                }
            ),
        ),
        per_artikel=dict(sorted(per_artikel.items())),
        voorbeelden=voorbeelden,
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
