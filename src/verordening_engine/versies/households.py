"""Generated households, derived from the vocabulary and the rules of the versions compared.

One builder, two sources of randomness: a hypothesis strategy (invariant checks, shrinking to
minimal examples) and a seeded `random.Random` (regression populations). The builder is
*steered*: each request may aim at one rule that can decide it (a refusal ground, a
verwijzing, a grant, a contribution regime) in one of the versions, and the facts are set so
that its condition holds and the conditions of the rules that would set it aside do not
(`targets.Thresholds.steer`). Numbers and dates the rules compare are drawn half of the time
at the boundaries the versions' rules and parameters fix, on both sides. Nothing here knows
an income limit or an age: all of it is read from the compiled rules.

Consistency by construction: the applicant and a partner are adults, children are at least
16 years younger than the adults, dates are on or before the peildatum and a request's
dates follow the order of the procedure (an earlier event, then the melding, then the
aanvraag); only facts some rule of the requested voorziening reads are given. Validity is
then made sure from the versions' declared checks alone (`consistency.possible_case`:
`bereik`, `niet_voor`/`niet_na`, `alleen_als`, `controles`), so every household is a case
every version accepts; the name-based date order above only shapes the distribution.

The module is longer than 500 lines because allotting targets, drawing values, dates and
ages, and putting related facts beside each other all act on one household being built;
split, each part would need the builder's whole state.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from collections.abc import Sequence
from typing import Any, TypeVar

from ..language.expressions import add_months, format_euro
from ..regels.compiled import CompiledRegelset, CompiledRule
from ..regels.model import Feit
from .consistency import possible_case
from .constraints import Constraints, Term, beside, months_ago, satisfies
from .sources import RandomSource, Source, mostly
from .targets import Thresholds

X = TypeVar("X")

RANGES = {
    "procent": (40, 400),
    "maanden": (0, 120),
    "jaren": (0, 30),
    "kilometer": (0, 60),
    "weken": (0, 104),
    "dagen": (0, 730),
    "werkdagen": (0, 60),
    "aantal": (0, 10),
}
MONEY = {"euro_per_jaar": 90_000_00, "euro_per_maand": 3_000_00}
ADULT = 12 * 18
GRANT_WEIGHT = 4
GENERATION = 12 * 16
# request dates in the order of the procedure: earlier events first, then melding, aanvraag
_EARLIER = ("vorig", "eerder", "sinds", "einddatum")
_LATER = ("aanvraagdatum", "eerste_gesprek")


def union_vocabulary(regelsets: Sequence[CompiledRegelset], space: str) -> dict[str, Feit]:
    merged: dict[str, Feit] = {}
    for rs in regelsets:
        for name, feit in rs.inputs[space].items():
            merged.setdefault(name, feit)
    return merged


def common_catalogue(regelsets: Sequence[CompiledRegelset]) -> list[str]:
    """Voorzieningen every version knows: a request for one a version lacks is no change of
    that version's rules but an artefact of the comparison, so none is generated."""
    names = set(regelsets[0].catalogue)
    for rs in regelsets[1:]:
        names &= set(rs.catalogue)
    return sorted(names)


def read_facts(regelsets: Sequence[CompiledRegelset], voorziening: str) -> dict[str, set[str]]:
    """Input facts the rules about `voorziening` read, per space (partner facts as persoon)."""
    out: dict[str, set[str]] = {"persoon": set(), "huishouden": set(), "aanvraag": set()}
    for rs in regelsets:
        for rule in rs.rules_for.get(voorziening, ()):
            for ref in rule.reads:
                space = "persoon" if ref.space == "partner" else ref.space
                if space in out and ref.name in rs.inputs[space]:
                    out[space].add(ref.name)
    return out


class Builder:
    """Builds households for one set of versions on one peildatum."""

    def __init__(
        self,
        regelsets: Sequence[CompiledRegelset],
        peildatum: dt.date,
        voorzieningen: Sequence[str] | None = None,
        steer: bool = True,
    ) -> None:
        self.regelsets = list(regelsets)
        self.peildatum = peildatum
        known = common_catalogue(self.regelsets)
        self.catalogue = [v for v in known if voorzieningen is None or v in voorzieningen] or known
        self.vocab = {
            s: union_vocabulary(self.regelsets, s) for s in ("persoon", "huishouden", "aanvraag")
        }
        self.thresholds = Thresholds(self.regelsets, peildatum)
        self.reads = {v: read_facts(self.regelsets, v) for v in self.catalogue}
        self.youth = {
            v for rs in self.regelsets for v, item in rs.catalogue.items() if item.wet == "jeugdwet"
        }
        self.steer = steer
        # grants weigh more: what a granted request gets (amounts, regimes) varies most
        self.goals = {
            v: [
                (rs, rule)
                for rs in self.regelsets
                for rule in rs.rules_for.get(v, ())
                if rule.kind in ("besluit", "eigen_bijdrage")
                or (rule.kind == "vaststelling" and rule.regel.als)
                for _ in range(GRANT_WEIGHT if _grants(rule) else 1)
            ]
            for v in self.catalogue
        }
        self._rounds = {v: _round(v, goals) for v, goals in self.goals.items()}

    # ------------------------------------------------------------------ values
    def _number(self, src: Source, term: Term, feit: Feit | None, c: Constraints) -> int:
        bounds = c.bounds.get(term, [])
        if term in c.fixed and isinstance(c.fixed[term], int):
            return int(c.fixed[term])
        near = [v for v in self.thresholds.candidates(term) if isinstance(v, int)]
        near += [v + d for _, v in bounds if isinstance(v, int) for d in (-1, 0, 1)]
        fitting = [v for v in sorted(set(near)) if v >= 0 and satisfies(v, bounds)]
        # the steered bound itself first: `<= grens` is met at the limit, where only a
        # `>`/`>=` change shows; the other boundaries of the term come next
        at_bound = [v for _, v in bounds if isinstance(v, int) and v in fitting]
        if at_bound and src.integer(0, 2) == 0:
            return src.choice(at_bound)
        if fitting and src.integer(0, 1) == 0:  # half of the time at a boundary
            return src.choice(fitting)
        unit = (feit.eenheid or "") if feit is not None else ""
        for _ in range(8):
            if feit is not None and feit.type.value == "bedrag":
                high = MONEY.get(unit) or (300_00 if src.integer(0, 1) == 0 else 40_000_00)
                value = src.integer(0, high)
            else:
                low, high = RANGES.get(unit, (0, 1000))
                value = src.integer(low, high)
            if satisfies(value, bounds):
                return value
        return fitting[0] if fitting else value

    def _date(
        self, src: Source, term: Term, c: Constraints, latest: dt.date, earliest: dt.date
    ) -> dt.date:
        bounds = c.bounds.get(term, [])
        if term in c.fixed and isinstance(c.fixed[term], dt.date):
            return c.fixed[term]  # type: ignore[no-any-return]
        near = [v for v in self.thresholds.candidates(term) if isinstance(v, dt.date)]
        near += [
            v + dt.timedelta(days=d)
            for _, v in bounds
            if isinstance(v, dt.date)
            for d in (-1, 0, 1)
        ]
        fitting = [v for v in sorted(set(near)) if v <= self.peildatum and satisfies(v, bounds)]
        if fitting and (bounds or src.integer(0, 1) == 0):
            return src.choice(fitting)
        span = max((latest - earliest).days, 0)
        return latest - dt.timedelta(days=src.integer(0, span))

    def _value(
        self, src: Source, space: str, name: str, feit: Feit, c: Constraints, rare: bool
    ) -> Any:
        term: Term = ("input", space, name)
        if term in c.fixed:
            fixed = c.fixed[term]
            if isinstance(fixed, tuple) and fixed and fixed[0] == "een van":
                return src.choice(sorted(fixed[1]))
            if feit.type.value == "bedrag" and isinstance(fixed, int):
                return format_euro(fixed)
            return fixed
        kind = feit.type.value
        default = feit.standaard
        excluded = c.excluded.get(term, set())
        if kind == "waarheid":
            if default is not None and (mostly(src, rare) or (not rare and mostly(src))):
                return default
            return (not default) if isinstance(default, bool) else src.choice([True, False])
        if kind == "tekst":
            options = [w for w in (feit.waarden or ["onbekend"]) if w not in excluded] or [
                "onbekend"
            ]
            if default is not None and default in options and mostly(src):
                return default
            return src.choice(options)
        if kind in ("getal", "bedrag"):
            if default is not None and not c.bounds.get(term) and mostly(src) and src.integer(0, 1):
                return default
            number = self._number(src, term, feit, c)
            return format_euro(number) if kind == "bedrag" else number
        return None  # dates are drawn in procedure order by the caller

    def _facts(
        self, src: Source, space: str, names: set[str], c: Constraints, rare: bool = False
    ) -> dict[str, Any]:
        vocab = self.vocab[space]
        out: dict[str, Any] = {}
        for name in sorted(names):
            feit = vocab.get(name)
            if feit is None or feit.type.value == "datum":
                continue
            out[name] = self._value(src, space, name, feit, c, rare)
        return out

    def _dates(
        self, src: Source, space: str, names: set[str], c: Constraints
    ) -> dict[str, dt.date]:
        """Dates in procedure order: earlier events, the melding, then the aanvraag."""
        dated = sorted(
            n
            for n in names
            if self.vocab[space].get(n) and self.vocab[space][n].type.value == "datum"
        )
        earlier = [n for n in dated if any(k in n for k in _EARLIER)]
        later = [n for n in dated if any(k in n for k in _LATER) and n not in earlier]
        middle = [n for n in dated if n not in earlier and n not in later]
        out: dict[str, dt.date] = {}
        floor = self.peildatum - dt.timedelta(days=5 * 365)
        anchor = self.peildatum - dt.timedelta(days=src.integer(0, 120))
        for name in middle:
            out[name] = self._date(
                src, ("input", space, name), c, anchor, anchor - dt.timedelta(days=60)
            )
        first = min(out.values(), default=anchor)
        for name in earlier:
            feit = self.vocab[space][name]
            months_term: Term = ("months", space, name)
            steered = months_term in c.bounds  # a term since the date (a referteperiode)
            if (
                isinstance(feit.standaard, dt.date)
                and ("input", space, name) not in c.fixed
                and not c.bounds.get(("input", space, name))
                and not steered
                and mostly(src)
            ):
                out[name] = feit.standaard
                continue
            out[name] = self._date(src, ("input", space, name), c, first, floor)
            if steered or (months_term in self.thresholds.values and src.integer(0, 1) == 0):
                months = self._number(src, months_term, None, c)
                out[name] = months_ago(self.peildatum, months, src.integer(0, 20))
        last = max(out.values(), default=anchor)
        for name in later:
            top = max(last, min(self.peildatum, last + dt.timedelta(days=42)))
            out[name] = self._date(src, ("input", space, name), c, top, last)
        return {k: min(v, self.peildatum) for k, v in out.items()}

    def _age(self, src: Source, who: str, c: Constraints, low: int, high: int) -> int:
        term: Term = ("months", who, "geboortedatum")
        bounds = c.bounds.get(term, [])
        if bounds:
            return self._number(src, term, None, c)
        if src.integer(0, 3) == 3:
            near = [
                m
                for m in self.thresholds.candidates(("months", "persoon", "geboortedatum"))
                if low <= m <= high
            ]
            if near:
                return min(max(int(src.choice(near)) + src.integer(-2, 2), low), high)
        return src.integer(low, high)

    # ------------------------------------------------------------------ households
    def _allotted(self, slot: int) -> tuple[str, int | None, int]:
        """The first request of household `slot`: its voorziening, goal and visit.

        The voorzieningen take turns; within one, its goals (and one free, unsteered
        request) take turns in a fixed shuffled order, so every target gets its share of a
        population however small, and `visit` counts the households steered at that target
        before (the steering enumerates the sides of a grant's choices by it)."""
        v = self.catalogue[slot % len(self.catalogue)]
        order, occurrence, multiplicity = self._rounds[v]
        k = slot // len(self.catalogue)
        position = k % len(order)
        return v, order[position], (k // len(order)) * multiplicity[position] + occurrence[position]

    def _plan(
        self, src: Source, max_requests: int, slot: int | None = None
    ) -> list[tuple[str, Constraints]]:
        plans = []
        for j in range(src.integer(1, max_requests)):
            c: Constraints | None = None
            if j == 0 and slot is not None and self.steer:
                v, pick, visit = self._allotted(slot)
                if pick is not None:
                    rs, rule = self.goals[v][pick]
                    choose = lambda k: src.integer(0, k - 1)  # noqa: E731
                    c = self.thresholds.steer(rs, v, rule, choose, visit)
                plans.append((v, c or Constraints()))
                continue
            v = src.choice(self.catalogue)
            goals = self.goals[v]
            if self.steer and goals:
                pick = src.integer(0, len(goals))  # one more: a free request, not steered
                if pick < len(goals):
                    rs, rule = goals[pick]
                    c = self.thresholds.steer(rs, v, rule, lambda k: src.integer(0, k - 1))
            plans.append((v, c or Constraints()))
        return plans

    def build(self, src: Source, max_requests: int = 3, slot: int | None = None) -> dict[str, Any]:
        """One household; `slot` (its number in a population) allots its first request."""
        plans = self._plan(src, max_requests, slot)
        first_v, first = plans[0]
        wanted_partner = first.fixed.get(("input", "huishouden", "heeft_partner"))
        subject_age: int | None = None
        if first.bounds.get(("months", "persoon", "geboortedatum")) or first_v in self.youth:
            low, high = (0, 12 * 24) if first_v in self.youth else (ADULT, 12 * 95)
            subject_age = self._age(src, "persoon", first, low, high)
        subject_is_child = subject_age is not None and (
            first_v in self.youth or subject_age < ADULT
        )
        # adults: the applicant, perhaps a partner; old enough for a child that asks
        adult_low = ADULT if not subject_is_child else (subject_age or 0) + GENERATION + 24
        applicant = (
            subject_age
            if subject_age is not None and not subject_is_child
            else self._age(src, "persoon", Constraints(), min(adult_low, 12 * 90), 12 * 95)
        )
        partner = (
            wanted_partner if isinstance(wanted_partner, bool) and not subject_is_child else None
        )
        if partner is None:
            partner = src.integer(0, 1) == 1
        ages = [("aanvrager", applicant)]
        if partner:
            page = self._age(src, "partner", first, ADULT, 12 * 95)
            ages.append(("partner", max(page, adult_low if subject_is_child else ADULT)))
        youngest_adult = min(a for _, a in ages)
        child_high = max(youngest_adult - GENERATION - 1, 0)  # a month spare for the days
        kids = []
        if subject_is_child:
            kids.append(min(subject_age or 0, child_high))
        wanted_kids = _count_bounds(first, "aantal_kinderen")
        # a bound on the minors (a leefvorm, a norm): the extra children are all minors, or
        # (none wanted) all of age where the adults are old enough, else there are none
        minors = _count_bounds(first, "aantal_minderjarige_kinderen")
        kid_low, kid_high = 0, min(child_high, 12 * 24)
        if minors and not satisfies(0, minors):
            kid_high = min(kid_high, ADULT - 1)
        elif minors:
            kid_low = ADULT
        as_minors = minors if kid_low == 0 else []
        count = max(src.integer(0, 3), len(kids))
        if wanted_kids or as_minors:
            for extra in range(len(kids), 5):
                if satisfies(extra, wanted_kids) and satisfies(extra, as_minors):
                    count = extra
                    break
        if kid_low > kid_high:
            count = len(kids)
        while len(kids) < count:
            kids.append(src.integer(kid_low, kid_high))
        ages += [("kind", k) for k in kids]
        persoon_names: set[str] = set()
        huishouden_names: set[str] = set()
        for v, _ in plans:
            persoon_names |= self.reads[v]["persoon"]
            huishouden_names |= self.reads[v]["huishouden"]
        merged = Constraints()
        for _, c in plans:
            for term, value in c.fixed.items():
                merged.fix(term, value)
            for term, values in c.excluded.items():
                for value in values:
                    merged.exclude(term, value)
            for term, items in c.bounds.items():
                if term not in merged.bounds:
                    merged.bounds[term] = list(items)
        leden = []
        subject_id = "p1"
        for i, (rol, months) in enumerate(ages):
            pid = f"p{i + 1}"
            space = "partner" if rol == "partner" else "persoon"
            is_subject = (
                rol == "kind" and subject_is_child and pid == f"p{len(ages) - len(kids) + 1}"
            ) or (rol == "aanvrager" and not subject_is_child)
            if is_subject:
                subject_id = pid
            facts_c = merged if is_subject or rol == "partner" else Constraints()
            facts = self._facts(
                src,
                "persoon",
                persoon_names,
                _as_persoon(facts_c, space),
                rare=True,
            )
            leden.append(
                {
                    "id": pid,
                    "geboortedatum": months_ago(self.peildatum, max(months, 0), src.integer(0, 20)),
                    "rol": rol,
                    "feiten": facts,
                }
            )
        hh_facts = self._facts(src, "huishouden", huishouden_names, merged)
        hh_facts.update(self._dates(src, "huishouden", huishouden_names, merged))
        aanvragen = []
        children = [lid["id"] for lid in leden if lid["rol"] == "kind"]
        for j, (v, c) in enumerate(plans):
            who = subject_id
            if j > 0:
                who = str(src.choice(children)) if v in self.youth and children else "p1"
            names = self.reads[v]["aanvraag"]
            facts = self._facts(src, "aanvraag", names, c)
            facts.update(self._dates(src, "aanvraag", names, c))
            # a fact compared with another one of the case: sometimes right at it
            related = {"aanvraag": facts, "huishouden": hh_facts}
            self.thresholds.nudge(v, related, lambda k: src.integer(0, k - 1))
            self._relate(src, c, related, _counts(leden, self.peildatum))
            aanvragen.append({"id": f"a{j + 1}", "persoon": who, "voorziening": v, "feiten": facts})
        case = {
            "casus": "gegenereerd",
            "peildatum": self.peildatum,
            "huishouden": {"leden": leden, "feiten": hh_facts},
            "aanvragen": aanvragen,
        }
        # the versions' declared checks (bereik, niet_voor/niet_na, alleen_als, controles)
        return possible_case(case, self.regelsets)

    def _relate(
        self,
        src: Source,
        c: Constraints,
        facts: dict[str, dict[str, Any]],
        counts: dict[str, Any],
    ) -> None:
        """Put each fact the steering compared with another fact of the case right beside
        that other value, on the side the target needs (a gedraging one day inside the
        recidive term, a previous traject that ended just within the waiting period)."""
        recent = self.peildatum - dt.timedelta(days=3653)
        for term, op, other in c.relations:
            space, name = term[1], term[2]
            if name not in facts.get(space, {}):
                continue
            # an event long ago (a default) made recent first; not a date steered by a term
            # since it (a referteperiode met long ago must stay met)
            for where, values in facts.items():
                for key, value in values.items():
                    if (
                        isinstance(value, dt.date)
                        and value < recent
                        and key != name
                        and ("months", where, key) not in c.bounds
                    ):
                        values[key] = add_months(self.peildatum, -1 - src.integer(0, 35))
            try:
                target = other({**facts, "huishouden": {**counts, **facts["huishouden"]}})
            except (KeyError, ArithmeticError, OverflowError, ValueError, TypeError):
                continue
            if isinstance(target, bool) or not isinstance(target, int | dt.date):
                continue
            value = beside(target, op, src.integer(0, 1))
            if isinstance(value, dt.date) and not recent <= value <= self.peildatum:
                continue
            if isinstance(value, int) and value < 0:
                continue
            current = facts[space][name]
            facts[space][name] = format_euro(value) if isinstance(current, str) else value


def _counts(leden: list[dict[str, Any]], peildatum: dt.date) -> dict[str, Any]:
    """The household facts the engine counts from the members (casus binding)."""
    kinderen = [lid for lid in leden if lid["rol"] == "kind"]
    return {
        "heeft_partner": any(lid["rol"] == "partner" for lid in leden),
        "aantal_leden": len(leden),
        "aantal_kinderen": len(kinderen),
        "aantal_minderjarige_kinderen": sum(
            1 for lid in kinderen if add_months(lid["geboortedatum"], 18 * 12) > peildatum
        ),
    }


def _count_bounds(c: Constraints, name: str) -> list[tuple[str, Any]]:
    """What the steering asks of a household count (a bound, or a fixed number)."""
    term: Term = ("input", "huishouden", name)
    fixed = c.fixed.get(term)
    if isinstance(fixed, int) and not isinstance(fixed, bool):
        return [("==", fixed)]
    return list(c.bounds.get(term, []))


def _round(
    voorziening: str, goals: list[tuple[CompiledRegelset, CompiledRule]]
) -> tuple[list[int | None], list[int], list[int]]:
    """One round of the goals of a voorziening and one free request, in a fixed shuffled
    order; per position how many times its target came earlier in the round, and in all."""
    order: list[int | None] = [*range(len(goals)), None]
    random.Random(zlib.crc32(voorziening.encode())).shuffle(order)
    keys = [None if i is None else (goals[i][0].sha256, goals[i][1].id) for i in order]
    occurrence = [keys[:n].count(key) for n, key in enumerate(keys)]
    multiplicity = [keys.count(key) for key in keys]
    return order, occurrence, multiplicity


def _grants(rule: CompiledRule) -> bool:
    besluit = rule.regel.besluit
    return besluit is not None and besluit.uitkomst.value == "toegekend"


def _as_persoon(c: Constraints, who: str) -> Constraints:
    """The constraints on `who` (persoon or partner) as constraints on that member's facts."""
    out = Constraints()
    for term, value in c.fixed.items():
        if term[0] == "input" and term[1] == who:
            out.fixed[("input", "persoon", term[2])] = value
    for term, values in c.excluded.items():
        if term[0] == "input" and term[1] == who:
            out.excluded[("input", "persoon", term[2])] = set(values)
    return out


_BUILDERS: dict[tuple[Any, ...], Builder] = {}


def builder(
    regelsets: Sequence[CompiledRegelset],
    peildatum: dt.date,
    voorzieningen: Sequence[str] | None = None,
    steer: bool = True,
) -> Builder:
    key = (tuple(rs.sha256 for rs in regelsets), peildatum, tuple(voorzieningen or ()), steer)
    found = _BUILDERS.get(key)
    if found is None:
        found = _BUILDERS[key] = Builder(regelsets, peildatum, voorzieningen, steer)
    return found


def build_household(
    src: Source,
    regelsets: Sequence[CompiledRegelset],
    peildatum: dt.date,
    voorzieningen: Sequence[str] | None = None,
    max_requests: int = 3,
) -> dict[str, Any]:
    """A case dict valid for every given version (facts unknown to one are dropped later)."""
    return builder(regelsets, peildatum, voorzieningen).build(src, max_requests)


def random_households(
    regelsets: Sequence[CompiledRegelset],
    peildatum: dt.date,
    n: int,
    seed: int,
    voorzieningen: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """`n` households from a seeded generator: the same seed gives the same households."""
    src = RandomSource(random.Random(seed))
    made = builder(regelsets, peildatum, voorzieningen)
    return [made.build(src, slot=i) for i in range(n)]


def restrict(case: dict[str, Any], regelset: CompiledRegelset) -> tuple[dict[str, Any], list[str]]:
    """The case as one version sees it: unknown facts dropped, unknown voorzieningen removed.

    Returns the case and the ids of requests whose voorziening the version does not have.
    """
    known = regelset.inputs
    leden = [
        {**lid, "feiten": {k: v for k, v in lid["feiten"].items() if k in known["persoon"]}}
        for lid in case["huishouden"]["leden"]
    ]
    hh = {k: v for k, v in case["huishouden"]["feiten"].items() if k in known["huishouden"]}
    kept, missing = [], []
    for aanvraag in case["aanvragen"]:
        if aanvraag["voorziening"] not in regelset.catalogue:
            missing.append(aanvraag["id"])
            continue
        kept.append(
            {
                **aanvraag,
                "feiten": {k: v for k, v in aanvraag["feiten"].items() if k in known["aanvraag"]},
            }
        )
    return ({**case, "huishouden": {"leden": leden, "feiten": hh}, "aanvragen": kept}, missing)
