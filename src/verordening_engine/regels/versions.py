"""Find the versions of a verordening, check their timeline and pick one by peildatum."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem, VerordeningError
from ..reading.yaml_loading import read_document
from .loading import META_FILE, discover, validate_document
from .model import RegelsetMeta, Status


@dataclass(frozen=True)
class VersionInfo:
    folder: Path
    meta: RegelsetMeta

    def covers(self, day: dt.date) -> bool:
        end = self.meta.geldig_tot
        return self.meta.geldig_vanaf <= day and (end is None or day < end)


def list_versions(root: str | Path) -> list[VersionInfo]:
    """All versions under `root`, checked as a timeline; raise with every problem."""
    problems: list[Problem] = []
    infos: list[VersionInfo] = []
    for folder in discover(root):
        try:
            meta = validate_document(read_document(folder / META_FILE), RegelsetMeta)
        except VerordeningError as exc:
            problems.extend(exc.problems)
            continue
        infos.append(VersionInfo(folder, meta))
    problems.extend(timeline_problems(infos))
    if problems:
        raise VerordeningError(problems)
    return sorted(infos, key=lambda v: (v.meta.id, v.meta.geldig_vanaf, v.meta.versie))


def timeline_problems(infos: list[VersionInfo]) -> list[Problem]:
    problems = []
    seen: dict[tuple[str, str], VersionInfo] = {}
    for info in infos:
        key = (info.meta.id, info.meta.versie)
        where = str(info.folder / META_FILE)
        if key in seen:
            problems.append(
                Problem(
                    where,
                    None,
                    None,
                    "versie",
                    f"version {info.meta.versie} also in {seen[key].folder}",
                )
            )
        seen[key] = info
    for info in infos:
        prev = info.meta.vorige_versie
        if prev is not None and (info.meta.id, prev) not in seen:
            problems.append(
                Problem(
                    str(info.folder / META_FILE),
                    None,
                    None,
                    "vorige_versie",
                    f"previous version '{prev}' does not exist",
                )
            )
    fixed = sorted(
        (i for i in infos if i.meta.status == Status.vastgesteld),
        key=lambda i: (i.meta.id, i.meta.geldig_vanaf),
    )
    for a, b in itertools.pairwise(fixed):
        if a.meta.id != b.meta.id:
            continue
        if a.meta.geldig_tot is None or a.meta.geldig_tot > b.meta.geldig_vanaf:
            problems.append(
                Problem(
                    str(a.folder / META_FILE),
                    None,
                    None,
                    "geldig_tot",
                    f"vastgesteld versions {a.meta.versie} and {b.meta.versie} "
                    "overlap: set geldig_tot of the earlier one",
                )
            )
    return problems


def select_version(
    infos: list[VersionInfo], peildatum: dt.date, versie: str | None = None
) -> VersionInfo:
    """The version asked for, or the vastgesteld version in force on `peildatum`."""
    if versie is not None:
        for info in infos:
            if info.meta.versie == versie:
                return info
        known = ", ".join(i.meta.versie for i in infos)
        raise VerordeningError(
            [Problem("--versie", None, None, "versie", f"no version '{versie}' (known: {known})")]
        )
    for info in infos:
        if info.meta.status == Status.vastgesteld and info.covers(peildatum):
            return info
    spans = "; ".join(
        f"{i.meta.versie}: {i.meta.geldig_vanaf} tot {i.meta.geldig_tot or 'heden'}"
        for i in infos
        if i.meta.status == Status.vastgesteld
    )
    raise VerordeningError(
        [
            Problem(
                "peildatum",
                None,
                None,
                "peildatum",
                f"no vastgesteld version is in force on "
                f"{peildatum.isoformat()} ({spans or 'none'})",
            )
        ]
    )
