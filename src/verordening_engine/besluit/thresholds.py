"""Where the rules draw lines: the comparisons in a voorziening's rules, read from the rules.

Each comparison `x op y` where one side is a plain name (an input or a derived fact) gives
a boundary: the other side, compiled once and evaluated per case, is the threshold
(`huishouden.inkomen_pct_sociaal_minimum <= param.minimagrens_eigen_bijdrage_procent`).
The search for alternatives starts from these boundaries.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..language.expressions import Compiled, ExpressionError, Ref, T, compile_expression
from ..language.types import NAMESPACES
from ..regels.compiled import BUILTIN_VOORZIENING, EURO_UNITS, CompiledRegelset, CompiledRule

COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_ORDERED = (T.getal, T.bedrag, T.datum)
FACT_SPACES = ("persoon", "partner", "huishouden", "aanvraag", "afgeleid")


@dataclass(frozen=True)
class Boundary:
    """`ref op other` (ref on the left) or `other op ref` (ref on the right)."""

    ref: Ref
    compare: Callable[[Any, Any], bool]
    ref_left: bool
    other: Compiled

    def holds(self, ref_value: Any, other_value: Any) -> bool:
        if self.ref_left:
            return self.compare(ref_value, other_value)
        return self.compare(other_value, ref_value)


def _resolver(rs: CompiledRegelset) -> Callable[[Ref], T | None]:
    def resolve(ref: Ref) -> T | None:
        if ref.space == "peildatum":
            return T.datum
        if ref.space == "afgeleid":
            feit = rs.derived.get(ref.name)
            return T(feit.type.value) if feit else None
        if ref.space == "param":
            unit = rs.parameter_units.get(ref.name)
            if unit is None:
                return None
            return T.bedrag if unit in EURO_UNITS else T.getal
        if ref.space == "voorziening":
            return BUILTIN_VOORZIENING.get(ref.name, T.bedrag)
        return rs.input_type(ref)

    return resolve


def _plain_ref(node: ast.AST) -> Ref | None:
    if isinstance(node, ast.Name) and node.id not in ("waar", "onwaar", "peildatum"):
        return Ref("afgeleid", node.id)
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in NAMESPACES
    ):
        return Ref(node.value.id, node.attr)
    return None


def _sources(rule: CompiledRule) -> list[str]:
    out = [rule.condition.source] if rule.condition is not None else []
    out += [expr.source for expr in rule.outputs.values()]
    return out


def _boundaries(rs: CompiledRegelset, rule: CompiledRule) -> list[Boundary]:
    resolve = _resolver(rs)
    found: list[Boundary] = []
    for source in _sources(rule):
        try:
            tree = ast.parse(source, mode="eval")
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Compare):
                continue
            operands = [node.left, *node.comparators]
            for op, left, right in zip(node.ops, operands, operands[1:], strict=False):
                compare = COMPARE.get(type(op))
                if compare is None:
                    continue
                for ref_node, other_node, ref_left in ((left, right, True), (right, left, False)):
                    ref = _plain_ref(ref_node)
                    text = ast.get_source_segment(source, other_node)
                    if ref is None or ref.space not in FACT_SPACES or text is None:
                        continue
                    if resolve(ref) not in _ORDERED:
                        continue
                    try:
                        other = compile_expression(text, resolve)
                    except ExpressionError:
                        continue
                    found.append(Boundary(ref, compare, ref_left, other))
    return found


_CACHE: dict[tuple[str, str], tuple[Boundary, ...]] = {}


def boundaries(rs: CompiledRegelset, voorziening: str) -> tuple[Boundary, ...]:
    """Every boundary in the rules that apply to `voorziening` (cached per regelset)."""
    key = (rs.sha256, voorziening)
    found = _CACHE.get(key)
    if found is None:
        seen: dict[tuple[Ref, str, bool, str], Boundary] = {}
        for rule in rs.rules_for[voorziening]:
            for b in _boundaries(rs, rule):
                seen.setdefault((b.ref, b.compare.__name__, b.ref_left, b.other.source), b)
        found = _CACHE[key] = tuple(seen.values())
    return found
