"""Explanation templates: the `{name}` placeholders a rule's Dutch sentence may use."""

from __future__ import annotations

import string
from collections.abc import Iterator

from ..errors import Problem


def template_fields(
    text: str, file: str, anchor: Problem, problems: list[Problem]
) -> Iterator[str]:
    """Placeholders `{name}` in an explanation template (no format specs, no indexing)."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        problems.append(
            Problem(
                anchor.file,
                anchor.line,
                anchor.column,
                anchor.field,
                f"explanation template: {exc}",
            )
        )
        return
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if (
            spec
            or conversion
            or not all(part.isidentifier() for part in name.split("."))
            or (name.count(".") > 1)
        ):
            problems.append(
                Problem(
                    anchor.file,
                    anchor.line,
                    anchor.column,
                    anchor.field,
                    f"explanation template: '{{{name}}}' must be a plain name",
                )
            )
            continue
        yield name
