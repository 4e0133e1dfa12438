"""Shared fixtures: the repository's regelsets and scenarios, and a copy to break."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# compiled regelsets are cached on disk (regels/compiled_cache.py): the tests use a cache
# directory of their own, never the user's; subprocesses inherit it
if "VERORDENING_CACHE_DIR" not in os.environ:
    _CACHE = tempfile.mkdtemp(prefix="verordening-test-cache-")
    os.environ["VERORDENING_CACHE_DIR"] = _CACHE
    atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)

from verordening_engine.api import Regelset, load_regelset_folder

ROOT = Path(__file__).resolve().parent.parent
REGELS = ROOT / "regels"
VERSIE_2026 = REGELS / "dordrecht" / "2026-04-01"
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="session")
def regelset() -> Regelset:
    return load_regelset_folder(VERSIE_2026)


@pytest.fixture
def regels_copy(tmp_path: Path) -> Path:
    """A private copy of the 2026 version, to edit in a test."""
    target = tmp_path / "regels" / "dordrecht" / "2026-04-01"
    shutil.copytree(VERSIE_2026, target)
    meta = target / "regelset.yaml"
    meta.write_text(
        meta.read_text("utf-8").replace('vorige_versie: "2025-01-01"', "vorige_versie: null"),
        "utf-8",
    )
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"fixture text not found: {old!r}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


def draft_over_copy(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of 2026-04-01 (`basis/`) and an empty draft on it (`concept/`, `basis:` given
    as a relative path): for tests that edit a base under a draft."""
    base = tmp_path / "basis"
    shutil.copytree(REGELS / "dordrecht" / "2026-04-01", base)
    draft = tmp_path / "concept"
    draft.mkdir()
    (draft / "regelset.yaml").write_text(
        'basis: "../basis"\nversie: "2026-concept"\nstatus: concept\n', "utf-8"
    )
    return base, draft
