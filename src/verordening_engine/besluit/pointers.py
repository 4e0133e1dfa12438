"""Changes to a case document addressed by JSON Pointer (RFC 6901), and their verification.

An alternative names each changed fact by its place in the case document, so a consulent
can apply it; `verify` applies the changes, binds and decides the changed case again.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from ..casus.binding import bind_case
from ..casus.model import Casus, Rol
from ..engine.evaluation import Evaluator
from ..engine.settlement import Settled, settle
from ..errors import EvaluationError, VerordeningError
from ..language.expressions import Ref
from ..reading.yaml_loading import LocatedDocument
from ..regels.compiled import CompiledRegelset
from .model import Wijziging


def _pointer(*parts: str | int) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def pointers(casus: Casus, aanvraag: str, persoon: str) -> Callable[[Ref], str]:
    leden = casus.huishouden.leden
    index = {lid.id: i for i, lid in enumerate(leden)}
    person = index[persoon]
    other = {Rol.aanvrager: Rol.partner, Rol.partner: Rol.aanvrager}.get(leden[person].rol)
    partner = next((i for i, lid in enumerate(leden) if other and lid.rol == other), None)
    request = next(i for i, a in enumerate(casus.aanvragen) if a.id == aanvraag)

    def pointer(ref: Ref) -> str:
        if ref.space == "persoon":
            return _pointer("huishouden", "leden", person, "feiten", ref.name)
        if ref.space == "partner":
            assert partner is not None
            return _pointer("huishouden", "leden", partner, "feiten", ref.name)
        if ref.space == "huishouden":
            return _pointer("huishouden", "feiten", ref.name)
        return _pointer("aanvragen", request, "feiten", ref.name)

    return pointer


def apply_changes(data: dict[str, Any], changes: list[Wijziging]) -> dict[str, Any]:
    """The case document with each change applied at its JSON Pointer.

    `data` is left as it is: every container on a changed path is copied, the rest is shared
    with `data` (a deep copy of the whole case per verification was most of its cost).
    """
    out = dict(data)
    fresh = {id(out)}  # containers of `out` that are its own, not shared with `data`
    for change in changes:
        parts = [p.replace("~1", "/").replace("~0", "~") for p in change.pad.split("/")[1:]]
        target: Any = out
        for part in parts[:-1]:
            key: Any = int(part) if isinstance(target, list) else part
            child = target[key] if isinstance(target, list) else target.setdefault(key, {})
            if id(child) not in fresh:
                child = copy.copy(child)
                target[key] = child
                fresh.add(id(child))
            target = child
        target[parts[-1]] = change.naar
    return out


def verify(
    rs: CompiledRegelset,
    document: dict[str, Any],
    aanvraag: str,
    changes: list[Wijziging],
    closure: dict[str, frozenset[str]],
    evaluator: Evaluator,
) -> Settled | None:
    """The settled outcome of `aanvraag` in the case `document` (as dumped by
    `model_dump(mode="json", by_alias=True, exclude_none=True)`) with `changes` applied:
    validated, bound and decided again; None when the changed case is not valid."""
    data = apply_changes(document, changes)
    try:
        changed = Casus.model_validate(data)
        requests = bind_case(rs, changed, LocatedDocument("<alternatief>", data))
        request = next(r for r in requests if r.aanvraag == aanvraag)
        run = evaluator.decide(request)
    except (ValidationError, VerordeningError, EvaluationError, StopIteration):
        return None
    return settle(rs, run.runs, closure)
