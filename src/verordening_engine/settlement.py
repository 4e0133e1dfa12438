"""Settle exceptions and priorities after the engine has saturated.

Only applied rules take part; a rule is set aside when an applied rule beats it under the
transitive closure of `uitzondering_op`/`gaat_voor`. What remains must agree, or the
conflict is reported: nothing depends on the order in which rules fired.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from .compiling import CompiledRegelset
from .evaluation import RuleRun
from .expressions import format_euro
from .regelset_model import Uitkomst


@dataclass(frozen=True)
class Settled:
    uitkomst: Uitkomst | None
    verwijzing: str | None
    eigen_bijdrage: tuple[str, str] | None
    ingangsdatum: dt.date | None
    winners: frozenset[str]
    set_aside: dict[str, str]
    problems: tuple[str, ...]


def beats(regelset: CompiledRegelset) -> dict[str, frozenset[str]]:
    """Transitive closure of the priority relation (acyclic by compilation)."""

    @cache
    def closure(rule_id: str) -> frozenset[str]:
        direct = regelset.defeats.get(rule_id, frozenset())
        return direct.union(*(closure(d) for d in direct)) if direct else frozenset()

    return {r.id: closure(r.id) for r in regelset.rules}


def per_of(run: RuleRun) -> str:
    """The period of a contribution: the rule's own, else the voorziening's."""
    assert run.rule.regel.eigen_bijdrage is not None
    return run.rule.regel.eigen_bijdrage.per or str(run.outputs["per"])


def _conclusion(run: RuleRun) -> tuple[object, ...]:
    rule = run.rule
    if rule.kind == "besluit":
        assert rule.regel.besluit is not None
        return (
            rule.regel.besluit.uitkomst,
            run.outputs.get("verwijzing", rule.regel.besluit.verwijzing),
        )
    if rule.kind == "eigen_bijdrage":
        assert rule.regel.eigen_bijdrage is not None
        return (run.outputs["bedrag"], per_of(run))
    return (run.outputs["ingangsdatum"],)


def settle(
    regelset: CompiledRegelset, runs: list[RuleRun], closure: dict[str, frozenset[str]]
) -> Settled:
    set_aside: dict[str, str] = {}
    winners: dict[str, list[RuleRun]] = {}
    conflicts: dict[str, str] = {}
    chosen: dict[str, tuple[object, ...] | None] = {}
    for kind in ("besluit", "eigen_bijdrage", "ingangsdatum"):
        applied = sorted(
            (r for r in runs if r.applied and r.rule.kind == kind), key=lambda r: r.rule.index
        )
        ids = {r.rule.id for r in applied}
        standing = []
        for run in applied:
            beaten_by = [o.rule.id for o in applied if run.rule.id in closure[o.rule.id]]
            if beaten_by:
                # name an undefeated rule that beats it
                top = [b for b in beaten_by if not any(b in closure[o] for o in ids)]
                set_aside[run.rule.id] = (top or beaten_by)[0]
            else:
                standing.append(run)
        winners[kind] = standing
        conclusions = sorted({_conclusion(r) for r in standing}, key=repr)
        if len(conclusions) > 1:
            names = ", ".join(f"{r.rule.id} (artikel {r.rule.artikel.nummer})" for r in standing)
            conflicts[kind] = f"conflict: {names} conclude differently and no priority settles it"
            chosen[kind] = None
        else:
            chosen[kind] = conclusions[0] if conclusions else None
    besluit = chosen["besluit"]
    problems = [conflicts["besluit"]] if "besluit" in conflicts else []
    if besluit is None and not problems:
        problems.append("no article decided this request (a gap in the regelset)")
    uitkomst = besluit[0] if besluit else None
    granted = uitkomst == Uitkomst.toegekend
    if granted:
        problems += [conflicts[k] for k in ("eigen_bijdrage", "ingangsdatum") if k in conflicts]
    bijdrage = chosen["eigen_bijdrage"] if granted else None
    start = chosen["ingangsdatum"] if granted else None
    used = [r.rule.id for r in winners["besluit"]]
    if granted:
        used += [r.rule.id for r in winners["eigen_bijdrage"] + winners["ingangsdatum"]]
    return Settled(
        uitkomst=uitkomst,  # type: ignore[arg-type]
        verwijzing=besluit[1] if besluit else None,  # type: ignore[arg-type]
        eigen_bijdrage=(format_euro(bijdrage[0]), bijdrage[1]) if bijdrage else None,  # type: ignore[arg-type]
        ingangsdatum=start[0] if start else None,  # type: ignore[arg-type]
        winners=frozenset(used),
        set_aside=set_aside,
        problems=tuple(problems),
    )
