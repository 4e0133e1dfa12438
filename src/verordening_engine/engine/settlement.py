"""Settle exceptions and priorities after the engine has saturated.

Only applied rules take part; a rule is set aside when an applied rule beats it under the
transitive closure of `uitzondering_op`/`gaat_voor`. What remains must agree, or the
conflict is reported: nothing depends on the order in which rules fired.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from ..engine.evaluation import RuleRun
from ..language.expressions import Value, format_euro
from ..regels.compiled import CompiledRegelset
from ..regels.model import Uitkomst

# conclusion kinds settled here, and the named slots each fills
NAMED_KINDS = ("termijn", "vaststelling")


@dataclass(frozen=True)
class Settled:
    uitkomst: Uitkomst | None
    verwijzing: str | None
    eigen_bijdrage: tuple[str, str] | None
    ingangsdatum: dt.date | None
    termijnen: dict[str, dt.date]
    vaststellingen: dict[str, Value]
    winners: frozenset[str]
    set_aside: dict[str, str]
    problems: tuple[str, ...]


def beats(regelset: CompiledRegelset) -> dict[str, frozenset[str]]:
    """Transitive closure of the priority relation (acyclic by compilation).

    Computed without recursion (post-order walk), so a long gaat_voor chain cannot exceed
    Python's recursion limit.
    """
    defeats = regelset.defeats
    done: dict[str, frozenset[str]] = {}
    for rule in regelset.rules:
        stack = [rule.id]
        while stack:
            rule_id = stack[-1]
            if rule_id in done:
                stack.pop()
                continue
            direct = defeats.get(rule_id, frozenset())
            waiting = [d for d in direct if d not in done]
            if waiting:
                stack.extend(waiting)
                continue
            stack.pop()
            done[rule_id] = direct.union(*(done[d] for d in direct)) if direct else frozenset()
    return {r.id: done[r.id] for r in regelset.rules}


def per_of(run: RuleRun) -> str:
    """The period of a contribution: the rule's own, else the voorziening's."""
    assert run.rule.regel.eigen_bijdrage is not None
    return run.rule.regel.eigen_bijdrage.per or str(run.outputs["per"])


def _conclusion(run: RuleRun, slot: str) -> tuple[object, ...]:
    rule = run.rule
    if rule.kind == "besluit":
        assert rule.regel.besluit is not None
        return (
            rule.regel.besluit.uitkomst,
            run.outputs.get("verwijzing", rule.regel.besluit.verwijzing),
        )
    if rule.kind == "eigen_bijdrage":
        return (run.outputs["bedrag"], per_of(run))
    return (run.outputs[slot],)


def _slots(run: RuleRun) -> Iterable[str]:
    if run.rule.kind in NAMED_KINDS:
        return run.rule.outputs.keys()
    return (run.rule.kind,)


def _index(run: RuleRun) -> int:
    return run.rule.index


def settle(
    regelset: CompiledRegelset, runs: list[RuleRun], closure: dict[str, frozenset[str]]
) -> Settled:
    set_aside: dict[str, str] = {}
    winners: dict[str, list[RuleRun]] = {}
    conflicts: dict[str, str] = {}
    chosen: dict[str, tuple[object, ...] | None] = {}
    by_kind: dict[str, list[RuleRun]] = {}
    for r in runs:  # one pass over the runs, not one per kind
        if r.applied:
            by_kind.setdefault(r.rule.kind, []).append(r)
    for kind in ("besluit", "eigen_bijdrage", "ingangsdatum", *NAMED_KINDS):
        group = by_kind.get(kind)
        if not group:
            winners[kind] = []
            continue
        applied = sorted(group, key=_index) if len(group) > 1 else group
        if len(applied) == 1 or not any(closure[o.rule.id] for o in applied):
            standing = applied  # nothing to set aside (the common case)
        else:
            ids = {r.rule.id for r in applied}
            standing = []
            for run in applied:
                beaten_by = [o.rule.id for o in applied if run.rule.id in closure[o.rule.id]]
                if beaten_by:
                    top = [b for b in beaten_by if not any(b in closure[o] for o in ids)]
                    set_aside[run.rule.id] = (top or beaten_by)[0]
                else:
                    standing.append(run)
        winners[kind] = standing
        slots = sorted({slot for r in standing for slot in _slots(r)})
        for slot in slots:
            key = f"{kind}:{slot}" if kind in NAMED_KINDS else kind
            givers = [r for r in standing if slot in _slots(r)]
            distinct = {_conclusion(r, slot) for r in givers}
            conclusions = sorted(distinct, key=repr) if len(distinct) > 1 else list(distinct)
            if len(conclusions) > 1:
                names = ", ".join(f"{r.rule.id} (artikel {r.rule.artikel.nummer})" for r in givers)
                conflicts[key] = (
                    f"conflict: {names} conclude differently and no priority settles it"
                )
                chosen[key] = None
            else:
                chosen[key] = conclusions[0]
    besluit = chosen.get("besluit")
    problems = [conflicts["besluit"]] if "besluit" in conflicts else []
    if besluit is None and not problems:
        problems.append("no article decided this request (a gap in the regelset)")
    uitkomst = besluit[0] if besluit else None
    granted = uitkomst == Uitkomst.toegekend
    problems += [msg for key, msg in sorted(conflicts.items()) if key.startswith("termijn:")]
    if granted:
        problems += [
            msg
            for key, msg in sorted(conflicts.items())
            if key in ("eigen_bijdrage", "ingangsdatum") or key.startswith("vaststelling:")
        ]
    bijdrage = chosen.get("eigen_bijdrage") if granted else None
    start = chosen.get("ingangsdatum") if granted else None
    termijnen = {
        key.split(":", 1)[1]: value[0]
        for key, value in sorted(chosen.items())
        if key.startswith("termijn:") and value is not None
    }
    vaststellingen = {
        key.split(":", 1)[1]: value[0]
        for key, value in sorted(chosen.items())
        if granted and key.startswith("vaststelling:") and value is not None
    }
    used = [r.rule.id for r in winners["besluit"] + winners["termijn"]]
    if granted:
        used += [
            r.rule.id
            for r in winners["eigen_bijdrage"] + winners["ingangsdatum"] + winners["vaststelling"]
        ]
    return Settled(
        uitkomst=uitkomst,  # type: ignore[arg-type]
        verwijzing=besluit[1] if besluit else None,  # type: ignore[arg-type]
        eigen_bijdrage=(format_euro(bijdrage[0]), bijdrage[1]) if bijdrage else None,  # type: ignore[arg-type]
        ingangsdatum=start[0] if start else None,  # type: ignore[arg-type]
        termijnen=termijnen,  # type: ignore[arg-type]
        vaststellingen=vaststellingen,  # type: ignore[arg-type]
        winners=frozenset(used),
        set_aside=set_aside,
        problems=tuple(problems),
    )
