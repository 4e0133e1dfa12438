"""Regression runs: the same generated households under two versions, and what changes for whom.

The households are steered at every rule that can decide a request in either version and at
every boundary the versions' rules and parameters fix (`households`, `targets`), seeded so
that a seed gives the same report. The report counts, per voorziening, how often each
outcome was reached under each version and names the outcomes never reached. Every kind of
change gets one minimal example household, found by hypothesis shrinking.
This module is longer than 500 lines: generation, evaluation, counting and shrinking share
one run's state.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis.errors import NoSuchExample

from ..api import Regelset
from ..language.expressions import format_euro, parse_euro
from .constraints import outcome_label
from .deciding import decide, decide_all
from .households import common_catalogue, random_households, restrict
from .regression_model import (
    BijdrageBanden,
    Bijdragen,
    Overgang,
    RegressieRapport,
    UitkomstDekking,
    Voorbeeld,
    VoorzieningTelling,
)
from .shrinking import around, households

NOT_IN_CATALOGUE = "niet in catalogus"
UNDECIDED = "geen besluit"
NOT_A_FORECAST = (
    "De huishoudens zijn gegenereerd: elk huishouden is gericht op een regel die een aanvraag "
    "kan beslissen (een afwijzingsgrond, een verwijzing, een toekenning, een bijdrageregeling) "
    "en op de grenzen die de regels en parameters van beide versies stellen, aan beide kanten. "
    "De aantallen laten zien welke soorten huishoudens een wijziging raakt; zij zijn geen "
    "voorspelling van het aantal inwoners van Dordrecht dat de wijziging merkt."
)
PhaseFn = Callable[[str, int], None]


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


def changed_articles(kind: str, a: dict[str, Any] | None, b: dict[str, Any] | None) -> list[str]:
    """The articles behind one changed decision: those whose deciding rules differ between
    the versions; where the same rules decided (a changed amount or term), those whose
    rules decided the part that changed. Articles that decided both ways alike (the
    termijnen of every request) are not counted."""
    if a is None or b is None:
        return []
    rules_a = {(s["regel"], s["artikel"]) for s in a["artikelen"]}
    rules_b = {(s["regel"], s["artikel"]) for s in b["artikelen"]}
    differ = sorted({artikel for _, artikel in rules_a ^ rules_b})
    if differ:
        return differ
    if "eigen bijdrage gewijzigd" in kind:
        kinds: tuple[str, ...] = ("eigen_bijdrage",)
    elif "vaststelling gewijzigd" in kind:
        kinds = ("vaststelling", "ingangsdatum", "termijn")
    else:
        kinds = ("besluit",)
    return sorted({s["artikel"] for s in b["artikelen"] if s.get("soort") in kinds})


def population(
    regelsets: list[Regelset],
    peildatum: dt.date,
    n: int,
    seed_value: int,
    voorzieningen: list[str] | None = None,
) -> list[dict[str, Any]]:
    """`n` households from the seeded, steered generator (same seed, same households)."""
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
        # both versions judge the same households: one of them is a what-if by design
        doc = regelset.evaluate(restricted, buiten_geldigheid=True).model_dump(mode="json")
        units = _units(doc)
        out.update(
            {
                b["aanvraag"]: {**b, "huishouden_bedrag": units.get(b["aanvraag"])}
                for b in doc["besluiten"]
            }
        )
    return out


def _decide_only(regelset: Regelset, case: dict[str, Any]) -> dict[str, dict[str, Any] | None]:
    """The decisions without explanation: what the search for a minimal example tests."""
    restricted, missing = restrict(case, regelset.compiled)
    out: dict[str, dict[str, Any] | None] = dict.fromkeys(missing)
    if restricted["aanvragen"]:
        out.update(decide(regelset, restricted))
    return out


def _units(doc: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Per request, the household bijdrage (Wmo 2.1.4a lid 4) it is part of: id and amount."""
    return {
        rid: {"id": unit["id"], "bedrag": unit["bedrag"]}
        for unit in doc.get("huishouden_bijdrage") or []
        for rid in unit["besluiten"]
    }


# decisions of households seen before, per version: a mutation test compares many drafts
# with one original on mostly the same households (bounded, oldest dropped first)
_DECIDED: OrderedDict[tuple[str, str], dict[str, dict[str, Any]]] = OrderedDict()
_DECIDED_MAX = 20_000


def _key(case: dict[str, Any]) -> str:
    return json.dumps({**case, "casus": ""}, sort_keys=True, default=str)


def _evaluate_all(
    regelset: Regelset,
    cases: list[dict[str, Any]],
    executor: Executor | None,
    progress: Callable[[int], None] | None,
) -> list[dict[str, dict[str, Any] | None]]:
    """Every household's decisions under `regelset`, without explanations (only the
    minimal examples are explained); households decided before are taken from the cache."""
    sha = regelset.compiled.sha256
    restricted = [restrict(case, regelset.compiled) for case in cases]
    keys = [_key(r) if r["aanvragen"] else "" for r, _ in restricted]
    todo = [
        (k, r)
        for k, (r, _) in zip(keys, restricted, strict=True)
        if r["aanvragen"] and (sha, k) not in _DECIDED
    ]
    if progress and len(todo) < len(cases):
        progress(len(cases) - len(todo))
    decided_now = decide_all(regelset, [r for _, r in todo], executor, progress)
    for (k, _), summaries in zip(todo, decided_now, strict=True):
        _DECIDED[(sha, k)] = summaries
    out = []
    for k, (case, missing) in zip(keys, restricted, strict=True):
        decided: dict[str, dict[str, Any] | None] = dict.fromkeys(missing)
        if case["aanvragen"]:
            decided.update(_DECIDED[(sha, k)])
            _DECIDED.move_to_end((sha, k))
        out.append(decided)
    while len(_DECIDED) > _DECIDED_MAX:
        _DECIDED.popitem(last=False)
    return out


def deciding_rules(besluit: dict[str, Any] | None) -> list[str]:
    """The rules that decided the outcome and the contribution of a decision."""
    if besluit is None:
        return []
    return [s["regel"] for s in besluit["artikelen"] if s["status"] == "beslissend"]


def household_contribution(besluiten: list[dict[str, Any] | None]) -> int:
    """The household's contribution per month, in cents, each household bijdrage counted once.

    Wmo 2015 art. 2.1.4a lid 4: one amount per month for one or more maatwerkvoorzieningen
    of one client unit together. The decision document states that amount
    (`huishouden_bijdrage`, one entry per client unit); a granted request that is part of one
    adds nothing of its own. Other monthly contributions (not part of a unit) are added.
    """
    units: dict[str, int] = {}
    other = 0
    for besluit in besluiten:
        if besluit is None or besluit["uitkomst"] != "toegekend":
            continue
        unit = besluit.get("huishouden_bedrag")
        if unit is not None:
            units[unit["id"]] = parse_euro(unit["bedrag"])
            continue
        bijdrage = besluit["eigen_bijdrage"]
        if bijdrage is None or bijdrage["per"] != "maand":
            continue
        other += parse_euro(bijdrage["bedrag"])
    return sum(units.values()) + other


def _minimal_example(
    a: Regelset,
    b: Regelset,
    peildatum: dt.date,
    voorziening: str,
    kind: str,
    observed: dict[str, Any],
) -> tuple[dict[str, Any], str]:
    """Shrink towards the smallest household with this kind of change.

    First hypothesis shrinks between the observed household and its simplest form; when that
    loses the change, a fresh search over one-request households. The explain phase is off:
    it re-runs the case many times and says nothing a reader of the report needs.
    """

    def changes(case: dict[str, Any]) -> bool:
        da, db = _decide_only(a, case), _decide_only(b, case)
        return kind_of_change(voorziening, da.get("a1"), db.get("a1")) == kind

    quick = settings(
        max_examples=60,
        database=None,
        deadline=None,
        derandomize=True,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    near = around(observed, [a.compiled, b.compiled])
    try:
        return (
            find(near, changes, settings=quick),
            "verkleind vanuit een gegenereerd huishouden",
        )
    except NoSuchExample:
        pass
    fresh = households(
        [a.compiled, b.compiled], peildatum, voorzieningen=[voorziening], max_requests=1
    )
    try:
        return find(fresh, changes, settings=quick), "gevonden en verkleind door hypothesis"
    except NoSuchExample:
        return observed, "gegenereerd huishouden (niet verder verkleind)"


def _per_use(besluit: dict[str, Any] | None) -> int:
    """A granted request's contribution per hour, time or week, in cents (0 otherwise)."""
    if besluit is None or besluit["uitkomst"] != "toegekend" or not besluit["eigen_bijdrage"]:
        return 0
    bijdrage = besluit["eigen_bijdrage"]
    return 0 if bijdrage["per"] in ("maand", "jaar") else parse_euro(bijdrage["bedrag"])


def _band(a: int, b: int) -> str:
    if a == b:
        return "gelijk"
    base = max(a, 1)
    share = abs(b - a) * 100 / base
    if b > a:
        return "verlies_groot" if share > 5 else "verlies_klein"
    return "winst_groot" if share > 5 else "winst_klein"


def _coverage(
    a: Regelset,
    b: Regelset,
    voorzieningen: list[str],
    reached: dict[tuple[str, str], Counter[str]],
) -> tuple[list[UitkomstDekking], list[str]]:
    rows: list[UitkomstDekking] = []
    missing: list[str] = []
    for v in voorzieningen:
        rules: dict[str, str] = {}
        for rs in (a.compiled, b.compiled):
            for rule in rs.rules_for.get(v, ()):
                if rule.kind in ("besluit", "eigen_bijdrage"):
                    rules.setdefault(rule.id, outcome_label(rs, rule, v))
        for rule_id, text in sorted(rules.items(), key=lambda item: item[1]):
            in_a = (
                rule_id in a.compiled.rule_by_id and v in a.compiled.rule_by_id[rule_id].applies_to
            )
            in_b = (
                rule_id in b.compiled.rule_by_id and v in b.compiled.rule_by_id[rule_id].applies_to
            )
            na = reached[("a", v)][rule_id] if in_a else None
            nb = reached[("b", v)][rule_id] if in_b else None
            rows.append(
                UitkomstDekking(
                    voorziening=v, uitkomst=text, regel=rule_id, aantal_a=na, aantal_b=nb
                )
            )
            for versie, n in ((a.versie, na), (b.versie, nb)):
                if n == 0:
                    missing.append(f"{v}: '{text}' is onder {versie} nooit bereikt")
        for grant in ("toegekend met bijdrage", "toegekend zonder bijdrage"):
            na, nb = reached[("a", v)][grant], reached[("b", v)][grant]
            rows.append(
                UitkomstDekking(voorziening=v, uitkomst=grant, regel="", aantal_a=na, aantal_b=nb)
            )
    return rows, missing


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
    phase: PhaseFn | None = None,
) -> RegressieRapport:
    """Compare versions `a` and `b` on `aantal` generated households.

    `voorzieningen` narrows the requests to those provisions (households stay general).
    `phase(name, total)` is told when a long phase starts; `progress(n)` as it advances.
    """
    del regels  # each version is evaluated from its own folder
    if phase:
        phase("huishoudens genereren", aantal)
    cases = population([a, b], peildatum, aantal, seed_value, voorzieningen)
    if progress:
        progress(aantal)
    if phase:
        phase(f"beoordelen onder {a.versie}", aantal)
    under_a = _evaluate_all(a, cases, executor, progress)
    if phase:
        phase(f"beoordelen onder {b.versie}", aantal)
    under_b = _evaluate_all(b, cases, executor, progress)
    per_voorziening: Counter[str] = Counter()
    changed_per_voorziening: Counter[str] = Counter()
    transitions: Counter[tuple[str, str, str]] = Counter()
    per_artikel: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    reached: dict[tuple[str, str], Counter[str]] = {}
    first_seen: dict[str, tuple[str, dict[str, Any]]] = {}
    bands: Counter[str] = Counter()
    per_use: Counter[bool] = Counter()
    total_a = total_b = 0
    households_changed = requests_changed = requests = 0
    for case, da, db in zip(cases, under_a, under_b, strict=True):
        household_changed = False
        for aanvraag in case["aanvragen"]:
            rid, v = aanvraag["id"], aanvraag["voorziening"]
            ba, bb = da.get(rid), db.get(rid)
            requests += 1
            per_voorziening[v] += 1
            transitions[(v, label(ba), label(bb))] += 1
            use_a, use_b = _per_use(ba), _per_use(bb)
            if use_a != use_b:
                per_use[use_b > use_a] += 1
            for side, besluit in (("a", ba), ("b", bb)):
                counter = reached.setdefault((side, v), Counter())
                counter.update(deciding_rules(besluit))
                if besluit is not None and besluit["uitkomst"] == "toegekend":
                    paid = _cents(besluit) > 0
                    counter["toegekend met bijdrage" if paid else "toegekend zonder bijdrage"] += 1
            kind = kind_of_change(v, ba, bb)
            if kind is not None:
                per_artikel.update(changed_articles(kind, ba, bb))
                requests_changed += 1
                changed_per_voorziening[v] += 1
                household_changed = True
                kinds[kind] += 1
                if kind not in first_seen:
                    only = {**case, "aanvragen": [{**aanvraag, "id": "a1"}]}
                    first_seen[kind] = (v, only)
        households_changed += household_changed
        pay_a = household_contribution(list(da.values()))
        pay_b = household_contribution(list(db.values()))
        total_a += pay_a
        total_b += pay_b
        bands[_band(pay_a, pay_b)] += 1
    voorbeelden = []
    if phase and examples:
        phase("kleinste voorbeelden zoeken", len(kinds))
    for kind in sorted(kinds):
        v, observed = first_seen[kind]
        example, how = (
            _minimal_example(a, b, peildatum, v, kind, observed)
            if examples
            else (observed, "gegenereerd huishouden")
        )
        if progress and examples:
            progress(1)
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
    compared = sorted(per_voorziening)
    for side in ("a", "b"):
        for v in compared:
            reached.setdefault((side, v), Counter())
    dekking, niet_bereikt = _coverage(a, b, compared, reached)
    common = set(common_catalogue([a.compiled, b.compiled]))
    return RegressieRapport(
        versie_a=a.versie,
        versie_b=b.versie,
        peildatum=peildatum,
        seed=seed_value,
        populatie=NOT_A_FORECAST,
        huishoudens=len(cases),
        aanvragen=requests,
        huishoudens_gewijzigd=households_changed,
        aanvragen_gewijzigd=requests_changed,
        niet_vergeleken=sorted((set(a.compiled.catalogue) | set(b.compiled.catalogue)) - common),
        per_voorziening=[
            VoorzieningTelling(voorziening=v, aanvragen=n, gewijzigd=changed_per_voorziening[v])
            for v, n in sorted(per_voorziening.items())
        ],
        overgangen=[
            Overgang(voorziening=v, van=x, naar=y, aantal=n)
            for (v, x, y), n in sorted(transitions.items())
        ],
        dekking=dekking,
        niet_bereikt=niet_bereikt,
        eigen_bijdrage=Bijdragen(
            totaal_a=format_euro(total_a),
            totaal_b=format_euro(total_b),
            verschil=format_euro(total_b - total_a),
            per_gebruik_meer=per_use[True],
            per_gebruik_minder=per_use[False],
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
