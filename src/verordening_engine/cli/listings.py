"""`verordening parameters` and `verordening begrippen`: what a version knows, as tables."""

from __future__ import annotations

import datetime as dt
import sys

import click

from .app import FORMAT, guarded, main, make_console, regels_of


def _day(versie_start: dt.date, covers_today: bool, peildatum: dt.datetime | None) -> dt.date:
    if peildatum is not None:
        return peildatum.date()
    return dt.date.today() if covers_today else versie_start


@main.command()
@click.option("--versie", help="Version id (default: the one in force on --peildatum).")
@click.option(
    "--peildatum",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Values on this date (default: today; for --versie not in force today, its first day).",
)
@FORMAT
@click.pass_context
@guarded
def parameters(
    ctx: click.Context, versie: str | None, peildatum: dt.datetime | None, fmt: str
) -> None:
    """Parameters of a version: value on the date, unit, source and verification status."""
    from ..api import load_regelset, versions
    from ..regels.overview import parameters_on
    from ..regels.versions import select_version

    regels = regels_of(ctx)
    today = dt.date.today()
    info = select_version(versions(regels), peildatum.date() if peildatum else today, versie)
    day = _day(info.meta.geldig_vanaf, info.covers(today), peildatum)
    rows = parameters_on(load_regelset(info.folder).compiled, day)
    if fmt == "json":
        sys.stdout.write("[\n" + ",\n".join("  " + r.model_dump_json() for r in rows) + "\n]\n")
        return
    if fmt == "markdown":
        out = [
            f"# Parameters van versie {info.meta.versie} op {day.isoformat()}\n",
            "| parameter | waarde | eenheid | sinds | status | bron |",
            "|---|---|---|---|---|---|",
        ]
        for r in rows:
            out.append(
                f"| {r.parameter} | {_shown(r.waarde)} | {r.eenheid} | "
                f"{r.vanaf or '-'} | {r.status or '-'} | {r.bron or '-'} |"
            )
        sys.stdout.write("\n".join(out) + "\n")
        return
    from rich.table import Table

    table = Table(title=f"Parameters van versie {info.meta.versie} op {day.isoformat()}")
    for col in ("parameter", "waarde", "eenheid", "sinds", "status", "bron"):
        table.add_column(col, overflow="fold")
    for r in rows:
        status = r.status or "-"
        if status != "geverifieerd":
            status = f"[yellow]{status}[/]"
        table.add_row(
            r.parameter, _shown(r.waarde), r.eenheid, str(r.vanaf or "-"), status, r.bron or "-"
        )
    make_console().print(table)


def _shown(value: object) -> str:
    return "geen waarde" if value is None else str(value)


@main.command()
@click.option("--versie", help="Version id (default: the one in force today).")
@FORMAT
@click.pass_context
@guarded
def begrippen(ctx: click.Context, versie: str | None, fmt: str) -> None:
    """Facts of a version: type, omschrijving and who provides it (the case or a rule)."""
    from ..api import load_regelset, versions
    from ..regels.overview import begrippen as list_facts
    from ..regels.versions import select_version

    info = select_version(versions(regels_of(ctx)), dt.date.today(), versie)
    rows = list_facts(load_regelset(info.folder).compiled)
    if fmt == "json":
        sys.stdout.write("[\n" + ",\n".join("  " + r.model_dump_json() for r in rows) + "\n]\n")
        return
    if fmt == "markdown":
        out = [
            f"# Begrippen van versie {info.meta.versie}\n",
            "| begrip | soort | type | omschrijving | geleverd door |",
            "|---|---|---|---|---|",
        ]
        for r in rows:
            text = " ".join(r.omschrijving.split())
            out.append(f"| {r.naam} | {r.soort} | {_type(r)} | {text} | {r.geleverd_door} |")
        sys.stdout.write("\n".join(out) + "\n")
        return
    from rich.table import Table

    table = Table(title=f"Begrippen van versie {info.meta.versie}", show_lines=True)
    for col in ("begrip", "soort", "type", "omschrijving", "geleverd door"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r.naam, r.soort, _type(r), " ".join(r.omschrijving.split()), r.geleverd_door)
    make_console().print(table)


def _type(row: object) -> str:
    from ..regels.overview import Begrip

    assert isinstance(row, Begrip)
    out = row.type
    if row.eenheid:
        out += f" ({row.eenheid})"
    if row.waarden:
        out += ": " + ", ".join(row.waarden)
    return out
