"""Compile the checks the vocabulary declares on a case's input (impossible input).

Next to a fact: `bereik` (getal/bedrag bounds), `niet_voor`/`niet_na` (order between dates,
as rule-language datum expressions) and `alleen_als` (the case may give the fact only when a
condition holds); at the end of a vocabulary file: `controles` for checks that have no single
fact as their home. All are written in the rule language and type-checked here, with the
names a case gives in that scope: a person's check reads persoon.*, huishouden.* and
peildatum; a request's check also reads aanvraag.*.
"""

from __future__ import annotations

from ..language.expressions import Compiled, ExpressionError, Ref, T, compile_expression
from ..language.values import parse_euro
from ..reading.yaml_loading import Loc
from .compiled import BUILTIN_HUISHOUDEN, BUILTIN_PERSOON, InputCheck, _input_type
from .declarations import Declarations
from .model import Feit

# which namespaces a check may read, per scope it is evaluated in
SCOPES: dict[str, frozenset[str]] = {
    "persoon": frozenset({"persoon", "huishouden", "peildatum"}),
    "huishouden": frozenset({"huishouden", "peildatum"}),
    "aanvraag": frozenset({"aanvraag", "persoon", "huishouden", "peildatum"}),
}


def _resolver(c: Declarations, space: str) -> object:
    allowed = SCOPES[space]

    def resolve(ref: Ref) -> T | None:
        if ref.space not in allowed:
            return None
        if ref.space == "peildatum":
            return T.datum
        if ref.space == "huishouden" and ref.name == "heeft_partner":
            return None  # depends on the request's person, not known per household
        return _input_type(c.inputs, ref)

    return resolve


def _compile(
    c: Declarations, file: str, loc: Loc, space: str, text: str, expected: T | None
) -> Compiled | None:
    resolve = _resolver(c, space)
    try:
        return compile_expression(text, resolve, expected)  # type: ignore[arg-type]
    except ExpressionError as exc:
        c.problem(file, loc, f"in check '{text.strip()}': {exc.message}")
        return None


def _bound(c: Declarations, file: str, loc: Loc, feit: Feit, value: int | str) -> str | None:
    """A bound as rule-language text, or None (and a problem) when it does not fit the type."""
    if feit.type.value == "getal":
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        c.problem(file, loc, "a bound of a getal fact is a whole number")
        return None
    if feit.type.value == "bedrag":
        if isinstance(value, str):
            try:
                parse_euro(value)
            except ValueError as exc:
                c.problem(file, loc, str(exc))
                return None
            return f"euro('{value}')"
        c.problem(file, loc, "a bound of a bedrag fact is text with two decimals, e.g. '0.00'")
        return None
    c.problem(file, loc, "'bereik' is only for facts of type getal or bedrag")
    return None


def _fact_checks(c: Declarations, space: str, name: str, feit: Feit) -> list[InputCheck]:
    file, loc = c.where("feit", f"{space}.{name}")
    ref = f"{space}.{name}"
    out: list[InputCheck] = []

    def add(
        key: Loc, text: str, melding: str, als: str | None = None, gegeven: bool = False
    ) -> None:
        eis = _compile(c, file, (*loc, *key), space, text, T.waarheid)
        cond = _compile(c, file, (*loc, *key), space, als, T.waarheid) if als else None
        if eis is not None and (als is None or cond is not None):
            out.append(InputCheck(space, name, cond, eis, melding, name if gegeven else None, file))

    if feit.bereik is not None:
        for side, op, word, word2 in (
            ("min", ">=", "below", "minimum"),
            ("max", "<=", "above", "maximum"),
        ):
            value = getattr(feit.bereik, side)
            if value is None:
                continue
            bound = _bound(c, file, (*loc, "bereik", side), feit, value)
            if bound is not None:
                add(("bereik", side), f"{ref} {op} {bound}", f"{ref} is {word} the {word2} {value}")
    for key, op, word in (("niet_voor", ">=", "before"), ("niet_na", "<=", "after")):
        for i, other in enumerate(getattr(feit, key)):
            if feit.type.value != "datum":
                c.problem(file, (*loc, key), f"'{key}' is only for facts of type datum")
                break
            if _compile(c, file, (*loc, key, i), space, other, T.datum) is not None:
                add((key, i), f"{ref} {op} ({other})", f"{ref} is {word} {other.strip()}")
    if feit.alleen_als is not None:
        add(
            ("alleen_als",),
            feit.alleen_als,
            f"{ref} may only be given when {feit.alleen_als.strip()}",
            gegeven=True,
        )
    return out


def compile_input_checks(c: Declarations) -> tuple[InputCheck, ...]:
    """Every declared check, type-checked; problems are added to the compiler's list."""
    out: list[InputCheck] = []
    for space, facts in c.inputs.items():
        for name, feit in facts.items():
            out += _fact_checks(c, space, name, feit)
    for name, feit in c.derived.items():
        if feit.bereik or feit.niet_voor or feit.niet_na or feit.alleen_als:
            file, loc = c.where("feit", name)
            c.problem(file, loc, "checks are for input facts; a rule defines a derived fact")
    for file, begrippen in c.src.begrippen:
        for i, controle in enumerate(begrippen.controles):
            cloc: Loc = ("controles", i)
            space = controle.voor
            builtin = {"persoon": BUILTIN_PERSOON, "huishouden": BUILTIN_HUISHOUDEN}.get(space, {})
            if controle.veld not in c.inputs[space] and controle.veld not in builtin:
                c.problem(file, (*cloc, "veld"), f"'{controle.veld}' is not a {space} field")
                continue
            eis = _compile(c, file, (*cloc, "eis"), space, controle.eis, T.waarheid)
            cond = (
                _compile(c, file, (*cloc, "als"), space, controle.als, T.waarheid)
                if controle.als
                else None
            )
            if eis is not None and (controle.als is None or cond is not None):
                melding = f"{controle.melding.strip()} ({controle.id})"
                out.append(InputCheck(space, controle.veld, cond, eis, melding, None, file))
    return tuple(out)
