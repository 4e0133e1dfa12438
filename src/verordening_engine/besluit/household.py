"""The Wmo bijdrage of a household: one amount per month, "tezamen" (Wmo 2015 art. 2.1.4a lid 4).

Each besluit keeps the bijdrage its own rules set; this step groups the granted
maatwerkvoorzieningen with a monthly bijdrage above nil per client unit (the ongehuwde
cliënt, or the cliënt and his echtgenoot together) and states the one amount that unit
pays, so that no reader adds up € 21,80 per voorziening. Vervoer with a bijdrage per rit
stays outside (Uitvoeringsbesluit Wmo 2015 art. 3.8 lid 1).
"""

from __future__ import annotations

from ..casus.model import Casus, Rol
from ..language.values import format_euro, parse_euro
from ..regels.compiled import CompiledRegelset
from .model import Besluit, GrondslagRef, HuishoudenBijdrage

PER = "maand"


def _unit(casus: Casus, persoon: str) -> tuple[str, ...]:
    """The client unit of `persoon`: himself, or aanvrager and partner together."""
    rollen = {lid.id: lid.rol for lid in casus.huishouden.leden}
    paar = [lid.id for lid in casus.huishouden.leden if lid.rol in (Rol.aanvrager, Rol.partner)]
    if rollen.get(persoon) in (Rol.aanvrager, Rol.partner) and len(paar) == 2:
        return tuple(paar)
    return (persoon,)


def _covered(rs: CompiledRegelset, besluit: Besluit) -> bool:
    voorziening = rs.catalogue.get(besluit.voorziening)
    return (
        voorziening is not None
        and voorziening.wet == "wmo2015"
        and voorziening.soort.value == "maatwerk"
        and besluit.uitkomst == "toegekend"
        and besluit.eigen_bijdrage is not None
        and besluit.eigen_bijdrage.per == PER
        and parse_euro(besluit.eigen_bijdrage.bedrag) > 0
    )


def _basis(rs: CompiledRegelset, besluit: Besluit) -> tuple[str, list[GrondslagRef]]:
    """The article that set this besluit's bijdrage: its title names the regime."""
    for stap in besluit.artikelen:
        rule = rs.rule_by_id.get(stap.regel)
        if stap.status == "beslissend" and rule is not None and rule.kind == "eigen_bijdrage":
            return f"artikel {stap.artikel}: {stap.titel}", list(stap.grondslag)
    return "", []


def _euro(cents: int) -> str:
    text = format_euro(cents)
    return "€ " + text.replace(".", ",")


def household_contributions(
    rs: CompiledRegelset, casus: Casus, besluiten: list[Besluit]
) -> tuple[list[Besluit], list[HuishoudenBijdrage]]:
    """The besluiten, each marked with the household amount it is part of, and those amounts."""
    groups: dict[tuple[str, ...], list[Besluit]] = {}
    for besluit in besluiten:
        if _covered(rs, besluit):
            groups.setdefault(_unit(casus, besluit.persoon), []).append(besluit)
    amounts: list[HuishoudenBijdrage] = []
    part_of: dict[str, tuple[str, str]] = {}
    for personen, leden in groups.items():
        highest = max(leden, key=lambda b: parse_euro(b.eigen_bijdrage.bedrag))  # type: ignore[union-attr]
        cents = parse_euro(highest.eigen_bijdrage.bedrag)  # type: ignore[union-attr]
        regime, grondslag = _basis(rs, highest)
        ident = "bijdrage-" + "-".join(personen)
        wie = "u" if len(personen) == 1 else "u en uw echtgenoot of partner"
        ids = [b.aanvraag for b in leden]
        toelichting = (
            f"Voor {len(ids)} maatwerkvoorziening(en) met een bijdrage ({', '.join(ids)}) "
            f"betaalt {wie} tezamen één bijdrage van {_euro(cents)} per maand, niet een "
            "bijdrage per voorziening (Wmo 2015 art. 2.1.4a lid 4)."
        )
        amounts.append(
            HuishoudenBijdrage(
                id=ident,
                personen=list(personen),
                bedrag=format_euro(cents),
                per=PER,
                regime=regime,
                grondslag=grondslag,
                besluiten=ids,
                toelichting=toelichting,
            )
        )
        for b in leden:
            part_of[b.aanvraag] = (
                ident,
                f"De bijdrage voor deze voorziening is deel van de ene bijdrage van "
                f"{_euro(cents)} per maand die {wie} betaalt voor alle maatwerkvoorzieningen "
                f"tezamen ({ident}); zij komt daar niet bovenop.",
            )
    marked = [
        b.model_copy(
            update={
                "huishouden_bijdrage": part_of[b.aanvraag][0],
                "bijdrage_toelichting": part_of[b.aanvraag][1],
            }
        )
        if b.aanvraag in part_of
        else b
        for b in besluiten
    ]
    return marked, amounts
