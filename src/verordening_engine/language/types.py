"""The types and values of the rule language, shared by every later stage.

Money is integer cents and dates are `date`, so the engine never sees floats.
"""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple, Protocol

Value = bool | int | str | dt.date | tuple[Any, ...]


class T(StrEnum):
    """Types of the rule language (the Dutch names used in `begrippen.yaml`)."""

    waarheid = "waarheid"
    getal = "getal"
    bedrag = "bedrag"
    datum = "datum"
    tekst = "tekst"
    lijst_tekst = "lijst van tekst"
    lijst_getal = "lijst van getal"


NAMESPACES = ("persoon", "partner", "huishouden", "aanvraag", "param", "voorziening", "besluit")

ORDERED = frozenset({T.getal, T.bedrag, T.datum})


class Ref(NamedTuple):
    """A name an expression reads: a namespace ('afgeleid' for derived facts) and a name.

    A tuple, so hashing and ordering are cheap on the per-case path.
    """

    space: str
    name: str

    def __str__(self) -> str:
        if self.space in ("afgeleid", "peildatum"):
            return self.name
        return f"{self.space}.{self.name}"


class ExpressionError(Exception):
    """A problem in an expression, with the 1-based line and column inside the expression."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class MissingValue(Exception):
    """An expression read a value the case does not have (e.g. partner.* without a partner).

    `refs` holds every absent name the result depended on: `and`, `or` and `x if c else y`
    are evaluated in three-valued (Kleene) logic, so a value that is known without the
    absent names (a false conjunct, a true disjunct, equal branches) is returned instead.
    """

    # raised and caught on the per-case path (a check or rule on an absent fact): its message
    # and set of names are made only when asked for
    def __init__(self, ref: Ref, *more: Ref) -> None:
        self.ref = ref
        self._more = more

    @property
    def refs(self) -> frozenset[Ref]:
        return frozenset((self.ref, *self._more))

    def __str__(self) -> str:
        return str(self.ref)

    def merged(self, other: MissingValue) -> MissingValue:
        return MissingValue(self.ref, *(self.refs | other.refs))


Resolver = Callable[[Ref], T | None]
# A parameter's values by date (vanaf, value), oldest first: what waarde_op() reads.
Series = Callable[[str], tuple[tuple[dt.date, "Value"], ...] | None]
Context = Callable[[Ref], Value]
Fn = Callable[[Context], Any]


@dataclass(frozen=True)
class Compiled:
    """A type-checked expression: its source, type, what it reads and how to compute it."""

    source: str
    type: T
    reads: frozenset[Ref]
    fn: Fn
    conjuncts: tuple[Compiled, ...] = field(default=())
    # the checked syntax tree and the full text its positions refer to (for code generation)
    node: ast.expr | None = field(default=None, compare=False, repr=False)
    text: str = field(default="", compare=False, repr=False)

    def __call__(self, ctx: Context) -> Any:
        return self.fn(ctx)


def _err(node: ast.AST, message: str) -> ExpressionError:
    return ExpressionError(message, getattr(node, "lineno", 1), getattr(node, "col_offset", 0) + 1)


def no_context(ref: Ref) -> Value:
    """The context of a constant expression: reading any name is a bug."""
    raise AssertionError(ref)


class Builder(Protocol):
    """What a function of the language needs from the expression compiler."""

    def compile(self, node: ast.AST) -> Compiled: ...

    def make(
        self,
        node: ast.AST,
        type_: T,
        reads: frozenset[Ref],
        fn: Fn,
        conjuncts: tuple[Compiled, ...] = (),
    ) -> Compiled: ...

    def expect(self, node: ast.AST, type_: T) -> Compiled: ...

    def series(self, name: str) -> tuple[tuple[dt.date, Value], ...] | None: ...
