"""`verordening serve`: the engine as an HTTP JSON API (needs the `serve` extra)."""

from __future__ import annotations

from .settings import Limits, Settings

__all__ = ["Limits", "Settings"]
