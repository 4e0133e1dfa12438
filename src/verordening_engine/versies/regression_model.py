"""The regression report as data: what `regress` returns and every format presents."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VoorzieningTelling(Out):
    voorziening: str
    aanvragen: int
    gewijzigd: int


class Overgang(Out):
    voorziening: str
    van: str
    naar: str
    aantal: int


class UitkomstDekking(Out):
    """How many requests reached one outcome (a deciding rule) under each version."""

    voorziening: str
    uitkomst: str
    regel: str
    aantal_a: int | None
    aantal_b: int | None


class BijdrageBanden(Out):
    verlies_groot: int
    verlies_klein: int
    gelijk: int
    winst_klein: int
    winst_groot: int


class Bijdragen(Out):
    totaal_a: str
    totaal_b: str
    verschil: str
    huishoudens: BijdrageBanden
    # contributions per hour, per time or per week (an algemene voorziening): not in the
    # monthly totals; the number of requests that pay more or less per unit
    per_gebruik_meer: int = 0
    per_gebruik_minder: int = 0


class Voorbeeld(Out):
    soort: str
    aantal: int
    gevonden_door: str
    huishouden: dict[str, Any]
    besluit_a: dict[str, Any] | None
    besluit_b: dict[str, Any] | None


class RegressieRapport(Out):
    versie_a: str
    versie_b: str
    peildatum: dt.date
    seed: int
    populatie: str
    huishoudens: int
    aanvragen: int
    huishoudens_gewijzigd: int
    aanvragen_gewijzigd: int
    niet_vergeleken: list[str]
    per_voorziening: list[VoorzieningTelling]
    overgangen: list[Overgang]
    dekking: list[UitkomstDekking]
    niet_bereikt: list[str]
    eigen_bijdrage: Bijdragen
    per_artikel: dict[str, int]
    voorbeelden: list[Voorbeeld]
