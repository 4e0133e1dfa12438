"""Which absent input facts keep a request from being decided ("missing is not a value").

A rule that read an absent fact is *open*: its condition or conclusion is unknown (the rule
language evaluates `and`, `or` and `x if c else y` in three-valued logic, so a rule whose
other conjunct is already false is not open). An open rule makes the request undecidable
when its conclusion could change the decision:

- it concludes a `besluit`, `termijn`, or (when the request could be granted) an
  `eigen_bijdrage`, `ingangsdatum` or `vaststelling`;
- no rule that certainly applies sets it aside (`uitzondering_op`/`gaat_voor`);
- and, for a `besluit` with a fixed conclusion, that conclusion differs from the one the
  certainly-applying rules reach (a second ground for the same outcome changes nothing).

The facts such rules read and the case does not give are the `ontbrekende_gegevens`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ..language.expressions import Ref
from ..regels.model import Uitkomst
from .evaluation import RuleRun
from .settlement import Settled

IF_GRANTED = ("eigen_bijdrage", "ingangsdatum", "vaststelling")


def _fixed_conclusion(run: RuleRun) -> tuple[object, ...] | None:
    regel = run.rule.regel
    if run.rule.kind != "besluit" or regel.besluit is None or regel.besluit.verwijzing_naar:
        return None
    return (regel.besluit.uitkomst, regel.besluit.verwijzing)


def missing_inputs(
    runs: Sequence[RuleRun], settled: Settled, closure: dict[str, frozenset[str]]
) -> dict[Ref, frozenset[str]]:
    """Each absent input fact the decision needs, with the articles of the rules that need it."""
    open_runs = [r for r in runs if r.missing and r.rule.kind != "bepaal"]
    if not open_runs:
        return {}
    applied = [r.rule.id for r in runs if r.applied]

    def set_aside(run: RuleRun) -> bool:
        return any(run.rule.id in closure[other] for other in applied)

    needed: dict[Ref, set[str]] = {}

    def need(run: RuleRun) -> None:
        for ref in run.missing:
            needed.setdefault(ref, set()).add(run.rule.artikel.nummer)

    current = (settled.uitkomst, settled.verwijzing)
    for run in open_runs:
        if run.rule.kind != "besluit" or set_aside(run):
            continue
        if settled.uitkomst is not None and _fixed_conclusion(run) == current:
            continue
        need(run)
    could_grant = bool(needed) or settled.uitkomst in (None, Uitkomst.toegekend)
    for run in open_runs:
        kind = run.rule.kind
        if kind == "besluit" or set_aside(run):
            continue
        if kind in IF_GRANTED and not could_grant:
            continue
        need(run)
    return {ref: frozenset(arts) for ref, arts in sorted(needed.items())}


def undecided(settled: Settled) -> Settled:
    """The settled outcome with every decision part withheld (termijnen that are known stay)."""
    return dataclasses.replace(
        settled,
        uitkomst=None,
        verwijzing=None,
        eigen_bijdrage=None,
        ingangsdatum=None,
        vaststellingen={},
        winners=frozenset(),
        problems=tuple(p for p in settled.problems if not p.startswith("no article decided")),
    )
