"""pydantic model of the decision document the engine produces (JSON output)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..regels.model import BronSoort, Uitkomst

# the version of the decision document's JSON Schema (`$id` in schemas/besluit.schema.json):
# 1 had no version; 2.0.0 adds, without changing any existing field's meaning: step id, soort,
# cvdr, voorwaarde and gebruikte_feiten; onderdeel and anker on grondslag; alternatieven and
# voorziening_naam on the besluit.
SCHEMA_VERSIE = "2.0.0"


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
    onderdeel: str | None = None
    anker: str = Field(
        default="", description="JCI anchor of the national article, with lid and onderdeel"
    )


class FeitGebruik(Out):
    """A fact a rule read, with its Dutch label and the value in words."""

    naam: str = Field(description="the name as rules read it, e.g. aanvraag.mantelzorg_volstaat")
    label: str
    waarde: bool | int | str
    tekst: str = Field(
        description="the fact as a Dutch clause, e.g. 'mantelzorg de beperking oplost'"
    )


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
    id: str = Field(default="", description="stable id: regelset id / versie / rule id")
    soort: str = Field(
        default="",
        description="what the rule concludes: bepaal, besluit, eigen_bijdrage, ingangsdatum, "
        "termijn or vaststelling",
    )
    cvdr: str | None = Field(
        default=None, description="CVDR anchor of the verordening article (null while unknown)"
    )
    voorwaarde: str | None = Field(
        default=None, description="the condition that was not met, as written in the rule"
    )
    gebruikte_feiten: list[FeitGebruik] = Field(default_factory=list)


class Wijziging(Out):
    """One changed fact: where it is in the case document and its value before and after."""

    pad: str = Field(description="JSON Pointer (RFC 6901) into the case document")
    van: bool | int | str
    naar: bool | int | str


class Alternatief(Out):
    """A smallest change to the case's facts that gives another outcome (verified)."""

    wijzigingen: list[Wijziging]
    uitkomst: Uitkomst | None
    eigen_bijdrage: Bijdrage | None
    artikel: str | None = Field(description="the article that decides the changed case")
    zin: str


class HuishoudenBijdrage(Out):
    """One Wmo bijdrage per month for all maatwerkvoorzieningen of one client unit together.

    Wmo 2015 art. 2.1.4a lid 4: the ongehuwde cliënt, or the cliënt and his echtgenoot
    together, pay one amount per month however many maatwerkvoorzieningen they have. Count
    `bedrag` once per entry; the besluiten it covers say they are part of it.
    """

    id: str
    personen: list[str]
    bedrag: str
    per: str
    regime: str
    grondslag: list[GrondslagRef]
    besluiten: list[str]
    toelichting: str


class OntbrekendGegeven(Out):
    """A fact the request cannot be decided without (ask the resident: Awb 4:5)."""

    feit: str = Field(description="the fact as rules read it, e.g. aanvraag.afstand_km")
    pad: str = Field(description="JSON Pointer (RFC 6901) into the case document")
    omschrijving: str
    artikelen: list[str] = Field(description="the articles whose rules need it")


class Besluit(Out):
    aanvraag: str
    persoon: str
    voorziening: str
    uitkomst: Uitkomst | None
    verwijzing: str | None
    eigen_bijdrage: Bijdrage | None
    huishouden_bijdrage: str | None = None
    bijdrage_toelichting: str | None = None
    ingangsdatum: dt.date | None
    termijnen: dict[str, dt.date]
    vaststellingen: dict[str, bool | int | str]
    beslissende_artikelen: list[str]
    problemen: list[str]
    artikelen: list[Toelichting]
    ontbrekende_gegevens: list[OntbrekendGegeven] = Field(
        default_factory=list,
        description="when uitkomst is null because the case lacks facts: what to ask for",
    )
    alternatieven: list[Alternatief] = Field(default_factory=list)
    voorziening_naam: str = Field(default="", description="the voorziening's name in the catalogue")


class BesluitDocument(Out):
    casus: str
    peildatum: dt.date
    verordening: VerordeningRef
    engine: EngineRef
    besluiten: list[Besluit]
    huishouden_bijdrage: list[HuishoudenBijdrage] = []
