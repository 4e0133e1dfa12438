"""JSON Schemas generated from the pydantic models, for editors and other systems."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .besluit.model import BesluitDocument
from .casus.model import Casus
from .regels.model import (
    Begrippen,
    Hoofdstuk,
    Invarianten,
    Parameters,
    RegelsetMeta,
    Voorzieningen,
)

MODELS: dict[str, tuple[type[BaseModel], str]] = {
    "regelset": (RegelsetMeta, "validation"),
    "begrippen": (Begrippen, "validation"),
    "parameters": (Parameters, "validation"),
    "voorzieningen": (Voorzieningen, "validation"),
    "hoofdstuk": (Hoofdstuk, "validation"),
    "invarianten": (Invarianten, "validation"),
    "casus": (Casus, "validation"),
    "besluit": (BesluitDocument, "serialization"),
}


def generate() -> dict[str, str]:
    """File name -> schema text (stable: sorted keys, trailing newline)."""
    out = {}
    for name, (model, mode) in MODELS.items():
        schema: dict[str, Any] = model.model_json_schema(mode=mode)  # type: ignore[arg-type]
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"{name}.schema.json"
        out[f"{name}.schema.json"] = (
            json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        )
    return out


def write(folder: str | Path) -> list[str]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in generate().items():
        (folder / name).write_text(text, encoding="utf-8")
    return sorted(generate())


def drift(folder: str | Path) -> list[str]:
    """Schema files that differ from what the models generate."""
    folder = Path(folder)
    return [
        name
        for name, text in generate().items()
        if not (folder / name).is_file() or (folder / name).read_text("utf-8") != text
    ]
