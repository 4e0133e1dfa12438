"""The yaml-language-server modeline of case files: the case schema of the case's version.

A case is judged under its `versie` (scenarios) or under the vastgesteld version in force on
its peildatum; its first line should name that version's schema so the editor completes the
facts of that version. `verordening schemas --modelines DIR` rewrites them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..api import read_case, versions
from ..regels.versions import select_version
from ..schemas import case_schema_name

MODELINE = re.compile(r"^#\s*yaml-language-server:\s*\$schema=(?P<target>\S+)\s*$")


@dataclass(frozen=True)
class Modeline:
    file: Path
    current: str | None
    expected: str

    @property
    def ok(self) -> bool:
        return self.current == self.expected


def case_files(folder: str | Path) -> list[Path]:
    folder = Path(folder)
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])


def expected_modeline(file: Path, regels: str | Path, schemas: Path) -> str:
    casus, _ = read_case(file)
    info = select_version(versions(regels), casus.peildatum, casus.versie)
    target = Path(os.path.relpath(schemas, file.parent)) / case_schema_name(info.meta.versie)
    return f"# yaml-language-server: $schema={target.as_posix()}"


def current_modeline(file: Path) -> str | None:
    with file.open(encoding="utf-8") as handle:
        first = handle.readline().rstrip("\n")
    return first if MODELINE.match(first) else None


def check(folder: str | Path, regels: str | Path, schemas: Path) -> list[Modeline]:
    """Each case file in `folder` with its modeline and the one it should have."""
    return [
        Modeline(f, current_modeline(f), expected_modeline(f, regels, schemas))
        for f in case_files(folder)
    ]


def rewrite(folder: str | Path, regels: str | Path, schemas: Path) -> list[Path]:
    """Put the expected modeline on the first line of every case file; the changed files."""
    changed = []
    for line in check(folder, regels, schemas):
        if line.ok:
            continue
        text = line.file.read_text("utf-8")
        if line.current is not None:
            text = text.split("\n", 1)[1] if "\n" in text else ""
        line.file.write_text(line.expected + "\n" + text, encoding="utf-8")
        changed.append(line.file)
    return changed
