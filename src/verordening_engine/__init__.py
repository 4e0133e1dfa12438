"""verordening-engine: the integrale verordening sociaal domein Dordrecht as executable rules.

Typical use::

    from verordening_engine import load_regelset
    regelset = load_regelset(peildatum=date(2026, 6, 1))  # the regels shipped with the engine
    document = regelset.evaluate("scenarios/wmo-02-jongere-17-5-jaar-begeleiding.yaml")

Names are imported on first use, so `import verordening_engine` (and the CLI's start-up)
stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# The version as pyproject.toml states it (a test keeps them equal): decisions record it
# (api.ENGINE_VERSION) without importlib.metadata at every start-up.
__version__ = "0.4.0"

_EXPORTS = {
    "ENGINE_VERSION": "api",
    "Regelset": "api",
    "evaluate": "api",
    "load_regelset": "api",
    "load_regelset_folder": "api",
    "read_case": "api",
    "versions": "api",
    "evaluate_many": "batch",
    "Besluit": "besluit.model",
    "BesluitDocument": "besluit.model",
    "Toelichting": "besluit.model",
    "Casus": "casus.model",
    "EvaluationError": "errors",
    "Problem": "errors",
    "VerordeningError": "errors",
}

__all__ = [
    "ENGINE_VERSION",
    "Besluit",
    "BesluitDocument",
    "Casus",
    "EvaluationError",
    "Problem",
    "Regelset",
    "Toelichting",
    "VerordeningError",
    "evaluate",
    "evaluate_many",
    "load_regelset",
    "load_regelset_folder",
    "read_case",
    "versions",
]


def __dir__() -> list[str]:
    return list(__all__)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'verordening_engine' has no attribute '{name}'")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from .api import (
        ENGINE_VERSION,
        Regelset,
        evaluate,
        load_regelset,
        load_regelset_folder,
        read_case,
        versions,
    )
    from .batch import evaluate_many
    from .besluit.model import Besluit, BesluitDocument, Toelichting
    from .casus.model import Casus
    from .errors import EvaluationError, Problem, VerordeningError
