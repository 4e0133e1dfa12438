"""The one exception type the library raises for bad input, with where the problem is."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem: a file, a position in it, the field and a plain message."""

    file: str
    line: int | None
    column: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" [{self.field}]" if self.field else ""
        return f"{where}:{field} {self.message}"


class VerordeningError(Exception):
    """Raised for every invalid input (rule files, case files, options); carries all problems.

    Callers catch this one type; `problems` lists each located problem, sorted by place.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems), key=_order)
        super().__init__("\n".join(str(p) for p in self.problems))


def _order(p: Problem) -> tuple[str, int, int, str, str]:
    return (p.file, p.line or 0, p.column or 0, p.field, p.message)


def fail(
    file: str, message: str, *, line: int | None = None, column: int | None = None, field: str = ""
) -> VerordeningError:
    """Build an error with a single problem (to `raise` at the call site)."""
    return VerordeningError([Problem(file, line, column, field, message)])


class EvaluationError(Exception):
    """A defect found while evaluating (a rule action failed, a firing bound was exceeded).

    This is a fault in a regelset or in the engine, never in the case: it is reported loudly.
    """
