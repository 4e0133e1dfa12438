"""pydantic model of the decision document the engine produces (JSON output)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ..regels.model import BronSoort, Uitkomst


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VerordeningRef(Out):
    id: str
    versie: str
    status: str
    sha256: str


class EngineRef(Out):
    versie: str


class Bijdrage(Out):
    bedrag: str
    per: str


class GrondslagRef(Out):
    wet: str
    bwb: str
    artikel: str
    lid: int | None
    url: str


class Toelichting(Out):
    """One step of the explanation: one rule of an article, applied or not."""

    artikel: str
    titel: str
    regel: str
    grondslag: list[GrondslagRef]
    bron: BronSoort
    toegepast: bool
    status: Literal["beslissend", "toegepast", "opzij_gezet", "niet_van_toepassing"]
    opzij_gezet_door: str | None
    feiten: dict[str, bool | int | str]
    conclusie: str | None
    zin: str
    waarom_niet: str | None


class Besluit(Out):
    aanvraag: str
    persoon: str
    voorziening: str
    uitkomst: Uitkomst | None
    verwijzing: str | None
    eigen_bijdrage: Bijdrage | None
    ingangsdatum: dt.date | None
    termijnen: dict[str, dt.date]
    vaststellingen: dict[str, bool | int | str]
    beslissende_artikelen: list[str]
    problemen: list[str]
    artikelen: list[Toelichting]


class BesluitDocument(Out):
    casus: str
    peildatum: dt.date
    verordening: VerordeningRef
    engine: EngineRef
    besluiten: list[Besluit]
