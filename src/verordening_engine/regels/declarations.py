"""The declarations of a regelset merged across its files: facts, parameters, catalogue.

The checks and the rule compiler share this state; a name declared twice is a problem.
"""

from __future__ import annotations

from ..errors import Problem
from ..reading.yaml_loading import Loc
from .compiled import ParamValue
from .loading import RegelsetSource
from .model import Feit, Parameter, Voorziening


class Declarations:
    """Everything a regelset declares, merged across its files, with where each came from.

    The problems found so far are collected here, so that every check adds to one list
    and a run reports them all at once.
    """

    def __init__(self, source: RegelsetSource) -> None:
        self.src = source
        self.problems: list[Problem] = []
        self.meta = source.meta
        # merged definitions, each remembering the file and path that declared it
        self.origin: dict[tuple[str, str], tuple[str, Loc]] = {}
        self.inputs: dict[str, dict[str, Feit]] = {"persoon": {}, "huishouden": {}, "aanvraag": {}}
        self.derived: dict[str, Feit] = {}
        for file, begrippen in source.begrippen:
            for space in self.inputs:
                for name, feit in getattr(begrippen.invoer, space).items():
                    if self.declare(("feit", f"{space}.{name}"), file, ("invoer", space, name)):
                        self.inputs[space][name] = feit
            for name, feit in begrippen.afgeleid.items():
                if self.declare(("feit", name), file, ("afgeleid", name)):
                    self.derived[name] = feit
        self.param_defs: dict[str, Parameter] = {}
        for file, parameters in source.parameters:
            for name, param in parameters.parameters.items():
                if self.declare(("param", name), file, ("parameters", name)):
                    self.param_defs[name] = param
        self.catalogue: dict[str, Voorziening] = {}
        for file, voorzieningen in source.voorzieningen:
            for i, v in enumerate(voorzieningen.voorzieningen):
                if self.declare(("voorziening", v.id), file, ("voorzieningen", i, "id")):
                    self.catalogue[v.id] = v
        self.params: dict[str, list[ParamValue]] = {}
        self.units: dict[str, str] = {}
        self.broken: set[str] = set()  # rules that did not compile: not re-reported elsewhere

    def problem(self, file: str, loc: Loc, message: str) -> None:
        self.problems.append(self.src.doc(file).problem(loc, message))

    def declare(self, key: tuple[str, str], file: str, loc: Loc) -> bool:
        """Record where a name is declared; a second declaration is a problem."""
        if key in self.origin:
            first, _ = self.origin[key]
            self.problem(file, loc, f"{key[0]} '{key[1]}' is already declared in {first}")
            return False
        self.origin[key] = (file, loc)
        return True

    def where(self, kind: str, name: str) -> tuple[str, Loc]:
        return self.origin[(kind, name)]
