"""The `verordening` command: a thin layer over the library (call, then present).

One module per command group; importing them registers their commands on `main`.
Exit codes: 0 success, 1 a check found problems, 2 invalid input or usage.
"""

from __future__ import annotations

from . import cases, rules, scenario_checks, version_tools
from .app import main

__all__ = ["cases", "main", "rules", "scenario_checks", "version_tools"]
