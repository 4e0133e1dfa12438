"""Read the files of one regelset version and validate each against its pydantic model.

Every problem is collected with its file, line and field, so `validate` shows them all at once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import Problem, VerordeningError
from ..reading.yaml_loading import LocatedDocument, read_document
from .model import (
    Begrippen,
    Hoofdstuk,
    Invarianten,
    Parameters,
    RegelsetMeta,
    Voorzieningen,
)

META_FILE = "regelset.yaml"
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class RegelsetSource:
    """The validated files of one version, with their parsed documents for positions."""

    folder: Path
    meta: RegelsetMeta
    begrippen: tuple[tuple[str, Begrippen], ...]
    parameters: tuple[tuple[str, Parameters], ...]
    voorzieningen: tuple[tuple[str, Voorzieningen], ...]
    hoofdstukken: tuple[Hoofdstuk, ...]
    invarianten: tuple[tuple[str, Invarianten], ...]
    documents: dict[str, LocatedDocument]
    sha256: str

    def doc(self, key: str) -> LocatedDocument:
        return self.documents[key]


def pydantic_problems(doc: LocatedDocument, exc: ValidationError) -> list[Problem]:
    """Turn pydantic errors into located problems with plain messages."""
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key (not part of this file's format)"
        elif error["type"] == "missing":
            message = "required field is missing"
        value = error.get("input")
        if error["type"] not in ("missing", "extra_forbidden") and _short(value):
            message += f" (got {value!r})"
        problems.append(doc.problem(loc, message))
    return problems


def _short(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) and len(repr(value)) < 60


def validate_document(doc: LocatedDocument, model: type[M]) -> M:
    if not isinstance(doc.data, dict):
        raise VerordeningError([doc.problem((), "expected a mapping of keys at the top level")])
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise VerordeningError(pydantic_problems(doc, exc)) from None


def load_source(folder: str | Path) -> RegelsetSource:
    """Read and shape-check all files of a regelset folder; raise with every problem found."""
    folder = Path(folder)
    meta_doc = read_document(folder / META_FILE)
    meta = validate_document(meta_doc, RegelsetMeta)
    documents = {META_FILE: meta_doc}
    problems: list[Problem] = []
    b = meta.bestanden
    plan: list[tuple[str, type[BaseModel]]] = [
        *((n, Begrippen) for n in b.begrippen),
        *((n, Parameters) for n in b.parameters),
        *((n, Voorzieningen) for n in b.voorzieningen),
        *((n, Hoofdstuk) for n in b.hoofdstukken),
        *((n, Invarianten) for n in b.invarianten),
    ]
    names = [n for n, _ in plan]
    models: dict[str, BaseModel] = {}
    for name, kind in plan:
        if "/" in name or "\\" in name or name.startswith("."):
            problems.append(
                meta_doc.problem(
                    ("bestanden",), f"'{name}' must be a file name inside the regelset folder"
                )
            )
            continue
        if name in documents:
            problems.append(meta_doc.problem(("bestanden",), f"'{name}' is listed twice"))
            continue
        try:
            doc = read_document(folder / name)
            documents[name] = doc
            models[name] = validate_document(doc, kind)
        except VerordeningError as exc:
            problems.extend(exc.problems)
    listed = set(names) | {META_FILE}
    for extra in sorted(p.name for p in folder.glob("*.y*ml")):
        if extra not in listed:
            problems.append(
                Problem(
                    str(folder / extra),
                    None,
                    None,
                    "",
                    f"file is not listed in {META_FILE} (bestanden)",
                )
            )
    if problems:
        raise VerordeningError(problems)
    digest = hashlib.sha256()
    for name in sorted(listed):
        digest.update(name.encode() + b"\0" + (folder / name).read_bytes() + b"\0")
    return RegelsetSource(
        folder=folder,
        meta=meta,
        begrippen=tuple((n, models[n]) for n in b.begrippen),  # type: ignore[misc]
        parameters=tuple((n, models[n]) for n in b.parameters),  # type: ignore[misc]
        voorzieningen=tuple((n, models[n]) for n in b.voorzieningen),  # type: ignore[misc]
        hoofdstukken=tuple(models[n] for n in b.hoofdstukken),  # type: ignore[misc]
        invarianten=tuple((n, models[n]) for n in b.invarianten),  # type: ignore[misc]
        documents=documents,
        sha256=digest.hexdigest(),
    )


def discover(path: str | Path) -> list[Path]:
    """All regelset folders at or below `path` (a folder holding a regelset.yaml)."""
    root = Path(path)
    if (root / META_FILE).is_file():
        return [root]
    if not root.is_dir():
        raise VerordeningError([Problem(str(root), None, None, "", "no such regelset folder")])
    return sorted(p.parent for p in root.rglob(META_FILE))
