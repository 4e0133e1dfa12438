"""Presentation of decisions and articles: rich for the terminal, markdown for a beschikking."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..besluit.model import Besluit, BesluitDocument, Toelichting

if TYPE_CHECKING:
    from rich.console import Console
from ..regels.compiled import CompiledRegelset
from ..regels.model import Artikel

UITKOMST = {
    "toegekend": "toegekend",
    "afgewezen": "afgewezen",
    "niet_ontvankelijk": "niet ontvankelijk",
    None: "geen besluit (zie problemen)",
}
STATUS = {
    "beslissend": "beslissend",
    "toegepast": "toegepast",
    "opzij_gezet": "opzij gezet",
    "niet_van_toepassing": "niet van toepassing",
}


def _euro(bedrag: str) -> str:
    return "€ " + bedrag.replace(".", ",")


def summary_lines(besluit: Besluit) -> list[tuple[str, str]]:
    rows = [("Uitkomst", UITKOMST[besluit.uitkomst.value if besluit.uitkomst else None])]
    if besluit.verwijzing:
        rows.append(("Verwijzing", besluit.verwijzing))
    if besluit.eigen_bijdrage:
        rows.append(
            (
                "Eigen bijdrage",
                f"{_euro(besluit.eigen_bijdrage.bedrag)} per "
                f"{besluit.eigen_bijdrage.per.replace('_', ' ')}",
            )
        )
    if besluit.ingangsdatum:
        rows.append(("Ingangsdatum", besluit.ingangsdatum.isoformat()))
    for name, value in besluit.vaststellingen.items():
        rows.append((name.replace("_", " ").capitalize(), str(value).replace("_", " ")))
    for name, day in besluit.termijnen.items():
        rows.append((name.replace("_", " ").capitalize(), day.isoformat()))
    rows.append(("Beslissende artikelen", ", ".join(besluit.beslissende_artikelen) or "-"))
    return rows


def _basis(step: Toelichting) -> str:
    return (
        "; ".join(
            f"{g.wet} art. {g.artikel}" + (f" lid {g.lid}" if g.lid else "") for g in step.grondslag
        )
        or "geen nationale grondslag"
    )


def to_markdown(doc: BesluitDocument) -> str:
    out = [
        f"# Besluiten casus {doc.casus}",
        "",
        f"Peildatum: {doc.peildatum.isoformat()}  ",
        f"Verordening: {doc.verordening.id}, versie {doc.verordening.versie} "
        f"({doc.verordening.status}), sha256 {doc.verordening.sha256[:12]}  ",
        f"Engine: {doc.engine.versie}",
        "",
    ]
    for b in doc.besluiten:
        out += [f"## Aanvraag {b.aanvraag}: {b.voorziening} (persoon {b.persoon})", ""]
        out += [f"- **{k}:** {v}" for k, v in summary_lines(b)]
        out += [f"- **Probleem:** {p}" for p in b.problemen]
        out += ["", "### Motivering", ""]
        for step in b.artikelen:
            out.append(
                f"**Artikel {step.artikel} {step.titel}** ({STATUS[step.status]}; "
                f"regel `{step.regel}`)  "
            )
            out.append(f"{step.zin}  ")
            links = ", ".join(
                f"[{g.wet} art. {g.artikel}" + (f" lid {g.lid}" if g.lid else "") + f"]({g.url})"
                for g in step.grondslag
            )
            if links:
                out.append(f"Grondslag: {links}  ")
            if step.waarom_niet:
                out.append(f"Waarom niet: {step.waarom_niet}  ")
            if step.feiten:
                facts = ", ".join(f"{k} = {v}" for k, v in step.feiten.items())
                out.append(f"Feiten: {facts}")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def print_rich(doc: BesluitDocument, console: Console) -> None:
    from rich.panel import Panel
    from rich.table import Table

    c = console
    c.print(
        f"[bold]Casus {doc.casus}[/] · peildatum {doc.peildatum.isoformat()} · "
        f"{doc.verordening.id} {doc.verordening.versie} ({doc.verordening.status})"
    )
    for b in doc.besluiten:
        head = Table.grid(padding=(0, 2))
        for key, value in summary_lines(b):
            head.add_row(f"[bold]{key}[/]", value)
        for p in b.problemen:
            head.add_row("[bold red]Probleem[/]", p)
        colour = {"toegekend": "green", "afgewezen": "red"}.get(
            b.uitkomst.value if b.uitkomst else "", "yellow"
        )
        c.print(
            Panel(
                head,
                title=f"Aanvraag {b.aanvraag}: {b.voorziening} ({b.persoon})",
                border_style=colour,
            )
        )
        table = Table(show_lines=False, expand=True)
        table.add_column("Art.", no_wrap=True)
        table.add_column("Status", no_wrap=True)
        table.add_column("Toelichting")
        table.add_column("Grondslag")
        for step in b.artikelen:
            style = {"beslissend": "bold", "niet_van_toepassing": "dim"}.get(step.status, "")
            text = step.zin + (f"\n[dim]{step.waarom_niet}[/]" if step.waarom_niet else "")
            table.add_row(step.artikel, STATUS[step.status], text, _basis(step), style=style)
        c.print(table)


def article_markdown(rs: CompiledRegelset, artikel: Artikel) -> str:
    out = [f"# Artikel {artikel.nummer} {artikel.titel}", "", artikel.tekst.rstrip(), ""]
    for g in artikel.grondslag:
        wet = rs.meta.wetten[g.wet]
        lid = f" lid {g.lid}" if g.lid else ""
        out.append(
            f"- Grondslag: {wet.naam} art. {g.artikel}{lid} "
            f"(https://wetten.overheid.nl/jci1.3:c:{wet.bwb}&artikel={g.artikel})"
        )
    bron = artikel.bron
    out.append(
        f"- Bron: {bron.soort.value}"
        + (f" ({bron.document})" if bron.document else "")
        + (f": {bron.toelichting}" if bron.toelichting else "")
    )
    for regel in artikel.regels:
        out += [
            "",
            f"## Regel `{regel.id}`"
            + (" (professionele beoordeling)" if regel.beoordeling else ""),
        ]
        if regel.als:
            out.append(f"- als: `{regel.als.strip()}`")
        if regel.bepaal:
            out += [f"- bepaal {k}: `{v.strip()}`" for k, v in regel.bepaal.items()]
        if regel.besluit:
            target = regel.besluit.verwijzing or regel.besluit.verwijzing_naar
            out.append(
                f"- besluit: {regel.besluit.uitkomst.value}"
                + (f", verwijzing {target}" if target else "")
            )
        if regel.eigen_bijdrage:
            out.append(
                f"- eigen bijdrage: `{regel.eigen_bijdrage.bedrag}`"
                + (f" per {regel.eigen_bijdrage.per}" if regel.eigen_bijdrage.per else "")
            )
        if regel.ingangsdatum:
            out.append(f"- ingangsdatum: `{regel.ingangsdatum}`")
        if regel.uitzondering_op:
            out.append(f"- uitzondering op: {', '.join(regel.uitzondering_op)}")
        if regel.gaat_voor:
            out.append(f"- gaat voor: {', '.join(regel.gaat_voor)}")
        out.append(f"- uitleg: {regel.uitleg.wel.strip()}")
    return "\n".join(out) + "\n"
