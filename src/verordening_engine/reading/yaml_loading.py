"""Safe YAML/JSON reading that keeps the line and column of every value.

PyYAML's safe constructor builds the scalars; we build the containers ourselves so that
each path in the document maps to its position, duplicate keys are errors, and size,
depth and alias expansion are bounded.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem, VerordeningError, fail

MAX_BYTES = 2_000_000
MAX_DEPTH = 40
MAX_NODES = 200_000

Loc = tuple[int | str, ...]


@dataclass
class LocatedDocument:
    """A parsed document with the (line, column) of each path, both 1-based."""

    file: str
    data: Any
    positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def position(self, loc: Loc) -> tuple[int | None, int | None]:
        """The position of `loc`, or of its nearest ancestor that has one."""
        path = tuple(loc)
        while True:
            if path in self.positions:
                return self.positions[path]
            if not path:
                return (None, None)
            path = path[:-1]

    def problem(self, loc: Loc, message: str) -> Problem:
        line, column = self.position(loc)
        return Problem(self.file, line, column, dotted(loc), message)


def dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.positions: dict[Loc, tuple[int, int]] = {}
        self.nodes = 0
        self.constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, loc: Loc, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise fail(
                self.file,
                f"document too large: more than {MAX_NODES} values (check for alias expansion)",
                line=node.start_mark.line + 1,
            )
        if depth > MAX_DEPTH:
            raise fail(
                self.file,
                f"nesting deeper than {MAX_DEPTH} levels",
                line=node.start_mark.line + 1,
                column=node.start_mark.column + 1,
            )
        self.positions[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise fail(
                        self.file,
                        "merge keys (<<) are not supported",
                        line=key_node.start_mark.line + 1,
                    )
                if not isinstance(key_node, yaml.ScalarNode):
                    raise fail(
                        self.file, "a key must be a plain value", line=key_node.start_mark.line + 1
                    )
                key = self.constructor.construct_object(key_node)
                if not isinstance(key, str | int | bool) or key is None:
                    key = str(key)
                if key in result:
                    raise fail(
                        self.file,
                        f"duplicate key '{key}'",
                        line=key_node.start_mark.line + 1,
                        column=key_node.start_mark.column + 1,
                        field=dotted((*loc, key)),
                    )
                result[key] = self.build(value_node, (*loc, key), depth + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*loc, i), depth + 1) for i, item in enumerate(node.value)]
        try:
            return self.constructor.construct_object(node)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            raise fail(
                self.file,
                f"value cannot be read: {exc}",
                line=node.start_mark.line + 1,
                column=node.start_mark.column + 1,
                field=dotted(loc),
            ) from None


def parse_text(text: str, file: str) -> LocatedDocument:
    """Parse YAML (or JSON, a subset) text into plain data with positions."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise fail(file, f"file larger than {MAX_BYTES} bytes")
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        raise fail(file, f"not valid YAML: {exc.problem}", line=line, column=column) from None
    except yaml.YAMLError as exc:
        raise fail(file, f"not valid YAML: {exc}") from None
    if node is None:
        return LocatedDocument(file, None)
    builder = _Builder(file)
    try:
        data = builder.build(node, (), 0)
    except VerordeningError:
        raise
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        raise fail(file, f"value cannot be read: {exc}") from None
    return LocatedDocument(file, data, builder.positions)


def read_document(path: str | Path) -> LocatedDocument:
    """Read a file (or stdin for '-') safely."""
    name = str(path)
    if name == "-":
        return parse_text(sys.stdin.read(MAX_BYTES + 1), "<stdin>")
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise fail(name, f"file larger than {MAX_BYTES} bytes")
        raw = p.read_bytes()
    except OSError as exc:
        raise fail(name, f"cannot read file: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(name, f"not UTF-8 text (byte {exc.start})") from None
    return parse_text(text, name)
