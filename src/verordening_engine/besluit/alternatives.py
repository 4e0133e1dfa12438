"""What would change the outcome: the smallest changes to a case's facts that give the
resident a better outcome, each verified by evaluating the changed case.

Better means: a grant where the request was refused, referred or not ontvankelijk; any
decision where none was reached; a lower (or no) eigen bijdrage where one was due.
Candidates come from the rules: every yes/no fact flipped, every other allowed value of a
coded fact, and for numbers and dates the nearest value on the other side of each boundary
the rules draw (`thresholds`), through derived facts by a bisection on the derivation.
Pairs are tried among single changes that remove a ground for refusal without being enough
on their own. Birth dates, roles and ids are never changed. The search uses the reference
evaluation (`run_fixpoint`); each alternative found is then applied to the case document,
bound and decided again, and dropped unless it gives exactly the outcome it states.

This module is longer than 500 lines because candidates, the bisection through derived
facts and the verification are one search that shares its state; splitting it would pass
that state between modules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from ..casus.binding import EARLIEST, LATEST, RequestInputs
from ..casus.model import Casus
from ..engine.completeness import missing_inputs, undecided
from ..engine.evaluation import Evaluator, RequestRun, decide_rule, request_context
from ..engine.settlement import Settled, settle
from ..errors import EvaluationError
from ..language.expressions import Ref, T, Value, format_euro, parse_euro
from ..reading.yaml_loading import Loc
from ..regels.compiled import CompiledRegelset
from ..regels.model import Uitkomst
from . import dutch as nl
from .model import Alternatief, Besluit, Bijdrage, Wijziging
from .motivering import SANCTIES
from .pointers import pointers, verify
from .thresholds import Boundary, boundaries
from .words import as_json, words

MAX_ALTERNATIVES = 6
MAX_PAIR_SEEDS = 10
INPUT_SPACES = ("persoon", "partner", "huishouden", "aanvraag")
# structural facts and identities: a resident cannot "provide" another value for these
NEVER_CHANGED = {
    ("persoon", "geboortedatum"),
    ("persoon", "rol"),
    ("partner", "geboortedatum"),
    ("partner", "rol"),
    ("huishouden", "heeft_partner"),
    ("huishouden", "aantal_leden"),
    ("huishouden", "aantal_kinderen"),
}
SPAN = {T.getal: 1_000_000, T.bedrag: 1_000_000_000, T.datum: 36_600}


@dataclass(frozen=True)
class Change:
    ref: Ref
    old: Value
    new: Value


@dataclass(frozen=True)
class Result:
    """What a (changed) request decides, reduced to what the comparison needs."""

    uitkomst: Uitkomst | None
    bijdrage: tuple[int, str] | None
    artikel: str | None
    score: int  # grounds for refusal that apply, plus one when no grant applies


def goal(besluit: Besluit) -> str | None:
    """What a better outcome is for this request: grant, decide, lower, avoid (a sanction)."""
    if besluit.voorziening in SANCTIES:
        return "avoid" if besluit.uitkomst == Uitkomst.toegekend else None
    if besluit.uitkomst is None:
        return "decide"
    if besluit.uitkomst != Uitkomst.toegekend:
        return "grant"
    if besluit.eigen_bijdrage is not None and besluit.eigen_bijdrage.bedrag != "0.00":
        return "lower"
    return None


def needs_alternatives(besluit: Besluit) -> bool:
    return goal(besluit) is not None


def _result(rs: CompiledRegelset, run: RequestRun, settled: Settled, bijdrage_kind: bool) -> Result:
    bijdrage = None
    if settled.eigen_bijdrage is not None:
        bijdrage = (parse_euro(settled.eigen_bijdrage[0]), settled.eigen_bijdrage[1])
    kind = (
        "eigen_bijdrage" if bijdrage_kind and settled.uitkomst == Uitkomst.toegekend else "besluit"
    )
    deciding = sorted(
        (
            r.rule.artikel.nummer
            for r in run.runs
            if r.rule.kind == kind and r.rule.id in settled.winners
        ),
        key=_article_key,
    )
    if not deciding:
        deciding = sorted(
            (
                r.rule.artikel.nummer
                for r in run.runs
                if r.rule.kind == "besluit" and r.rule.id in settled.winners
            ),
            key=_article_key,
        )
    # every applied ground for refusal counts, also one set aside by another ground: it
    # blocks a grant as soon as the ground that set it aside is gone
    applied = [r for r in run.runs if r.applied and r.rule.kind == "besluit"]
    refusals = sum(
        1
        for r in applied
        if r.rule.regel.besluit and r.rule.regel.besluit.uitkomst != Uitkomst.toegekend
    )
    grants = any(
        r.rule.regel.besluit and r.rule.regel.besluit.uitkomst == Uitkomst.toegekend
        for r in applied
    )
    return Result(
        settled.uitkomst,
        bijdrage,
        deciding[0] if deciding else None,
        refusals + (0 if grants else 1),
    )


def _article_key(nummer: str) -> tuple[int, ...]:
    return tuple(int("".join(c for c in part if c.isdigit()) or 0) for part in nummer.split("."))


class _Search:
    def __init__(
        self,
        rs: CompiledRegelset,
        run: RequestRun,
        closure: dict[str, frozenset[str]],
        base: Besluit,
        evaluator: Evaluator,
    ) -> None:
        self.rs = rs
        self.evaluator = evaluator
        self.inputs = run.inputs
        self.base_derived = run.derived
        self.closure = closure
        self.goal = goal(base)
        deciding = {s.regel for s in base.artikelen if s.status == "beslissend"}
        # facts the deciding rules read themselves: named first among changes of equal size
        self.direct = {ref for r in run.runs if r.rule.id in deciding for ref in r.rule.reads}
        self.for_bijdrage = self.goal == "lower"
        self.peildatum = run.inputs.values.get(Ref("peildatum", "peildatum"))
        self.base_run: RequestRun | None = None
        found = self.evaluate(())
        assert found is not None
        self.base = found
        self.bepaal = [r for r in rs.rules_for[self.inputs.voorziening] if r.kind == "bepaal"]
        evaluator.plan(self.inputs.voorziening)
        self.fast_bepaal = [evaluator.fast[r.index] for r in self.bepaal]

    def values(self, changes: tuple[Change, ...]) -> dict[Ref, Value]:
        values = dict(self.inputs.values)
        for change in changes:
            values[change.ref] = change.new
        return values

    def evaluate(self, changes: tuple[Change, ...]) -> Result | None:
        i = self.inputs
        request = RequestInputs(
            i.aanvraag, i.persoon, i.voorziening, self.values(changes), self.absent(changes)
        )
        try:
            if not changes:
                run = self.base_run = self.evaluator.decide(request)
            else:
                changed = frozenset(change.ref for change in changes)
                run = self.evaluator.decide(request, self.base_run, changed)
        except EvaluationError:
            return None
        settled = settle(self.rs, run.runs, self.closure)
        if missing_inputs(run.runs, settled, self.closure):  # still a fact short: undecided
            settled = undecided(settled)
        return _result(self.rs, run, settled, self.for_bijdrage)

    def absent(self, changes: tuple[Change, ...]) -> dict[Ref, Loc]:
        """The case's absent facts, less those a change now gives."""
        given = {change.ref for change in changes}
        return {ref: loc for ref, loc in self.inputs.absent.items() if ref not in given}

    def better(self, found: Result) -> bool:
        base = self.base
        if self.goal == "avoid":
            return found.uitkomst is not None and found.uitkomst != Uitkomst.toegekend
        if self.goal == "decide":
            return found.uitkomst is not None
        if self.goal == "grant":
            return found.uitkomst == Uitkomst.toegekend
        if found.uitkomst != Uitkomst.toegekend or base.bijdrage is None:
            return False
        if found.bijdrage is None or found.bijdrage[0] == 0:
            return True
        return found.bijdrage[1] == base.bijdrage[1] and found.bijdrage[0] < base.bijdrage[0]

    def derive(self, values: dict[Ref, Value]) -> dict[str, Value] | None:
        """Only the derived facts, for the bisection (much cheaper than a whole decision)."""
        request = RequestInputs(
            self.inputs.aanvraag,
            self.inputs.persoon,
            self.inputs.voorziening,
            values,
            {ref: loc for ref, loc in self.inputs.absent.items() if ref not in values},
        )
        derived: dict[str, Value] = {}
        env = dict(values)
        pending = list(self.fast_bepaal)
        progress = True
        try:
            while progress and pending:
                progress = False
                for fast in list(pending):
                    if all(n in derived for n in fast.rule.needs):
                        for name, value in decide_rule(
                            fast, env, request, derived, 0
                        ).outputs.items():
                            derived[name] = env[Ref("afgeleid", name)] = value
                        pending.remove(fast)
                        progress = True
        except EvaluationError:
            return None
        return derived

    # ------------------------------------------------------------------ candidates

    def refs(self) -> list[Ref]:
        values = self.inputs.values
        found = {
            ref
            for rule in self.rs.rules_for[self.inputs.voorziening]
            for ref in rule.reads
            if ref.space in INPUT_SPACES
            and (ref.space, ref.name) not in NEVER_CHANGED
            and ref in values
        }
        return sorted(found)

    def candidates(self, ref: Ref) -> list[Value]:
        value = self.inputs.values[ref]
        type_ = self.rs.input_type(ref)
        if type_ is T.waarheid:
            return [not value]
        if type_ is T.tekst:
            space = "persoon" if ref.space == "partner" else ref.space
            feit = self.rs.inputs[space][ref.name]
            return [w for w in feit.waarden or [] if w != value]
        if type_ not in SPAN:
            return []
        ctx = request_context(self.inputs.values, self.base_derived)
        found: set[Value] = set()
        for b in boundaries(self.rs, self.inputs.voorziening):
            if b.ref == ref:
                try:
                    limit = b.other(ctx)
                except Exception:  # a threshold this case cannot compute: no candidate
                    continue
                found.update(_around(type_, limit))
            elif b.ref.space == "afgeleid" and ref in self.feeds(b.ref.name):
                found.update(self.bisect(ref, type_, b))
        found.discard(value)
        return sorted(
            (v for v in found if _in_domain(type_, v) and self.past(v)),
            key=lambda v: (_distance(type_, value, v), str(v)),
        )

    def past(self, value: Value) -> bool:
        """A date in a case records something that happened: never after the peildatum."""
        if isinstance(value, dt.date) and isinstance(self.peildatum, dt.date):
            return value <= self.peildatum
        return True

    def feeds(self, name: str) -> set[Ref]:
        """The inputs a derived fact depends on, through the rules that derive it."""
        out: set[Ref] = set()
        todo = [name]
        seen = set()
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            for rule in self.bepaal:
                if current in rule.outputs:
                    for ref in rule.reads:
                        if ref.space == "afgeleid":
                            todo.append(ref.name)
                        else:
                            out.add(ref)
        return out

    def bisect(self, ref: Ref, type_: T, b: Boundary) -> list[Value]:
        """The nearest values of `ref`, each way, where boundary `b` on a derived fact flips."""
        start = self.inputs.values[ref]

        def holds(offset: int) -> bool | None:
            new = _shift(type_, start, offset)
            if new is None:
                return None
            values = dict(self.inputs.values)
            values[ref] = new
            derived = self.derive(values)
            if derived is None or b.ref.name not in derived:
                return None
            try:
                other = b.other(request_context(values, derived))
            except Exception:  # a threshold this changed case cannot compute
                return None
            return b.holds(derived[b.ref.name], other)

        base = holds(0)
        out: list[Value] = []
        if base is None:
            return out
        for way in (-1, 1):
            last, step = 0, 1
            while step <= SPAN[type_]:
                now = holds(way * step)
                if now is None:
                    break
                if now != base:
                    low, high = last, step
                    while high - low > 1:
                        mid = (low + high) // 2
                        if holds(way * mid) != base:
                            high = mid
                        else:
                            low = mid
                    shifted = _shift(type_, start, way * high)
                    if shifted is not None:
                        out.append(shifted)
                    break
                last, step = step, step * 2
        return out

    # ------------------------------------------------------------------ search

    def run(self) -> list[tuple[tuple[Change, ...], Result]]:
        found: list[tuple[tuple[Change, ...], Result]] = []
        helpful: list[tuple[Change, Result]] = []
        for ref in self.refs():
            old = self.inputs.values[ref]
            done_ways: set[int] = set()
            for new in self.candidates(ref):
                way = _way(old, new)
                if way in done_ways:
                    continue
                change = Change(ref, old, new)
                result = self.evaluate((change,))
                if result is None:
                    continue
                if self.better(result):
                    found.append(((change,), result))
                    done_ways.add(way)
                elif result.score < self.base.score and result.uitkomst == self.base.uitkomst:
                    helpful.append((change, result))
        if self.goal in ("grant", "decide"):
            helpful.sort(key=lambda item: (_size((item[0],)), str(item[0].ref)))
            seeds = helpful[:MAX_PAIR_SEEDS]
            for (a, _), (b, _) in combinations(seeds, 2):
                if a.ref == b.ref:
                    continue
                result = self.evaluate((a, b))
                if result is not None and self.better(result):
                    found.append(((a, b), result))
        found.sort(
            key=lambda item: (
                len(item[0]),
                _size(item[0]),
                any(isinstance(c.new, str) for c in item[0]),  # a finding before a coded value
                not all(c.ref in self.direct for c in item[0]),
                [str(c.ref) for c in item[0]],
            )
        )
        return found


# ---------------------------------------------------------------------- values


def _around(type_: T, limit: Value) -> list[Value]:
    if type_ is T.datum and isinstance(limit, dt.date):
        return [d for d in (_shift(T.datum, limit, k) for k in (-1, 0, 1)) if d is not None]
    if isinstance(limit, int) and not isinstance(limit, bool):
        return [limit - 1, limit, limit + 1]
    return []


def _shift(type_: T, value: Value, offset: int) -> Value | None:
    if type_ is T.datum and isinstance(value, dt.date):
        ordinal = value.toordinal() + offset
        if not EARLIEST.toordinal() <= ordinal <= LATEST.toordinal():
            return None
        return dt.date.fromordinal(ordinal)
    if isinstance(value, int) and not isinstance(value, bool):
        shifted = value + offset
        return shifted if shifted >= 0 else None
    return None


def _in_domain(type_: T, value: Value) -> bool:
    if isinstance(value, dt.date):
        return EARLIEST <= value <= LATEST
    return not isinstance(value, int) or isinstance(value, bool) or value >= 0


def _distance(type_: T, old: Value, new: Value) -> float:
    if isinstance(old, dt.date) and isinstance(new, dt.date):
        return abs((new - old).days) / 365
    if isinstance(old, int) and isinstance(new, int) and not isinstance(old, bool):
        return abs(new - old) / max(abs(old), 1)
    return 1.0


def _way(old: Value, new: Value) -> int:
    if isinstance(old, dt.date) and isinstance(new, dt.date):
        return 1 if new > old else -1
    if isinstance(old, int) and isinstance(new, int) and not isinstance(old, bool):
        return 1 if new > old else -1
    return hash(str(new))  # every other value of a coded fact is its own alternative


def _size(changes: tuple[Change, ...]) -> float:
    return sum(_distance(T.getal, c.old, c.new) for c in changes)


# ---------------------------------------------------------------------- sentences


def _clause(rs: CompiledRegelset, change: Change) -> str:
    w = words(rs, change.ref)
    partner = change.ref.space == "partner"
    if isinstance(change.new, bool):
        return w.clause(change.new, partner=partner)
    label = f"{w.label} van de partner" if partner else w.label
    new, old = w.value(change.new), w.value(change.old)
    if isinstance(change.new, str):  # a coded value: quoted, so the clause still reads
        new, old = f"'{new}'", f"'{old}'"
    return f"{label} {new} is in plaats van {old}"


def _sentence(
    rs: CompiledRegelset, changes: tuple[Change, ...], result: Result, naam: str, base: Besluit
) -> str:
    clauses = " en ".join(_clause(rs, c) for c in changes)
    if goal(base) == "avoid":
        outcome = f"wordt de {naam} niet opgelegd"
    elif base.uitkomst == Uitkomst.toegekend:
        if result.bijdrage is None or result.bijdrage[0] == 0:
            outcome = f"betaalt u voor {naam} geen eigen bijdrage"
        else:
            outcome = (
                f"is de eigen bijdrage voor {naam} {nl.bedrag(result.bijdrage[0])} per "
                f"{nl.woorden(result.bijdrage[1])}"
            )
    elif result.uitkomst == Uitkomst.toegekend:
        outcome = f"wordt uw aanvraag voor {naam} toegekend"
        if result.bijdrage is not None and result.bijdrage[0] > 0:
            outcome += (
                f", met een eigen bijdrage van {nl.bedrag(result.bijdrage[0])} per "
                f"{nl.woorden(result.bijdrage[1])}"
            )
    else:
        uitkomst = nl.woorden(result.uitkomst.value) if result.uitkomst else "onbeslist"
        outcome = f"wordt op uw aanvraag voor {naam} beslist: {uitkomst}"
    where = f" (artikel {result.artikel})" if result.artikel else ""
    return f"Als {clauses}, {outcome}{where}."


def find_alternatives(
    rs: CompiledRegelset,
    casus: Casus,
    run: RequestRun,
    besluit: Besluit,
    closure: dict[str, frozenset[str]],
    evaluator: Evaluator | None = None,
) -> list[Alternatief]:
    """The verified smallest changes that give this request a better outcome.

    Variants are decided on `evaluator`'s generated functions as the reference fixpoint
    decides them (`Evaluator.decide`); pass the regelset's own to reuse its generated code.
    """
    if not needs_alternatives(besluit):
        return []
    evaluator = evaluator or Evaluator(rs)
    search = _Search(rs, run, closure, besluit, evaluator)
    pointer = pointers(casus, run.inputs.aanvraag, run.inputs.persoon)
    naam = nl.kleine_letter(rs.catalogue[run.inputs.voorziening].naam)
    out: list[Alternatief] = []
    data: dict[str, Any] | None = None  # the case document, dumped once for all verifications
    for changes, result in search.run():
        if len(out) == MAX_ALTERNATIVES:
            break
        wijzigingen = [
            Wijziging(
                pad=pointer(c.ref),
                van=as_json(rs.input_type(c.ref) or T.tekst, c.old),
                naar=as_json(rs.input_type(c.ref) or T.tekst, c.new),
            )
            for c in changes
        ]
        bijdrage = (
            Bijdrage(bedrag=format_euro(result.bijdrage[0]), per=result.bijdrage[1])
            if result.bijdrage is not None and result.uitkomst == Uitkomst.toegekend
            else None
        )
        if data is None:
            data = casus.model_dump(mode="json", by_alias=True, exclude_none=True)
        settled = verify(rs, data, run.inputs.aanvraag, wijzigingen, closure, evaluator)
        stated = (result.uitkomst, (bijdrage.bedrag, bijdrage.per) if bijdrage else None)
        if settled is None or (settled.uitkomst, settled.eigen_bijdrage) != stated:
            continue  # never show an alternative the changed case does not bear out
        out.append(
            Alternatief(
                wijzigingen=wijzigingen,
                uitkomst=result.uitkomst,
                eigen_bijdrage=bijdrage,
                artikel=result.artikel,
                zin=_sentence(rs, changes, result, naam, besluit),
            )
        )
    return out
