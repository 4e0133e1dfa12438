"""PEP 517 build backend: setuptools, plus a durable-rules that imports on Python 3.13+.

durable-rules 2.0.28 (its last release, an sdist only) calls `PyEval_CallObject`, which
Python 3.13 removed from the C API; `PyObject_CallObject` takes the same arguments. Its
setup.py overwrites CFLAGS, but setuptools also appends CPPFLAGS to every compile, so on
3.13+ this backend builds durable-rules from its sdist with the old name defined to the new
one, keeps the wheel under `build/durable-rules/`, and points the project's durable-rules
requirement at that wheel. On 3.11 and 3.12 nothing changes. durable-rules' code is not
copied into the project; the sdist comes from the package index through pip.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403  (the hooks we do not wrap)

ROOT = Path(__file__).resolve().parent.parent
CPPFLAGS = "-DPyEval_CallObject=PyObject_CallObject"
NEEDS_PATCH = sys.version_info >= (3, 13)


def _durable_requirement() -> str:
    """The durable-rules pin as pyproject.toml states it, e.g. 'durable-rules==2.0.28'."""
    with (ROOT / "pyproject.toml").open("rb") as handle:
        dependencies = tomllib.load(handle)["project"]["dependencies"]
    for requirement in dependencies:
        if re.match(r"durable[-_]rules\s*==", requirement, re.IGNORECASE):
            return str(requirement).split(";")[0].strip()
    raise RuntimeError("pyproject.toml pins no durable-rules==<version>")


def _nested_pip_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The environment of the pip that builds durable-rules: ours with the C flag added, and
    without the variables through which pip's hook runner told the process we run in which
    backend (and backend path) to import; inherited, they make the nested build look for
    setuptools in our build_backend folder (pip 26 on Python 3.13)."""
    env = {
        key: value
        for key, value in environ.items()
        if not key.startswith(("_PYPROJECT_HOOKS_", "PEP517_"))
    }
    env["CPPFLAGS"] = (env.get("CPPFLAGS", "") + " " + CPPFLAGS).strip()
    return env


def _patched_wheel() -> Path:
    """Build (once per interpreter) a durable-rules wheel that imports on this Python."""
    requirement = _durable_requirement()
    version = requirement.split("==", 1)[1].strip()
    tag = f"cp{sys.version_info.major}{sys.version_info.minor}"
    folder = ROOT / "build" / "durable-rules" / tag
    found = sorted(folder.glob(f"durable_rules-{version}-{tag}-*.whl"))
    if found:
        return found[0]
    folder.mkdir(parents=True, exist_ok=True)
    env = _nested_pip_environment(os.environ)
    command = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-cache-dir",  # a cached wheel from an unpatched build would not import
        "--no-binary",
        "durable-rules",
        "--wheel-dir",
        str(folder),
        requirement,
    ]
    subprocess.run(command, check=True, env=env, stdout=sys.stderr)
    found = sorted(folder.glob(f"durable_rules-{version}-{tag}-*.whl"))
    if not found:
        raise RuntimeError(f"building {requirement} left no wheel in {folder}")
    return found[0]


def _rewrite_requires(metadata: str, wheel: Path) -> str:
    """METADATA text with the durable-rules requirement pointing at the patched wheel."""
    pattern = re.compile(r"^Requires-Dist: durable[-_]rules\s*==.*$", re.IGNORECASE | re.MULTILINE)
    replacement = f"Requires-Dist: durable-rules @ {wheel.as_uri()}"
    text, count = pattern.subn(replacement, metadata)
    if count == 0 and re.search(r"^Requires-Dist: durable-rules @ ", metadata, re.MULTILINE):
        return metadata  # already rewritten (setuptools reused our metadata)
    if count != 1:
        raise RuntimeError("no durable-rules requirement found in the project's metadata")
    return text


def _patch_metadata_dir(metadata_directory: str, dist_info: str) -> None:
    path = Path(metadata_directory) / dist_info / "METADATA"
    path.write_text(_rewrite_requires(path.read_text("utf-8"), _patched_wheel()), "utf-8")


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"sha256={digest.decode('ascii')},{len(data)}"


def _patch_wheel(wheel_directory: str, name: str) -> None:
    """Rewrite METADATA (and its RECORD line) inside a built wheel."""
    path = Path(wheel_directory) / name
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info.filename)) for info in source.infolist()]
    metadata_name = next(
        i.filename for i, _ in entries if i.filename.endswith(".dist-info/METADATA")
    )
    record_name = metadata_name[: -len("METADATA")] + "RECORD"
    contents = {info.filename: data for info, data in entries}
    new_metadata = _rewrite_requires(contents[metadata_name].decode("utf-8"), _patched_wheel())
    contents[metadata_name] = new_metadata.encode("utf-8")
    record_lines = []
    for line in contents[record_name].decode("utf-8").splitlines():
        if line.startswith(metadata_name + ","):
            line = f"{metadata_name},{_record_hash(contents[metadata_name])}"
        record_lines.append(line)
    contents[record_name] = ("\n".join(record_lines) + "\n").encode("utf-8")
    temporary = path.with_suffix(".tmp")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
        for info, _ in entries:
            target.writestr(info, contents[info.filename])
    temporary.replace(path)


def get_requires_for_build_wheel(config_settings: dict[str, Any] | None = None) -> list[str]:
    extra = ["pip"] if NEEDS_PATCH else []
    return [*_setuptools.get_requires_for_build_wheel(config_settings), *extra]


def get_requires_for_build_editable(config_settings: dict[str, Any] | None = None) -> list[str]:
    extra = ["pip"] if NEEDS_PATCH else []
    return [*_setuptools.get_requires_for_build_editable(config_settings), *extra]


def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: dict[str, Any] | None = None
) -> str:
    dist_info = _setuptools.prepare_metadata_for_build_wheel(metadata_directory, config_settings)
    if NEEDS_PATCH:
        _patch_metadata_dir(metadata_directory, dist_info)
    return dist_info


def prepare_metadata_for_build_editable(
    metadata_directory: str, config_settings: dict[str, Any] | None = None
) -> str:
    dist_info = _setuptools.prepare_metadata_for_build_editable(metadata_directory, config_settings)
    if NEEDS_PATCH:
        _patch_metadata_dir(metadata_directory, dist_info)
    return dist_info


def build_wheel(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    name = _setuptools.build_wheel(wheel_directory, config_settings, metadata_directory)
    if NEEDS_PATCH:
        _patch_wheel(wheel_directory, name)
    return name


def build_editable(
    wheel_directory: str,
    config_settings: dict[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    name = _setuptools.build_editable(wheel_directory, config_settings, metadata_directory)
    if NEEDS_PATCH:
        _patch_wheel(wheel_directory, name)
    return name
