"""Checks on the graph of rules: one definer per derived fact, no cycles, sound priorities.

They need every rule compiled, so they run after rule compilation.
"""

from __future__ import annotations

from ..reading.yaml_loading import Loc
from .compiled import CompiledRule
from .declarations import Declarations


def check_derivations(c: Declarations, rules: list[CompiledRule]) -> None:
    definers: dict[str, CompiledRule] = {}
    for rule in rules:
        for name in rule.outputs if rule.kind == "bepaal" else ():
            if name in definers:
                c.problem(
                    rule.file,
                    (*_rule_loc(rule), "bepaal", name),
                    f"'{name}' is already defined by rule '{definers[name].id}'",
                )
            definers[name] = rule
    for name in c.derived:
        if name not in definers:
            f, loc = c.where("feit", name)
            c.problem(f, loc, f"no rule defines '{name}' (add a 'bepaal')")
    for rule in rules:
        for name in rule.needs:
            definer = definers.get(name)
            if definer is not None and not rule.applies_to <= definer.applies_to:
                missing = sorted(rule.applies_to - definer.applies_to)
                c.problem(
                    rule.file,
                    _rule_loc(rule),
                    f"reads '{name}', which rule "
                    f"'{definer.id}' does not define for {', '.join(missing)}",
                )
    # cycles among derived facts
    graph = {name: set(r.needs) for name, r in definers.items()}
    for cycle in _cycles(graph):
        rule = definers[cycle[0]]
        c.problem(
            rule.file,
            _rule_loc(rule),
            f"derived facts depend on each other in a cycle: {' -> '.join([*cycle, cycle[0]])}",
        )


def check_priorities(
    c: Declarations, rules: list[CompiledRule]
) -> tuple[dict[str, frozenset[str]], dict[tuple[str, str], str]]:
    by_id = {r.id: r for r in rules}
    defeats: dict[str, set[str]] = {r.id: set() for r in rules}
    kinds: dict[tuple[str, str], str] = {}
    for rule in rules:
        for key in ("uitzondering_op", "gaat_voor"):
            for i, other_id in enumerate(getattr(rule.regel, key)):
                loc = (*_rule_loc(rule), key, i)
                other = by_id.get(other_id)
                if other is None:
                    if other_id not in c.broken:
                        c.problem(rule.file, loc, f"unknown rule '{other_id}'")
                    continue
                if other.kind != rule.kind or rule.kind == "bepaal":
                    c.problem(
                        rule.file,
                        loc,
                        f"'{other_id}' concludes {other.kind}, "
                        f"this rule {rule.kind}: priorities only apply between "
                        "rules with the same kind of conclusion (not bepaal)",
                    )
                    continue
                if not rule.applies_to & other.applies_to:
                    c.problem(
                        rule.file,
                        loc,
                        f"'{other_id}' is never about the same voorziening as this rule",
                    )
                defeats[rule.id].add(other_id)
                kinds[(rule.id, other_id)] = key
    for cycle in _cycles(defeats):
        rule = by_id[cycle[0]]
        c.problem(
            rule.file,
            _rule_loc(rule),
            f"priorities form a cycle: {' -> '.join([*cycle, cycle[0]])}",
        )
    return {k: frozenset(v) for k, v in defeats.items()}, kinds


def _rule_loc(rule: CompiledRule) -> Loc:
    return rule.loc


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected group (deterministic order)."""
    found: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                found.append(stack[stack.index(nxt) :])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found
