"""The `ontbrekende_gegevens` of an undecided request: what to ask the resident (Awb 4:5)."""

from __future__ import annotations

from ..casus.binding import RequestInputs, pointer
from ..language.expressions import Ref
from ..regels.compiled import CompiledRegelset
from .explanation import article_order
from .model import OntbrekendGegeven


def ontbrekende_gegevens(
    rs: CompiledRegelset, inputs: RequestInputs, missing: dict[Ref, frozenset[str]]
) -> list[OntbrekendGegeven]:
    """One entry per missing fact, in the order of the case document (by JSON Pointer)."""
    out = []
    for ref, artikelen in missing.items():
        space = "persoon" if ref.space == "partner" else ref.space
        feit = rs.inputs[space][ref.name]
        out.append(
            OntbrekendGegeven.model_construct(
                feit=str(ref),
                pad=pointer(inputs.absent[ref]),
                omschrijving=" ".join(feit.omschrijving.split()),
                artikelen=sorted(artikelen, key=article_order),
            )
        )
    return sorted(out, key=lambda item: (item.pad, item.feit))
