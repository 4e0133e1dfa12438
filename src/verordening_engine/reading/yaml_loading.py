"""Safe YAML/JSON reading that keeps the line and column of every value.

Files are read the way YAML 1.2 editors read them (the core schema, as yaml-language-server
does): `0135` is 135, `1:35` and `2026-05-20` are text, `yes` is text, and only the core tags
(str, int, float, bool, null, map, seq) are accepted. libyaml parses; a resolver of our own
gives the core-schema tags, and we build the values ourselves so that each path maps to its
position, every problem in a file is reported in one run (duplicate keys, unknown tags,
unreadable values), and size, depth and alias expansion are bounded. Whole numbers must be
plain decimal digits (no 0x/0o, no 5,000-digit numbers); reads stop at a byte limit, whatever
the file is (a FIFO, /dev/zero).
"""

from __future__ import annotations

import json
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import yaml
from yaml.resolver import BaseResolver

from ..errors import Problem, VerordeningError, fail

MAX_BYTES = 2_000_000
MAX_DEPTH = 40
MAX_NODES = 200_000
MAX_DIGITS = 30  # longer whole numbers are refused, never converted

Loc = tuple[int | str, ...]

_CORE = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (_CORE + t for t in ("str", "int", "float", "bool", "null"))
MAP, SEQ = _CORE + "map", _CORE + "seq"
_SCALAR_TAGS = {STR, INT, FLOAT, BOOL, NULL}

_DECIMAL = re.compile(r"[-+]?[0-9]+", re.ASCII)
_OTHER_INT = re.compile(r"0o[0-7]+|0x[0-9a-fA-F]+", re.ASCII)
_FLOAT = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
    re.ASCII,
)
_NULL = re.compile(r"null|Null|NULL|~|")
_BOOL = re.compile(r"true|True|TRUE|false|False|FALSE")


class CoreResolver(BaseResolver):
    """The YAML 1.2 core schema's implicit tags for plain scalars (no 1.1 octal, sexagesimal,
    yes/no, timestamps or merge keys)."""


def _whole(pattern: str) -> re.Pattern[str]:
    # PyYAML resolvers use re.match: anchor both ends
    return re.compile(rf"(?:{pattern})\Z", re.ASCII)


CoreResolver.add_implicit_resolver(BOOL, _whole(_BOOL.pattern), list("tTfF"))
CoreResolver.add_implicit_resolver(
    INT, _whole(_DECIMAL.pattern + "|" + _OTHER_INT.pattern), list("-+0123456789")
)
CoreResolver.add_implicit_resolver(FLOAT, _whole(_FLOAT.pattern), list("-+.0123456789"))
CoreResolver.add_implicit_resolver(NULL, _whole(_NULL.pattern), ["n", "N", "~", ""])


def _make_loader() -> Any:
    """libyaml's parser with the core-schema resolver (PyYAML's own parser without libyaml)."""
    if yaml.__with_libyaml__:
        from yaml.cyaml import CParser  # type: ignore[attr-defined]

        class CoreLoader(CParser, CoreResolver):
            def __init__(self, stream: str) -> None:
                CParser.__init__(self, stream)
                CoreResolver.__init__(self)

        return CoreLoader

    class PureCoreLoader(  # pragma: no cover - only where PyYAML lacks libyaml
        yaml.reader.Reader,
        yaml.scanner.Scanner,
        yaml.parser.Parser,
        yaml.composer.Composer,
        CoreResolver,
    ):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            CoreResolver.__init__(self)

    return PureCoreLoader


_LOADER: Any = _make_loader()


@dataclass
class LocatedDocument:
    """A parsed document with the (line, column) of each path, both 1-based."""

    file: str
    data: Any
    positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    # where a document is merged from several files (a draft over its base): the file of
    # each located path that is not `file`
    origins: dict[Loc, str] = field(default_factory=dict)

    def _nearest(self, loc: Loc) -> Loc | None:
        path = tuple(loc)
        while True:
            if path in self.positions:
                return path
            if not path:
                return None
            path = path[:-1]

    def position(self, loc: Loc) -> tuple[int | None, int | None]:
        """The position of `loc`, or of its nearest ancestor that has one."""
        found = self._nearest(loc)
        return (None, None) if found is None else self.positions[found]

    def file_at(self, loc: Loc) -> str:
        """The file `loc` (or its nearest located ancestor) was read from."""
        found = self._nearest(loc)
        return self.file if found is None else self.origins.get(found, self.file)

    def problem(self, loc: Loc, message: str) -> Problem:
        line, column = self.position(loc)
        return Problem(self.file_at(loc), line, column, dotted(loc), message)


def dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class _Invalid:
    """Stands in for a value that could not be read, so reading goes on to find more."""

    def __repr__(self) -> str:
        return "<onleesbaar>"


INVALID: Any = _Invalid()


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


def scalar_value(tag: str, text: str) -> Any:
    """The value of a scalar with a core tag; ValueError with a plain reason otherwise."""
    if tag == STR:
        return text
    if tag == NULL:
        if not _NULL.fullmatch(text):
            raise ValueError(f"'{text}' is not null")
        return None
    if tag == BOOL:
        if not _BOOL.fullmatch(text):
            raise ValueError(f"'{text}' is not true or false")
        return text.lower() == "true"
    if tag == INT:
        if _OTHER_INT.fullmatch(text):
            raise ValueError(f"write whole numbers as plain decimal digits, not '{text}'")
        if not _DECIMAL.fullmatch(text):
            raise ValueError(f"'{text}' is not a whole number")
        if len(text.lstrip("+-")) > MAX_DIGITS:
            raise ValueError(f"number with more than {MAX_DIGITS} digits")
        return int(text)
    if tag == FLOAT:
        if not _FLOAT.fullmatch(text):
            raise ValueError(f"'{text}' is not a number")
        if len(text) > 2 * MAX_DIGITS:
            raise ValueError(f"number longer than {2 * MAX_DIGITS} characters")
        lowered = text.lower()
        if lowered.endswith("nan"):
            return math.nan
        if lowered.endswith("inf"):
            return -math.inf if text.startswith("-") else math.inf
        return float(text)
    raise ValueError(f"tag '{_tag_name(tag)}' is not allowed (only plain values, lists and maps)")


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.positions: dict[Loc, tuple[int, int]] = {}
        self.nodes = 0
        self.problems: list[Problem] = []

    def add(self, node: yaml.Node, loc: Loc, message: str) -> None:
        mark = node.start_mark
        self.problems.append(
            Problem(self.file, mark.line + 1, mark.column + 1, dotted(loc), message)
        )

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
            if node.tag != MAP:
                self.add(node, loc, f"tag '{_tag_name(node.tag)}' is not allowed on a mapping")
                return INVALID
            return self.mapping(node, loc, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != SEQ:
                self.add(node, loc, f"tag '{_tag_name(node.tag)}' is not allowed on a list")
                return INVALID
            return [self.build(item, (*loc, i), depth + 1) for i, item in enumerate(node.value)]
        tag = STR if node.tag == "!" else node.tag
        try:
            return scalar_value(tag, node.value)
        except ValueError as exc:
            self.add(node, loc, f"value cannot be read: {exc}")
            return INVALID

    def mapping(self, node: yaml.MappingNode, loc: Loc, depth: int) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.add(key_node, loc, "a key must be a plain value")
                continue
            if key_node.value == "<<" and key_node.style is None:
                self.add(key_node, loc, "merge keys (<<) are not supported")
                continue
            try:
                key = scalar_value(STR if key_node.tag == "!" else key_node.tag, key_node.value)
            except ValueError as exc:
                self.add(key_node, loc, f"key cannot be read: {exc}")
                continue
            if not isinstance(key, str | int | bool) or key is None:
                key = str(key)
            if key in result:
                self.add(key_node, (*loc, key), f"duplicate key '{key}'")
                continue
            result[key] = self.build(value_node, (*loc, key), depth + 1)
        return result


def _check_text(text: str, file: str) -> None:
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise fail(file, f"file larger than {MAX_BYTES} bytes")


def parse_text(text: str, file: str) -> LocatedDocument:
    """Parse YAML (or JSON, a subset) text into plain data with positions; all problems."""
    _check_text(text, file)
    try:
        loader = _LOADER(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        raise fail(file, f"not valid YAML: {exc.problem}", line=line, column=column) from None
    except yaml.YAMLError as exc:
        raise fail(file, f"not valid YAML: {exc}") from None
    except RecursionError:
        raise fail(file, f"nesting deeper than {MAX_DEPTH} levels") from None
    if node is None:
        return LocatedDocument(file, None)
    builder = _Builder(file)
    data = builder.build(node, (), 0)
    if builder.problems:
        raise VerordeningError(builder.problems)
    return LocatedDocument(file, data, builder.positions)


def _walk_json(value: Any, depth: int, loc: Loc, file: str) -> None:
    """Depth and text checks for parsed JSON (lone surrogates cannot be written back)."""
    if depth > MAX_DEPTH:
        raise fail(file, f"nesting deeper than {MAX_DEPTH} levels", field=dotted(loc))
    if isinstance(value, dict):
        for key, item in value.items():
            _walk_json(key, depth + 1, loc, file)
            _walk_json(item, depth + 1, (*loc, key), file)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk_json(item, depth + 1, (*loc, i), file)
    elif isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise fail(
                file, "text with a lone surrogate (\\ud800-\\udfff)", field=dotted(loc)
            ) from None


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise ValueError(f"number with more than {MAX_DIGITS} digits")
    return int(text)


def _json_float(text: str) -> float:
    if len(text) > 2 * MAX_DIGITS:
        raise ValueError(f"number longer than {2 * MAX_DIGITS} characters")
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number out of range: {text}")
    return value


def _json_constant(text: str) -> Any:
    raise ValueError(f"{text} is not a JSON value")


def parse_json(text: str, file: str) -> LocatedDocument:
    """One JSON document (a JSON Lines line), strictly: bounded numbers, depth and size."""
    _check_text(text, file)
    try:
        data = json.loads(
            text, parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant
        )
    except json.JSONDecodeError as exc:
        raise fail(file, f"not valid JSON: {exc.msg}", column=exc.colno) from None
    except (ValueError, RecursionError) as exc:
        message = str(exc) if isinstance(exc, ValueError) else f"nesting deeper than {MAX_DEPTH}"
        raise fail(file, f"not valid JSON: {message}") from None
    _walk_json(data, 0, (), file)
    return LocatedDocument(file, data)


def read_limited(handle: IO[bytes], name: str) -> bytes:
    """At most MAX_BYTES from an open binary stream; refuse more (counted, not stat()ed)."""
    data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise fail(name, f"file larger than {MAX_BYTES} bytes")
    return data


_UTF16 = (b"\xff\xfe", b"\xfe\xff")


def decode_utf8(raw: bytes, name: str) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        hint = " (it looks like UTF-16: save it as UTF-8)" if raw[:2] in _UTF16 else ""
        raise fail(name, f"not UTF-8 text (byte {exc.start}){hint}") from None
    if "\x00" in text:
        raise fail(name, "not a text file (contains NUL bytes)")
    return text


def read_bytes(path: str | Path) -> bytes:
    """A file's bytes ('-' is stdin), bounded by bytes read; located errors, no traceback."""
    name = str(path)
    if name == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if sys.stdin is None or stream is None:
            raise fail("<stdin>", "no standard input")
        try:
            return read_limited(stream, "<stdin>")
        except (OSError, ValueError) as exc:
            raise fail("<stdin>", f"cannot read standard input: {exc}") from None
    try:
        with open(name, "rb") as handle:
            return read_limited(handle, name)
    except OSError as exc:
        raise fail(name, f"cannot read file: {exc.strerror or exc}") from None


def read_document(path: str | Path) -> LocatedDocument:
    """Read a file (or stdin for '-') safely."""
    name = "<stdin>" if str(path) == "-" else str(path)
    return parse_text(decode_utf8(read_bytes(path), name), name)
