"""Markdown fit for a beschikking: decision, motivation, household part, bezwaar.

Only what a resident and a bezwaarcommissie read: no rule ids, no expressions, no raw
values, no sentences of rules that were set aside. The technical trace stays in the JSON.
"""

from __future__ import annotations

from . import dutch as nl
from .model import Besluit, BesluitDocument
from .motivering import (
    HERSTELTERMIJN_INWONER,
    also_checked,
    basis_list,
    basis_parts,
    bijdrage_text,
    has_bijdrage,
    household_contribution,
    missing_data,
    outcome_sentence,
    reasons,
    voorziening_naam,
)

BEZWAAR = (
    "Bent u het niet eens met dit besluit? Dan kunt u binnen zes weken na de dag waarop dit "
    "besluit is bekendgemaakt bezwaar maken bij het college van burgemeester en wethouders "
    "(artikel 6:7 en 6:8 van de Algemene wet bestuursrecht). Zet in uw bezwaarschrift uw naam "
    "en adres, de datum, een omschrijving van dit besluit en waarom u het er niet mee eens "
    "bent, en onderteken het (artikel 6:5 van de Algemene wet bestuursrecht)."
)


def to_markdown(doc: BesluitDocument) -> str:
    out = [
        "# Besluit op uw aanvraag",
        "",
        f"Peildatum: {nl.datum(doc.peildatum)}  ",
        f"Kenmerk: {doc.casus}  ",
        f"Regelgeving: {nl.woorden(doc.verordening.id)}, versie {doc.verordening.versie}",
        "",
    ]
    for besluit in doc.besluiten:
        out += decision_markdown(besluit)
    out += household_markdown(doc)
    out += ["## Bezwaar", "", BEZWAAR]
    return "\n".join(out).rstrip() + "\n"


def decision_markdown(b: Besluit) -> list[str]:
    out = [
        f"## {nl.hoofdletter(voorziening_naam(b))}",
        "",
        f"**Besluit.** {outcome_sentence(b)}",
        "",
    ]
    why = reasons(b)
    if why:
        out += ["**Motivering.**", ""]
    for reason in why:
        links = "; ".join(
            wet + " " + ", ".join(f"[{text}]({g.url})" for text, g in basis_parts(refs))
            for wet, refs in basis_list(reason.grondslag)
        )
        out.append(
            f"*Artikel {reason.artikel} {reason.titel}*" + (f" ({links})" if links else "") + "  "
        )
        out += [f"{zin}  " for zin in reason.zinnen]
        if reason.feiten:
            out.append("Vastgesteld is dat:")
            out += [f"- {feit}" for feit in reason.feiten]
        out.append("")
    checked = also_checked(b)
    if checked:
        out += [f"Ook getoetst: artikel {', '.join(checked)}.", ""]
    out += missing_markdown(b)
    if b.alternatieven:
        out += ["**Wat de uitkomst zou veranderen.**", ""]
        out += [f"- {alt.zin}" for alt in b.alternatieven]
        out.append("")
    return out


def missing_markdown(b: Besluit) -> list[str]:
    """'Wat we nog van u nodig hebben' (Awb 4:5), from `ontbrekende_gegevens`."""
    missing = missing_data(b)
    if not missing:
        return []
    return [
        f"**Wat we nog van u nodig hebben.** {HERSTELTERMIJN_INWONER}",
        "",
        *[f"- {line}" for line in missing],
        "",
    ]


def household_markdown(doc: BesluitDocument) -> list[str]:
    """The household part: the Wmo bijdrage stated once per client unit, then any other
    bijdrage (per rit, for an algemene voorziening) that is not part of it."""
    parts = household_contribution(doc)
    covered = {a for part in doc.huishouden_bijdrage for a in part.besluiten}
    paying = [b for b in doc.besluiten if has_bijdrage(b) and b.aanvraag not in covered]
    if not parts and not paying:
        return []
    lines = ["## Eigen bijdrage van het huishouden", ""]
    lines += [
        f"Uw huishouden betaalt voor de maatwerkvoorzieningen samen één eigen bijdrage van {p}."
        for p in parts
    ]
    if parts and paying:
        lines.append("")
    lines += [f"- {nl.hoofdletter(voorziening_naam(b))}: {bijdrage_text(b)}" for b in paying]
    return [*lines, ""]
