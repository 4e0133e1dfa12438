"""Drafts that state only what changes against a base version, like a wijzigingsverordening.

A draft folder holds a `regelset.yaml` with `basis:` (a version name, or a path to the base
folder) and only what it changes: its own metadata (versie, status, dates, ...) and, per
file name of the base, the entries it replaces or adds: articles by `nummer`, parameters and
facts by name, voorzieningen by `id`, invariants by `id`. Files the draft does not give are
the base's. The merged documents are then read exactly like a complete version, so `diff`,
`regress`, `check` and the scenarios work on a draft as on any version.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

from ..errors import Problem, VerordeningError
from ..reading.yaml_loading import Loc, LocatedDocument, read_document
from .location import resolve_regels

META_FILE = "regelset.yaml"
MAX_CHAIN = 8
# where a basis given by version name is looked for, besides the draft's own surroundings
SEARCH_ROOTS: list[Path] = []
# per kind of file: the list (or mapping) that holds its entries and the key of an entry
_ENTRIES: dict[str, tuple[str, ...]] = {
    "hoofdstukken": ("artikelen", "nummer"),
    "voorzieningen": ("voorzieningen", "id"),
    "invarianten": ("invarianten", "id"),
    "parameters": ("parameters",),
    "begrippen": ("invoer", "afgeleid"),
}


def is_draft(meta_doc: LocatedDocument) -> bool:
    return isinstance(meta_doc.data, dict) and meta_doc.data.get("basis") is not None


def _version_folders(root: Path) -> list[Path]:
    if (root / META_FILE).is_file():
        return [root]
    if not root.is_dir():
        return []
    return sorted(p.parent for p in root.rglob(META_FILE))


def resolve_basis(folder: Path, meta_doc: LocatedDocument) -> Path:
    """The base folder of a draft: a path (relative to the draft) or a version name."""
    basis = str(meta_doc.data["basis"])
    # normalised (no `..`), so that problems name the base's files as a reader finds them
    as_path = Path(os.path.normpath(Path(basis) if Path(basis).is_absolute() else folder / basis))
    if (as_path / META_FILE).is_file():
        return as_path
    roots = [*SEARCH_ROOTS, resolve_regels(None)]
    roots += [folder.parent, folder.parent.parent]
    for root in roots:
        for candidate in _version_folders(root):
            if candidate.resolve() == folder.resolve():
                continue
            data = read_document(candidate / META_FILE).data
            if isinstance(data, dict) and str(data.get("versie")) == basis:
                return candidate
    raise VerordeningError(
        [meta_doc.problem(("basis",), f"base version '{basis}' not found (a version or a folder)")]
    )


def merged_documents(
    folder: Path, meta_doc: LocatedDocument, depth: int = 0
) -> tuple[LocatedDocument, dict[str, LocatedDocument]]:
    """The draft's metadata and every file of the version it makes, merged over its base."""
    if depth > MAX_CHAIN:
        raise VerordeningError(
            [meta_doc.problem(("basis",), "drafts based on each other in a loop")]
        )
    base_folder = resolve_basis(folder, meta_doc)
    base_meta = read_document(base_folder / META_FILE)
    if is_draft(base_meta):
        base_meta, base_docs = merged_documents(base_folder, base_meta, depth + 1)
    else:
        base_docs = {}
    draft = meta_doc.data
    if not isinstance(base_meta.data, dict):
        raise VerordeningError(
            [base_meta.problem((), "expected a mapping of keys at the top level")]
        )
    merged_meta: dict[str, Any] = {
        k: v for k, v in base_meta.data.items() if k not in ("basis", "bestanden")
    }
    merged_meta["vorige_versie"] = base_meta.data.get("versie")
    merged_meta.update({k: v for k, v in draft.items() if k != "bestanden"})
    files: dict[str, list[str]] = {
        k: list(v) for k, v in (base_meta.data.get("bestanden") or {}).items()
    }
    for kind, names in (draft.get("bestanden") or {}).items():
        if isinstance(names, list):
            files.setdefault(kind, [])
            files[kind] += [n for n in names if n not in files[kind]]
    merged_meta["bestanden"] = files
    meta = LocatedDocument(meta_doc.file, merged_meta, dict(meta_doc.positions))
    problems: list[Problem] = []
    docs: dict[str, LocatedDocument] = {}
    for kind, names in files.items():
        for name in names:
            if not isinstance(name, str) or "/" in name or name.startswith("."):
                continue  # reported when the merged metadata is checked
            base = base_docs.get(name)
            if base is None and (base_folder / name).is_file():
                base = read_document(base_folder / name)
            own = folder / name
            try:
                mine = read_document(own) if own.is_file() else None
            except VerordeningError as exc:
                problems.extend(exc.problems)
                continue
            if mine is None and base is None:
                problems.append(
                    meta.problem(
                        ("bestanden", kind), f"'{name}' is in neither the draft nor its base"
                    )
                )
            elif mine is None:
                docs[name] = base  # type: ignore[assignment]
            elif base is None:
                docs[name] = mine
            else:
                docs[name] = _merge(kind, base, mine)
    if problems:
        raise VerordeningError(problems)
    return meta, docs


def _merge(kind: str, base: LocatedDocument, mine: LocatedDocument) -> LocatedDocument:
    """The base document with the draft's entries replacing or added. Every located path
    keeps the file and position it was read from, so a problem in a base entry is reported
    at the base's file and one in what the draft states at the draft's."""
    if not isinstance(base.data, dict) or not isinstance(mine.data, dict):
        return mine
    data = copy.deepcopy(base.data)
    located = _Located(base)
    spec = _ENTRIES.get(kind, ())
    for key, value in mine.data.items():
        if (kind == "hoofdstukken" and key == "artikelen") or key in (
            "voorzieningen",
            "invarianten",
        ):
            id_key = "nummer" if key == "artikelen" else "id"
            entries = list(data.get(key) or [])
            index = {e.get(id_key): i for i, e in enumerate(entries) if isinstance(e, dict)}
            located.header(mine, (key,))
            for j, entry in enumerate(value if isinstance(value, list) else []):
                ident = entry.get(id_key) if isinstance(entry, dict) else None
                if ident in index:
                    target = index[ident]
                    entries[target] = entry
                else:
                    target = len(entries)
                    entries.append(entry)
                    index[ident] = target
                located.take(mine, (key, j), (key, target))
            data[key] = entries
        elif key in spec and isinstance(value, dict):
            section = dict(data.get(key) or {})
            located.header(mine, (key,))
            if key == "invoer":
                for space, facts in value.items():
                    merged = dict(section.get(space) or {})
                    merged.update(facts or {})
                    section[space] = merged
                    located.header(mine, (key, space))
                    for fact in facts or {}:
                        located.take(mine, (key, space, fact), (key, space, fact))
            else:
                section.update(value)
                for name in value:
                    located.take(mine, (key, name), (key, name))
            data[key] = section
        else:
            data[key] = value
            located.take(mine, (key,), (key,))
    return LocatedDocument(mine.file, data, located.positions, located.origins)


class _Located:
    """Positions and files of a merged document: the base's, replaced path by path."""

    def __init__(self, base: LocatedDocument) -> None:
        self.positions: dict[Loc, tuple[int, int]] = dict(base.positions)
        self.origins: dict[Loc, str] = {loc: base.file_at(loc) for loc in base.positions}

    def header(self, mine: LocatedDocument, loc: Loc) -> None:
        """A section the base lacks is located where the draft states it."""
        if loc not in self.positions and loc in mine.positions:
            self.positions[loc] = mine.positions[loc]
            self.origins[loc] = mine.file_at(loc)

    def take(self, mine: LocatedDocument, prefix: Loc, new_prefix: Loc) -> None:
        """The draft's entry at `prefix` replaces whatever the base had at `new_prefix`."""
        n = len(new_prefix)
        for loc in [loc for loc in self.positions if loc[:n] == new_prefix]:
            del self.positions[loc]
            self.origins.pop(loc, None)
        m = len(prefix)
        for loc, pos in mine.positions.items():
            if loc[:m] == prefix:
                moved = (*new_prefix, *loc[m:])
                self.positions[moved] = pos
                self.origins[moved] = mine.file_at(loc)
