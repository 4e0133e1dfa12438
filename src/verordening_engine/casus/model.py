"""pydantic model of a case file: one household, its requests and (for scenarios) expectations."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
)

from ..reading.spellings import IsoDate
from ..regels.model import Uitkomst

Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=80)]


def _no_float(value: object) -> object:
    if isinstance(value, float):
        raise ValueError(f"{value!r} is not a whole number (write amounts as text, e.g. '123.45')")
    return value


FeitWaarde = Annotated[StrictBool | StrictInt | dt.date | StrictStr, BeforeValidator(_no_float)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rol(StrEnum):
    aanvrager = "aanvrager"
    partner = "partner"
    kind = "kind"
    ouder = "ouder"
    overig = "overig"


class Lid(Strict):
    id: Key
    geboortedatum: IsoDate
    rol: Rol
    naam: str | None = Field(default=None, max_length=200)
    feiten: dict[str, FeitWaarde] = Field(default_factory=dict)


class Huishouden(Strict):
    leden: list[Lid] = Field(min_length=1, max_length=50)
    feiten: dict[str, FeitWaarde] = Field(default_factory=dict)


class Aanvraag(Strict):
    id: Key
    persoon: Key
    voorziening: Key
    feiten: dict[str, FeitWaarde] = Field(default_factory=dict)


class VerwachteBijdrage(Strict):
    bedrag: Annotated[str, StringConstraints(pattern=r"^\d+\.\d{2}$")]
    per: str


class VerwachteHuishoudenBijdrage(Strict):
    """The one monthly Wmo bijdrage a request's client unit pays for all its maatwerk together."""

    bedrag: Annotated[str, StringConstraints(pattern=r"^\d+\.\d{2}$")]
    per: str
    besluiten: list[Key]


class Verwachting(Strict):
    """What a scenario expects for one request (ignored by `evaluate`)."""

    aanvraag: Key
    uitkomst: Uitkomst | None = Field(
        description="null: the request cannot be decided (list the ontbrekende_gegevens)"
    )
    ontbrekende_gegevens: list[str] | None = Field(
        default=None, description="when not decided: the missing facts, e.g. aanvraag.afstand_km"
    )
    verwijzing: str | None = None
    eigen_bijdrage: VerwachteBijdrage | None = None
    huishouden_bijdrage: VerwachteHuishoudenBijdrage | None = Field(
        default=None,
        description="the household amount this request's bijdrage is part of (Wmo 2.1.4a lid 4); "
        "compared only when given, null for none",
    )
    ingangsdatum: IsoDate | None = None
    termijnen: dict[str, IsoDate] | None = None
    vaststellingen: dict[str, StrictBool | StrictInt | StrictStr] | None = None
    beslissende_artikelen: list[str] = Field(default_factory=list)


class Casus(Strict):
    """A household case. `verhaal` and `verwachting` are for scenario files."""

    schema_: str | None = Field(default=None, alias="$schema")
    casus: Key
    peildatum: IsoDate
    huishouden: Huishouden
    aanvragen: list[Aanvraag] = Field(min_length=1, max_length=50)
    verhaal: str | None = Field(default=None, max_length=5_000)
    versie: str | None = Field(
        default=None,
        description="judge under this version (e.g. a concept) instead of the vastgesteld "
        "version in force on the peildatum; evaluate and batch honour it (--versie overrides)",
    )
    verwachting: list[Verwachting] | None = None
