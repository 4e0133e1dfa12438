"""Reading YAML and JSON safely: located syntax errors, duplicate keys, bounded aliases."""

from __future__ import annotations

from pathlib import Path

import pytest

from verordening_engine.api import load_regelset_folder
from verordening_engine.errors import VerordeningError

from .conftest import edit, line_of


def validate(folder: Path) -> VerordeningError:
    with pytest.raises(VerordeningError) as info:
        load_regelset_folder(folder)
    return info.value


def test_malformed_yaml_is_located(regels_copy: Path) -> None:
    (regels_copy / "voorzieningen.yaml").write_text("voorzieningen:\n  - id: [unclosed\n", "utf-8")
    [problem] = validate(regels_copy).problems
    assert problem.file.endswith("voorzieningen.yaml")
    assert problem.line is not None
    assert "not valid YAML" in problem.message


def test_duplicate_key_is_an_error(regels_copy: Path) -> None:
    meta = regels_copy / "regelset.yaml"
    edit(meta, "status: vastgesteld", "status: vastgesteld\nstatus: concept")
    [problem] = validate(regels_copy).problems
    assert "duplicate key 'status'" in problem.message
    assert problem.line == line_of(meta, "status: concept")


def test_alias_bomb_is_stopped(regels_copy: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 8):
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 10) + "]\n"
    (regels_copy / "begrippen.yaml").write_text(bomb, "utf-8")
    messages = [p.message for p in validate(regels_copy).problems]
    assert any("alias expansion" in m for m in messages)
