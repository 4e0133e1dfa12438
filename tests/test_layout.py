"""The package is laid out by stage, and imports only point down the pipeline.

load -> validate -> compile -> evaluate -> explain, then the public surface, the tools built
on it, and the command line. A module may import from its own stage or an earlier one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import verordening_engine

PACKAGE = Path(verordening_engine.__file__).resolve().parent

# Earlier stages first. A top-level module is its own entry; a subpackage is one stage.
STAGES: list[tuple[str, ...]] = [
    ("errors",),
    ("reading",),
    ("language",),
    ("regels",),
    ("casus",),
    ("engine",),
    ("besluit",),
    ("api", "batch", "schemas"),
    ("versies", "scenarios"),
    ("cli", "serve", "__main__"),
]
STAGE_OF = {name: index for index, names in enumerate(STAGES) for name in names}
MAX_LINES = 500


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _stage_name(path: Path) -> str | None:
    """The stage a module belongs to: its subpackage, or its own name at the top."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if parts == ("__init__",):
        return None  # the package's lazy front door re-exports the public surface
    return parts[0]


def _imported_stages(path: Path) -> list[tuple[int, str]]:
    """(line, stage) for every import of a module of this package."""
    tree = ast.parse(path.read_text("utf-8"))
    package_parts = path.relative_to(PACKAGE).parent.parts
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - (node.level - 1)]
                target = (*base, *(node.module.split(".") if node.module else ()))
                if not target:  # `from . import x` at the top: x is the stage
                    found += [(node.lineno, alias.name) for alias in node.names]
                    continue
                found.append((node.lineno, target[0]))
            elif node.module and node.module.startswith("verordening_engine."):
                found.append((node.lineno, node.module.split(".")[1]))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("verordening_engine."):
                    found.append((node.lineno, alias.name.split(".")[1]))
    return found


def test_every_module_belongs_to_a_known_stage() -> None:
    unknown = {
        str(p.relative_to(PACKAGE))
        for p in _modules()
        if (name := _stage_name(p)) is not None and name not in STAGE_OF
    }
    assert not unknown, f"modules outside the declared stages: {sorted(unknown)}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down_the_pipeline(path: Path) -> None:
    own = _stage_name(path)
    if own is None:
        return
    wrong = [
        f"line {line}: {own} imports {stage}"
        for line, stage in _imported_stages(path)
        if stage in STAGE_OF and STAGE_OF[stage] > STAGE_OF[own]
    ]
    assert not wrong, f"{path.relative_to(PACKAGE)} imports a later stage: {wrong}"


def test_the_check_sees_a_backward_import(tmp_path: Path) -> None:
    """The import scan finds relative and absolute imports of a later stage."""
    module = PACKAGE / "engine" / "evaluation.py"
    stages = {stage for _, stage in _imported_stages(module)}
    assert {"casus", "regels"} <= stages
    cli = PACKAGE / "cli" / "cases.py"
    assert "api" in {stage for _, stage in _imported_stages(cli)}


def test_modules_stay_small_or_say_why() -> None:
    long = []
    for path in _modules():
        lines = path.read_text("utf-8").count("\n")
        if lines <= MAX_LINES:
            continue
        doc = ast.get_docstring(ast.parse(path.read_text("utf-8"))) or ""
        if "longer than" not in doc:
            long.append(f"{path.relative_to(PACKAGE)} ({lines} lines)")
    assert not long, f"split these, or say in the docstring why it is longer than {MAX_LINES}"


def test_public_names_are_exactly_the_documented_ones() -> None:
    public = set(verordening_engine.__all__)
    assert set(dir(verordening_engine)) == public
    for name in public:
        assert getattr(verordening_engine, name) is not None
    with pytest.raises(AttributeError):
        _ = verordening_engine.compile_regelset  # type: ignore[attr-defined]
