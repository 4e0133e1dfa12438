"""JSON Schemas generated from the pydantic models, for editors and other systems.

Besides one schema per model, every regelset version gets a case schema
(`casus-<versie>.schema.json`) in which the `feiten` of household, member and request list
the facts that version knows (type, Dutch description, allowed values) and `voorziening`
lists its catalogue, so an editor completes them and flags a misspelling.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .api import all_regelsets
from .batch import BatchFout
from .besluit.model import SCHEMA_VERSIE, BesluitDocument
from .casus.model import Casus
from .regels.compiled import BUILTIN_HUISHOUDEN, CompiledRegelset
from .regels.model import (
    Begrippen,
    Eigenschappen,
    Feit,
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
    "eigenschappen": (Eigenschappen, "validation"),
    "casus": (Casus, "validation"),
    "besluit": (BesluitDocument, "serialization"),
    "batchfout": (BatchFout, "serialization"),
}
DRAFT = "https://json-schema.org/draft/2020-12/schema"
CASE_PREFIX = "casus-"


def case_schema_name(versie: str) -> str:
    """File name of the case schema of one version."""
    return f"{CASE_PREFIX}{versie}.schema.json"


def _text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def model_schema(name: str) -> dict[str, Any]:
    model, mode = MODELS[name]
    schema: dict[str, Any] = model.model_json_schema(mode=mode)  # type: ignore[arg-type]
    schema["$schema"] = DRAFT
    schema["$id"] = f"{name}.schema.json"
    if name == "besluit":  # the decision document is read by other systems: versioned
        schema["$id"] = f"urn:verordening-engine:schema:besluit:{SCHEMA_VERSIE}"
    return schema


def _fact_schema(feit: Feit) -> dict[str, Any]:
    kind = feit.type.value
    description = feit.omschrijving.strip()
    extra = []
    if feit.eenheid:
        extra.append(f"Eenheid: {feit.eenheid}.")
    if feit.standaard is not None:
        shown = json.dumps(feit.standaard, default=str, ensure_ascii=False)
        extra.append(f"Standaard (als de casus het niet geeft): {shown}.")
    out: dict[str, Any] = {"description": " ".join([description, *extra])}
    if kind == "waarheid":
        out["type"] = "boolean"
    elif kind == "getal":
        out["type"] = "integer"
    elif kind == "bedrag":
        out["type"] = "string"
        out["pattern"] = r"^-?\d+(\.\d{1,2})?$"
        out["description"] += " Een bedrag in euro als tekst, bijvoorbeeld '1234.50'."
    elif kind == "datum":
        out["type"] = "string"
        out["format"] = "date"
    else:
        out["type"] = "string"
        if feit.waarden is not None:
            out["enum"] = list(feit.waarden)
    return out


def _facts_object(facts: dict[str, Feit], title: str) -> dict[str, Any]:
    return {
        "title": title,
        "type": "object",
        "properties": {name: _fact_schema(feit) for name, feit in sorted(facts.items())},
        "additionalProperties": False,
    }


def case_schema(rs: CompiledRegelset) -> dict[str, Any]:
    """The case schema of one version: known facts and catalogue instead of open maps."""
    schema = copy.deepcopy(model_schema("casus"))
    versie = rs.meta.versie
    schema["$id"] = case_schema_name(versie)
    schema["title"] = f"Casus voor {rs.meta.titel}, versie {versie}"
    schema["description"] = (
        f"Een casus voor versie {versie} ({rs.meta.status.value}, geldig vanaf "
        f"{rs.meta.geldig_vanaf.isoformat()}). Onder 'feiten' staan alleen de feiten die deze "
        "versie kent; 'voorziening' is een id uit de catalogus van deze versie."
    )
    defs = schema["$defs"]
    persoon = rs.inputs.get("persoon", {})
    huishouden = {
        k: v for k, v in rs.inputs.get("huishouden", {}).items() if k not in BUILTIN_HUISHOUDEN
    }
    aanvraag = rs.inputs.get("aanvraag", {})
    defs["Lid"]["properties"]["feiten"] = _facts_object(persoon, "Feiten van dit lid")
    defs["Huishouden"]["properties"]["feiten"] = _facts_object(
        huishouden, "Feiten van het huishouden"
    )
    defs["Aanvraag"]["properties"]["feiten"] = _facts_object(
        aanvraag, "Feiten van deze aanvraag (uit het onderzoek)"
    )
    ids = sorted(rs.catalogue)
    defs["Aanvraag"]["properties"]["voorziening"] = {
        "title": "Voorziening",
        "description": "Een voorziening uit de catalogus van versie " + versie + ".",
        "type": "string",
        "enum": ids,
        "enumDescriptions": [rs.catalogue[i].naam for i in ids],
    }
    schema["properties"]["versie"] = {
        "description": f"Alleen voor scenario's: deze casus hoort bij versie {versie}.",
        "enum": [versie, None],
    }
    return schema


def generate(regelsets: list[CompiledRegelset] | None = None) -> dict[str, str]:
    """File name -> schema text (stable: sorted keys, trailing newline).

    `regelsets` gives the versions to write a case schema for; None means every version of
    the default regels ($VERORDENING_REGELS, else the packaged ones).
    """
    if regelsets is None:
        regelsets = [r.compiled for r in all_regelsets()]
    out = {f"{name}.schema.json": _text(model_schema(name)) for name in MODELS}
    for rs in regelsets:
        out[case_schema_name(rs.meta.versie)] = _text(case_schema(rs))
    return out


def write(folder: str | Path, regelsets: list[CompiledRegelset] | None = None) -> list[str]:
    """Write every schema and remove case schemas of versions that no longer exist."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    texts = generate(regelsets)
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    for stale in folder.glob(f"{CASE_PREFIX}*.schema.json"):
        if stale.name not in texts:
            stale.unlink()
    return sorted(texts)


def drift(folder: str | Path, regelsets: list[CompiledRegelset] | None = None) -> list[str]:
    """Schema files that differ from what the models and versions generate, or are left over."""
    folder = Path(folder)
    texts = generate(regelsets)
    changed = [
        name
        for name, text in texts.items()
        if not (folder / name).is_file() or (folder / name).read_text("utf-8") != text
    ]
    left_over = [p.name for p in folder.glob(f"{CASE_PREFIX}*.schema.json") if p.name not in texts]
    return sorted(changed + left_over)
