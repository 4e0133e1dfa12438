"""verordening-engine: the integrale verordening sociaal domein Dordrecht as executable rules.

Typical use::

    from verordening_engine import evaluate
    document = evaluate("scenarios/wmo-01.yaml")
    for besluit in document.besluiten:
        print(besluit.aanvraag, besluit.uitkomst)
"""

from .api import (
    ENGINE_VERSION,
    Regelset,
    evaluate,
    load_regelset,
    load_regelset_folder,
    read_case,
    versions,
)
from .besluit_model import Besluit, BesluitDocument, Toelichting
from .casus_model import Casus
from .errors import EvaluationError, Problem, VerordeningError

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
    "load_regelset",
    "load_regelset_folder",
    "read_case",
    "versions",
]
