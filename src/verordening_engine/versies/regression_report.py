"""Presentation of a regression report: rich tables for the terminal, markdown for an advice."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..versies.regression import RegressieRapport

if TYPE_CHECKING:
    from rich.console import Console

BANDS = (
    ("verlies_groot", "betaalt meer (> 5%)"),
    ("verlies_klein", "betaalt iets meer"),
    ("gelijk", "gelijk"),
    ("winst_klein", "betaalt iets minder"),
    ("winst_groot", "betaalt minder (> 5%)"),
)


def _why(besluit: dict | None) -> str:  # type: ignore[type-arg]
    if besluit is None:
        return "niet in de catalogus van deze versie"
    steps = [s for s in besluit["artikelen"] if s["status"] == "beslissend"]
    return " ".join(f"Art. {s['artikel']}: {s['zin']}" for s in steps) or "-"


def report_markdown(r: RegressieRapport) -> str:
    out = [
        f"# Regressie {r.versie_a} → {r.versie_b}",
        "",
        f"{r.huishoudens} gegenereerde huishoudens (seed {r.seed}, peildatum "
        f"{r.peildatum.isoformat()}), {r.aanvragen} aanvragen. Gewijzigd: "
        f"{r.huishoudens_gewijzigd} huishoudens, {r.aanvragen_gewijzigd} aanvragen.",
        "",
        "## Per voorziening",
        "",
        "| voorziening | aanvragen | gewijzigd |",
        "|---|---:|---:|",
    ]
    out += [f"| {v.voorziening} | {v.aanvragen} | {v.gewijzigd} |" for v in r.per_voorziening]
    out += ["", "## Overgangen", "", "| voorziening | van | naar | aantal |", "|---|---|---|---:|"]
    out += [
        f"| {o.voorziening} | {o.van} | {o.naar} | {o.aantal} |"
        for o in r.overgangen
        if o.van != o.naar
    ]
    e = r.eigen_bijdrage
    out += [
        "",
        "## Eigen bijdrage",
        "",
        f"Totaal {r.versie_a}: € {e.totaal_a}; {r.versie_b}: € {e.totaal_b}; verschil € "
        f"{e.verschil} (som van de bedragen per periode van de voorziening).",
        "",
    ]
    out += [f"- {label}: {getattr(e.huishoudens, key)} huishoudens" for key, label in BANDS]
    out += ["", "## Per artikel (aanvragen waar de toepassing veranderde)", ""]
    out += [f"- artikel {a}: {n}" for a, n in r.per_artikel.items()] or ["Geen."]
    out += ["", "## Kleinste voorbeelden", ""]
    for v in r.voorbeelden:
        out += [
            f"### {v.soort} ({v.aantal}×)",
            "",
            f"Gevonden door: {v.gevonden_door}.",
            "",
            "```json",
            json.dumps(v.huishouden, ensure_ascii=False, indent=1),
            "```",
            "",
            f"- **{r.versie_a}**: {_why(v.besluit_a)}",
            f"- **{r.versie_b}**: {_why(v.besluit_b)}",
            "",
        ]
    return "\n".join(out).rstrip() + "\n"


def print_report(r: RegressieRapport, console: Console) -> None:
    from rich.markdown import Markdown

    console.print(Markdown(report_markdown(r)))
