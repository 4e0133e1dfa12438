"""Request and response models of the HTTP API (they make up /openapi.json)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from ..errors import Problem
from ..regels.model import Artikel


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Probleem(_Out):
    """One located problem in a request: where (line and column of the body) and what."""

    bestand: str
    regel: int | None
    kolom: int | None
    veld: str
    melding: str
    tekst: str

    @classmethod
    def of(cls, problem: Problem) -> Probleem:
        return cls(
            bestand=problem.file,
            regel=problem.line,
            kolom=problem.column,
            veld=problem.field,
            melding=problem.message,
            tekst=str(problem),
        )


class Fout(_Out):
    """An error answer: a short message and, for a bad request, every problem found."""

    fout: str
    problemen: list[Probleem] = []


class Gezondheid(_Out):
    status: str
    engine: str


class VersieInfo(_Out):
    id: str
    titel: str
    versie: str
    status: str
    geldig_vanaf: dt.date
    geldig_tot: dt.date | None
    vorige_versie: str | None


class HoofdstukRef(_Out):
    nummer: int
    titel: str


class ArtikelAntwoord(_Out):
    versie: str
    hoofdstuk: HoofdstukRef
    artikel: Artikel
