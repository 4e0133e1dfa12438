"""The JSON Lines text of a decision document, made where it was decided (a worker).

Kept apart from the batch records because it is the one place that knows how the text is
laid out (as `json.dumps` of the JSON data) and how shared explained steps are reused.
"""

from __future__ import annotations

import json
import uuid

from ..besluit.model import Besluit, BesluitDocument, Toelichting


def json_line(document: BesluitDocument) -> str:
    """A decision document as the one JSON Lines line `verordening batch` writes: the text
    of `json.dumps(document.model_dump(mode="json"), ensure_ascii=False)`.

    Explained steps are shared between decisions (besluit/explanation.py), so each step's
    text is made once and the document is written around them: the steps are most of an
    explained document. (Measured: pydantic's compact JSON re-spaced is no faster.)
    """
    besluiten = document.besluiten
    if not any(b.artikelen for b in besluiten):
        return json.dumps(document.model_dump(mode="json"), ensure_ascii=False)
    skeleton = document.model_dump(mode="json", exclude={"besluiten": {"__all__": {"artikelen"}}})
    nonce = uuid.uuid4().hex  # a mark no text of the case can hold
    marks = []
    for i, (data, besluit) in enumerate(zip(skeleton["besluiten"], besluiten, strict=True)):
        mark = f"{nonce}-{i}"
        marks.append((json.dumps(mark), _steps_text(besluit.artikelen)))
        skeleton["besluiten"][i] = {
            name: mark if name == "artikelen" else data[name] for name in _BESLUIT_FIELDS
        }
    text = json.dumps(skeleton, ensure_ascii=False)
    for mark, steps in marks:
        text = text.replace(mark, steps, 1)
    return text


_BESLUIT_FIELDS = tuple(Besluit.model_fields)
_STEP_TEXT: dict[int, tuple[Toelichting, str]] = {}


def _steps_text(steps: list[Toelichting]) -> str:
    parts = []
    for step in steps:
        found = _STEP_TEXT.get(id(step))
        if found is None or found[0] is not step:
            if len(_STEP_TEXT) > 20_000:
                _STEP_TEXT.clear()
            text = json.dumps(step.model_dump(mode="json"), ensure_ascii=False)
            found = _STEP_TEXT[id(step)] = (step, text)  # the step kept: its id stays its own
        parts.append(found[1])
    return "[" + ", ".join(parts) + "]"
