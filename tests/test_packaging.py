"""The rules and schemas travel with the package: wheel, editable install, any directory.

The wheel test does what an integrator does: build the wheel, install it into a fresh
virtual environment and decide a case from an empty directory, by CLI and by library.
It takes some seconds (pip builds the wheel in an isolated environment).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import verordening_engine
from verordening_engine.api import evaluate, load_regelset, versions
from verordening_engine.cli import main
from verordening_engine.errors import VerordeningError
from verordening_engine.regels.location import ENV, packaged_folder, resolve_regels

from .conftest import ROOT, SCENARIOS

CASE = SCENARIOS / "jeugd-01-ambulante-jeugdhulp-angst.yaml"
PACKAGE = Path(verordening_engine.__file__).resolve().parent


def test_every_python_package_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"
    ])  # fmt: skip
    on_disk = {
        ".".join(p.parent.relative_to(PACKAGE.parent).parts) for p in PACKAGE.rglob("__init__.py")
    }
    missing = on_disk - listed
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {sorted(missing)}"


def test_source_checkout_uses_its_own_folders() -> None:
    assert packaged_folder("regels") == ROOT / "regels"
    assert packaged_folder("schemas") == ROOT / "schemas"


def test_library_and_cli_use_packaged_regels_from_any_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    expected = evaluate(CASE, regels=ROOT / "regels")
    assert evaluate(CASE) == expected
    assert [v.meta.versie for v in versions()] == ["2025-01-01", "2026-04-01", "2027-01-01"]
    result = CliRunner().invoke(main, ["evaluate", "--format", "json", str(CASE)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == expected.model_dump(mode="json")
    check = CliRunner().invoke(main, ["schemas", "--check"])
    assert check.exit_code == 0, check.output


def test_regels_elsewhere_by_argument_option_and_environment(
    tmp_path: Path, regels_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_regelset(regels_copy).compiled.source.folder == regels_copy
    monkeypatch.setenv(ENV, str(regels_copy.parent.parent))
    monkeypatch.setenv("COLUMNS", "400")
    assert resolve_regels() == regels_copy.parent.parent
    result = CliRunner().invoke(main, ["versions"])
    assert result.exit_code == 0 and str(regels_copy) in result.output.replace("\n", "")
    explicit = CliRunner().invoke(main, ["--regels", str(ROOT / "regels"), "versions"])
    assert "2027-01-01" in explicit.output


@pytest.mark.parametrize("how", ["argument", "option", "environment"])
def test_missing_regels_folder_says_what_and_where_to_point(
    how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "eigen-regels"
    monkeypatch.delenv(ENV, raising=False)
    if how == "argument":
        with pytest.raises(VerordeningError) as caught:
            evaluate(CASE, regels=missing)
        message = str(caught.value)
    else:
        args = ["versions"] if how == "environment" else ["--regels", str(missing), "versions"]
        if how == "environment":
            monkeypatch.setenv(ENV, str(missing))
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2
        message = result.output
    assert str(missing) in message and "no such regels folder" in message
    assert "--regels" in message and ENV in message
    assert str(ROOT / "regels") in message  # the packaged regels one can fall back on
    assert ("unset" in message) == (how == "environment")


def _project_copy(target: Path) -> Path:
    """The files a source distribution holds, without build leftovers of the work tree."""
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    for name in ("src", "regels", "schemas", "build_backend"):
        shutil.copytree(ROOT / name, target / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).is_file():
            shutil.copy(ROOT / name, target / name)
    return target


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in (ENV, "PYTHONPATH")}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_wheel_installs_and_decides_from_an_empty_directory(tmp_path: Path) -> None:
    source = _project_copy(tmp_path / "project")
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", "dist", "."], source
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (source / "dist").glob("verordening_engine-*.whl")

    venv = tmp_path / "venv"
    assert (
        _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path).returncode == 0
    )
    python = venv / "bin" / "python"
    installed = _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--quiet",
         str(wheel)],
        tmp_path,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    # The dependencies come from this environment (no network, no compiler); the project
    # itself only from the wheel: a path in a .pth file does not run that folder's .pth files,
    # so the editable install of this work tree stays invisible.
    site = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path
    )
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site.stdout.strip(), "_dependencies.pth").write_text("\n".join(sorted(deps)) + "\n")

    empty = tmp_path / "empty"
    empty.mkdir()
    case = empty / "casus.json"
    case.write_text(json.dumps(yaml.safe_load(CASE.read_text("utf-8")), default=str), "utf-8")
    expected = evaluate(CASE).model_dump(mode="json")

    where = _run([str(python), "-c", "import verordening_engine as v; print(v.__file__)"], empty)
    assert where.stdout.strip().startswith(str(venv)), where.stdout + where.stderr

    cli = _run(
        [str(venv / "bin" / "verordening"), "evaluate", "--format", "json", "casus.json"], empty
    )
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout) == expected

    library = _run(
        [str(python), "-c",
         "import sys; from verordening_engine import evaluate; "
         "print(evaluate(sys.argv[1]).model_dump_json())", "casus.json"],
        empty,
    )  # fmt: skip
    assert library.returncode == 0, library.stderr
    assert json.loads(library.stdout) == expected

    check = _run([str(venv / "bin" / "verordening"), "schemas", "--check"], empty)
    assert check.returncode == 0, check.stderr
    missing = _run([str(venv / "bin" / "verordening"), "--regels", "nergens", "versions"], empty)
    assert missing.returncode == 2 and "no such regels folder" in missing.stderr
    assert "site-packages/verordening_engine/_data/regels" in missing.stderr
    assert "Traceback" not in missing.stderr
    assert list(empty.iterdir()) == [case]


def test_the_version_is_the_same_in_pyproject_the_package_and_the_changelog() -> None:
    """pyproject.toml states the version; `__version__` (what decisions record) and the
    newest released CHANGELOG section must say the same."""
    stated = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    assert verordening_engine.__version__ == stated
    changelog = (ROOT / "CHANGELOG.md").read_text("utf-8")
    released = [line for line in changelog.splitlines() if line.startswith("## [")]
    assert released[1].startswith(f"## [{stated}]"), released[:2]
