"""pydantic model of a case file: one household, its requests and (for scenarios) expectations."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
)

from ..regels.model import Uitkomst

Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=80)]
FeitWaarde = StrictBool | StrictInt | dt.date | StrictStr


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
    geboortedatum: dt.date
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


class Verwachting(Strict):
    """What a scenario expects for one request (ignored by `evaluate`)."""

    aanvraag: Key
    uitkomst: Uitkomst
    verwijzing: str | None = None
    eigen_bijdrage: VerwachteBijdrage | None = None
    ingangsdatum: dt.date | None = None
    termijnen: dict[str, dt.date] | None = None
    vaststellingen: dict[str, StrictBool | StrictInt | StrictStr] | None = None
    beslissende_artikelen: list[str] = Field(default_factory=list)


class Casus(Strict):
    """A household case. `verhaal` and `verwachting` are for scenario files."""

    schema_: str | None = Field(default=None, alias="$schema")
    casus: Key
    peildatum: dt.date
    huishouden: Huishouden
    aanvragen: list[Aanvraag] = Field(min_length=1, max_length=50)
    verhaal: str | None = Field(default=None, max_length=5_000)
    versie: str | None = Field(
        default=None,
        description="scenario files: judge under this version (e.g. a concept) instead of the "
        "vastgesteld version in force on the peildatum; ignored by evaluate",
    )
    verwachting: list[Verwachting] | None = None
