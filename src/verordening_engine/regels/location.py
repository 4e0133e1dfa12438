"""Where the regels and schemas shipped with the engine are, and which regels a call uses.

A wheel carries the project's top-level `regels/` and `schemas/` folders as package data
under `verordening_engine/_data/` (mapped in pyproject.toml). A source checkout or an
editable install has no copy: there the project's own folders are the packaged ones, so an
edit to a rule file is seen at once.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import Problem, VerordeningError

ENV = "VERORDENING_REGELS"
_PACKAGE = Path(__file__).resolve().parent.parent  # verordening_engine/


def packaged_folder(name: str) -> Path | None:
    """`regels` or `schemas` as shipped: inside the installed package, else the source tree."""
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    project = _PACKAGE.parent.parent
    if (project / "pyproject.toml").is_file() and (project / name).is_dir():
        return project / name
    return None


def packaged_regels() -> Path:
    found = packaged_folder("regels")
    if found is None:
        raise VerordeningError(
            [
                Problem(
                    "regels",
                    None,
                    None,
                    "",
                    "this installation has no packaged regels (looked in "
                    f"{_PACKAGE / '_data' / 'regels'}); point to a folder with regelsets "
                    f"with --regels, the environment variable {ENV} or the regels= argument",
                )
            ]
        )
    return found


def packaged_schemas() -> Path:
    found = packaged_folder("schemas")
    return found if found is not None else _PACKAGE / "_data" / "schemas"


def resolve_regels(regels: str | Path | None = None) -> Path:
    """The regels folder a call uses: the one given, else $VERORDENING_REGELS, else packaged.

    A folder that was given but does not exist is an error that says what was looked for
    and how to point elsewhere (a draft, a municipality's own set) or use the packaged one.
    """
    if regels is not None and str(regels) != "":
        given, how, instead = Path(regels), "given with --regels or regels=", "leave it out"
    elif os.environ.get(ENV):
        given, how, instead = Path(os.environ[ENV]), f"from {ENV}", f"unset {ENV}"
    else:
        return packaged_regels()
    if given.exists():
        return given
    packaged = packaged_folder("regels")
    fallback = (
        f", or {instead} to use the regels packaged with the engine ({packaged})"
        if packaged is not None
        else ""
    )
    raise VerordeningError(
        [
            Problem(
                str(given),
                None,
                None,
                "",
                f"no such regels folder ({how}; looked for {given.absolute()}). Point --regels, "
                f"{ENV} or regels= at a folder holding regelset.yaml files (one version or a "
                f"tree of them){fallback}",
            )
        ]
    )
