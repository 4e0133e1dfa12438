"""The `verordening` command: a thin layer over the library (call, then present).

One module per command group; importing them registers their commands on `main`.
Exit codes: 0 success, 1 a check found problems, 2 invalid input or usage.
"""

from __future__ import annotations

from . import batch, cases, listings, rules, scenario_checks, serving, version_tools
from .app import main, run

__all__ = [
    "batch",
    "cases",
    "listings",
    "main",
    "rules",
    "run",
    "scenario_checks",
    "serving",
    "version_tools",
]
