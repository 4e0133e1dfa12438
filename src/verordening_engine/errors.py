"""The one exception type the library raises for bad input, with where the problem is."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

MAX_MESSAGE = 400  # characters of one message; names in it come from untrusted files
MAX_NAME = 200  # characters of a file name or field path
MAX_SHOWN = 50  # problems printed before the rest are only counted


def printable(text: str, limit: int = MAX_MESSAGE) -> str:
    """`text` safe to print on one line: control, format and separator characters escaped
    (no forged lines, no terminal escapes, no hidden bidi text) and capped at `limit`."""
    if not text.isprintable():
        text = "".join(
            ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text
        )
    if len(text) > limit:  # keep both ends: a quoted name first, the reason often last
        half = (limit - 3) // 2
        text = text[:half] + " … " + text[len(text) - half :]
    return text


@dataclass(frozen=True, order=True)
class Problem:
    """One located problem: a file, a position in it, the field and a plain message.

    Names and values quoted from a file may be anything: every text is made printable and
    capped when the problem is made, so no output built from it can be forged or flooded.
    """

    file: str
    line: int | None
    column: int | None
    field: str
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "file", printable(str(self.file), MAX_NAME))
        object.__setattr__(self, "field", printable(str(self.field), MAX_NAME))
        object.__setattr__(self, "message", printable(str(self.message), MAX_MESSAGE))

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


def did_you_mean(name: str, known: Iterable[str], *, list_known: bool = False) -> str:
    """' (did you mean 'x'?)' for the closest known names; else, with `list_known`, the
    first few known names; else nothing."""
    names = sorted(set(known))
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    if close:
        return " (did you mean " + " or ".join(f"'{c}'" for c in close) + "?)"
    if not list_known:
        return ""
    if not names:
        return " (known: none)"
    listed = ", ".join(names[:12])
    return f" (known: {listed}{', …' if len(names) > 12 else ''})"


def shown(problems: list[Problem], limit: int = MAX_SHOWN) -> list[str]:
    """The lines to print for `problems`: the first `limit`, then how many more there are."""
    lines = [str(p) for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"… en nog {len(problems) - limit} problemen (niet getoond)")
    return lines


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


class CaseValueError(EvaluationError):
    """A computation went out of range on a case's own values (a date beyond year 9999, an
    overflowing number): bad input, reported located in the case, not as a rule fault."""

    def __init__(self, message: str, aanvraag: str, facts: dict[str, str]) -> None:
        super().__init__(message)
        self.aanvraag = aanvraag
        self.facts = facts
