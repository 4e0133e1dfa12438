"""Listings of a regelset version: its parameters on a date and the facts it knows.

Shared by `verordening parameters`/`begrippen` and the HTTP service, so both say the same.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from .compiled import BUILTIN_HUISHOUDEN, BUILTIN_PERSOON, CompiledRegelset


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ParameterOpDatum(_Row):
    """One parameter with the value in force on the peildatum (None when it has none yet)."""

    parameter: str
    omschrijving: str
    eenheid: str
    waarde: str | int | None
    vanaf: dt.date | None
    bron: str | None
    status: str | None
    bestand: str


class Begrip(_Row):
    """One fact: what a case gives (invoer) or what a rule derives (afgeleid)."""

    naam: str
    soort: str
    type: str
    omschrijving: str
    eenheid: str | None
    waarden: list[str] | None
    standaard: bool | int | str | dt.date | None
    geleverd_door: str


def parameters_on(rs: CompiledRegelset, peildatum: dt.date) -> list[ParameterOpDatum]:
    """Every parameter of the version with its value, source and verification on `peildatum`."""
    rows = []
    for file, doc in rs.source.parameters:
        for name, parameter in doc.parameters.items():
            current = None
            for value in parameter.waarden:
                if value.vanaf <= peildatum and (current is None or value.vanaf >= current.vanaf):
                    current = value
            rows.append(
                ParameterOpDatum(
                    parameter=name,
                    omschrijving=parameter.omschrijving,
                    eenheid=parameter.eenheid.value,
                    waarde=current.waarde if current else None,
                    vanaf=current.vanaf if current else None,
                    bron=current.bron if current else None,
                    status=current.status.value if current else None,
                    bestand=file,
                )
            )
    return sorted(rows, key=lambda r: r.parameter)


_SPACES = {
    "persoon": "casus: feiten van een lid van het huishouden",
    "huishouden": "casus: feiten van het huishouden",
    "aanvraag": "casus: feiten van de aanvraag (uit het onderzoek)",
}


def begrippen(rs: CompiledRegelset) -> list[Begrip]:
    """Every fact a case may give, the built-in ones the engine computes, and derived facts."""
    rows = []
    for space, facts in rs.inputs.items():
        for name, feit in facts.items():
            rows.append(
                Begrip(
                    naam=f"{space}.{name}",
                    soort="invoer",
                    type=feit.type.value,
                    omschrijving=feit.omschrijving,
                    eenheid=feit.eenheid,
                    waarden=list(feit.waarden) if feit.waarden is not None else None,
                    standaard=feit.standaard,
                    geleverd_door=_SPACES.get(space, f"casus: {space}"),
                )
            )
    for space, builtin in (("persoon", BUILTIN_PERSOON), ("huishouden", BUILTIN_HUISHOUDEN)):
        for name, type_ in builtin.items():
            rows.append(
                Begrip(
                    naam=f"{space}.{name}",
                    soort="ingebouwd",
                    type=type_.value,
                    omschrijving=_BUILTIN_TEXT.get(name, name),
                    eenheid=None,
                    waarden=None,
                    standaard=None,
                    geleverd_door="engine: uit de gegevens van het huishouden in de casus",
                )
            )
    derived_by: dict[str, list[str]] = {}
    for chapter in rs.source.hoofdstukken:
        for artikel in chapter.artikelen:
            for regel in artikel.regels:
                for name in regel.bepaal or {}:
                    derived_by.setdefault(name, []).append(f"art. {artikel.nummer} ({regel.id})")
    for name, feit in rs.derived.items():
        rows.append(
            Begrip(
                naam=name,
                soort="afgeleid",
                type=feit.type.value,
                omschrijving=feit.omschrijving,
                eenheid=feit.eenheid,
                waarden=list(feit.waarden) if feit.waarden is not None else None,
                standaard=feit.standaard,
                geleverd_door="regels: " + (", ".join(derived_by.get(name, [])) or "geen"),
            )
        )
    order = {"invoer": 0, "ingebouwd": 1, "afgeleid": 2}
    return sorted(rows, key=lambda r: (order[r.soort], r.naam))


_BUILTIN_TEXT = {
    "geboortedatum": "Geboortedatum van het lid (veld geboortedatum in de casus).",
    "rol": "Rol van het lid in het huishouden (veld rol in de casus).",
    "heeft_partner": "Het huishouden heeft een lid met de rol partner.",
    "aantal_leden": "Het aantal leden van het huishouden.",
    "aantal_kinderen": "Het aantal leden met de rol kind.",
}
