"""The terminal view of a decision: the outcome first, then why, then what would change it.

`print_decisions` is the default (fits one 80-column screen per request in the usual
case); `print_steps` adds every explanation step as a table (`--volledig`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import dutch as nl
from .model import Besluit, BesluitDocument
from .motivering import (
    HERSTELTERMIJN_CONSULENT,
    also_checked,
    basis_list,
    basis_parts,
    basis_text,
    household_contribution,
    missing_data,
    reasons,
    summary_rows,
    voorziening_naam,
)

if TYPE_CHECKING:
    from rich.console import Console

STATUS = {
    "beslissend": "beslissend",
    "toegepast": "toegepast",
    "opzij_gezet": "opzij gezet",
    "niet_van_toepassing": "niet van toepassing",
}
SHOWN_ALTERNATIVES = 3


def print_document(doc: BesluitDocument, console: Console, volledig: bool = False) -> None:
    from rich.markup import escape

    console.print(
        f"[bold]Casus {escape(doc.casus)}[/] · peildatum {nl.datum(doc.peildatum)} · "
        f"versie {doc.verordening.versie} ({doc.verordening.status})"
    )
    for besluit in doc.besluiten:
        print_decision(besluit, console)
        if volledig:
            print_steps(besluit, console)
    for household in household_contribution(doc):
        console.print(f"[bold]Eigen bijdrage van het huishouden[/]: {household}")


def print_decision(b: Besluit, console: Console) -> None:
    from rich.markup import escape
    from rich.padding import Padding
    from rich.panel import Panel
    from rich.table import Table

    head = Table.grid(padding=(0, 2))
    for key, value in summary_rows(b):
        head.add_row(f"[bold]{escape(key)}[/]", escape(value))
    for p in b.problemen:
        head.add_row("[bold red]Probleem[/]", escape(p))
    colour = {"toegekend": "green", "afgewezen": "red"}.get(
        b.uitkomst.value if b.uitkomst else "", "yellow"
    )
    title = f"Aanvraag {b.aanvraag}: {voorziening_naam(b)} ({b.persoon})"
    console.print(Panel(head, title=escape(title), border_style=colour))

    def indented(text: str, level: int = 1) -> None:
        console.print(Padding(text, (0, 0, 0, 2 * level), expand=False))

    why = reasons(b)
    if why:
        console.print("[bold]Waarom[/]")
    for reason in why:
        links = "; ".join(
            escape(wet)
            + " "
            + ", ".join(f"[link={g.url}]{escape(text)}[/link]" for text, g in basis_parts(refs))
            for wet, refs in basis_list(reason.grondslag)
        )
        indented(
            f"[bold]Artikel {reason.artikel} {escape(reason.titel)}[/]"
            + (f" · {links}" if links else "")
        )
        for zin in reason.zinnen:
            indented(escape(zin), 2)
        if reason.feiten:
            indented("[dim]Vastgesteld: " + escape("; ".join(reason.feiten)) + "[/]", 2)
    checked = also_checked(b)
    if checked:
        indented(f"[dim]Ook getoetst: {', '.join(checked)}[/]")
    missing = missing_data(b)
    if missing:
        console.print("[bold]Wat we nog van u nodig hebben[/]")
        indented(escape(HERSTELTERMIJN_CONSULENT))
        for line, item in zip(missing, b.ontbrekende_gegevens, strict=True):
            indented(f"• {escape(line)}")
            indented(f"[dim]in de casus: {escape(item.pad)}[/]", 2)
    if b.alternatieven:
        console.print("[bold]Wat de uitkomst zou veranderen[/]")
        for alt in b.alternatieven[:SHOWN_ALTERNATIVES]:
            indented(f"• {escape(alt.zin)}")
        rest = len(b.alternatieven) - SHOWN_ALTERNATIVES
        if rest > 0:
            indented(f"[dim]… en {rest} meer (--format json)[/]")


def print_steps(b: Besluit, console: Console) -> None:
    """Every step as today: article, status, sentence, why not, condition, legal basis."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(show_lines=False, expand=True)
    table.add_column("Art.", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Toelichting")
    table.add_column("Grondslag")
    for step in b.artikelen:
        style = {"beslissend": "bold", "niet_van_toepassing": "dim"}.get(step.status, "")
        text = escape(step.zin)
        if step.waarom_niet:
            text += f"\n[dim]{escape(step.waarom_niet)}[/]"
        if step.voorwaarde:
            text += f"\n[dim]voorwaarde: {escape(step.voorwaarde)} · regel {escape(step.regel)}[/]"
        basis = "; ".join(basis_text(g) for g in step.grondslag) or "geen nationale grondslag"
        table.add_row(step.artikel, STATUS[step.status], text, escape(basis), style=style)
    console.print(table)
