"""The project's build backend: plain setuptools on 3.11/3.12; on 3.13+ durable-rules built
from its sdist so that it imports (the CI runs the whole suite on 3.11 and 3.13)."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

from .conftest import ROOT


def _backend() -> ModuleType:
    pytest.importorskip("setuptools")  # only inside a build environment on 3.12+
    path = ROOT / "build_backend" / "verordening_build.py"
    spec = importlib.util.spec_from_file_location("verordening_build", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pyproject_declares_the_backend_and_python_3_13() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert config["build-system"]["build-backend"] == "verordening_build"
    assert config["build-system"]["backend-path"] == ["build_backend"]
    assert config["project"]["requires-python"] == ">=3.11,<3.14"


def test_the_durable_pin_is_read_and_rewritten_to_the_patched_wheel(tmp_path: Path) -> None:
    backend = _backend()
    pin = backend._durable_requirement()
    assert pin.startswith("durable-rules==")
    wheel = tmp_path / "durable_rules-2.0.28-cp313-cp313-linux_x86_64.whl"
    metadata = (
        "Name: verordening-engine\n"
        "Requires-Dist: durable-rules==2.0.28\n"
        "Requires-Dist: click>=8.1\n"
    )
    rewritten = backend._rewrite_requires(metadata, wheel)
    assert f"Requires-Dist: durable-rules @ {wheel.as_uri()}\n" in rewritten
    assert "Requires-Dist: click>=8.1" in rewritten
    assert backend._rewrite_requires(rewritten, wheel) == rewritten  # idempotent
    assert backend.CPPFLAGS == "-DPyEval_CallObject=PyObject_CallObject"


def test_durable_rules_imports_on_this_python() -> None:
    import durable_rules_engine  # noqa: F401  (fails on 3.13 without the backend's build)

    assert sys.version_info >= (3, 11)


def test_the_nested_pip_does_not_inherit_the_hook_runners_backend() -> None:
    """Stop 15's CI failed here: the pip that builds durable-rules inherited pip's hook
    variables naming our backend and its path, and looked for setuptools in build_backend/."""
    backend = _backend()
    outer = {
        "PATH": "/usr/bin",
        "CPPFLAGS": "-O2",
        "_PYPROJECT_HOOKS_BUILD_BACKEND": "verordening_build",
        "_PYPROJECT_HOOKS_BACKEND_PATH_JSON": '["/src/build_backend"]',
        "PEP517_BUILD_BACKEND": "verordening_build",
        "PEP517_BACKEND_PATH": "/src/build_backend",
    }
    env = backend._nested_pip_environment(outer)
    assert env == {"PATH": "/usr/bin", "CPPFLAGS": f"-O2 {backend.CPPFLAGS}"}
    assert "_PYPROJECT_HOOKS_BUILD_BACKEND" in outer  # the process's own environment untouched
