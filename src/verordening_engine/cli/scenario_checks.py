"""Commands that run the scenario files: scenarios, dekking."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .app import guarded, main, make_console


@main.command()
@click.argument("path", required=False, default="scenarios", type=click.Path(path_type=Path))
@click.pass_context
@guarded
def scenarios(ctx: click.Context, path: Path) -> None:
    """Run scenario files and compare with their expected decisions (exit 1 on a failure)."""
    from rich.table import Table

    from ..scenarios.runner import run_scenarios

    results = run_scenarios(path, ctx.obj["regels"])
    table = Table(title=f"Scenario's in {path}")
    for col in ("scenario", "versie", "resultaat"):
        table.add_column(col)
    for r in results:
        table.add_row(r.casus, r.versie or "-", "[green]ok[/]" if r.passed else "[red]FOUT[/]")
    console = make_console()
    console.print(table)
    for r in results:
        if not r.passed:
            console.print(f"[red]{r.file}[/]")
            for line in ([r.error] if r.error else []) + r.differences:
                console.print(f"  {line}", markup=False)
    passed = sum(r.passed for r in results)
    console.print(f"{passed} passed, {len(results) - passed} failed")
    if not results or passed != len(results):
        sys.exit(1)


@main.command()
@click.argument("path", required=False, default="scenarios", type=click.Path(path_type=Path))
@click.option("--versie", help="Version to report on (default: every version a scenario used).")
@click.pass_context
@guarded
def dekking(ctx: click.Context, path: Path, versie: str | None) -> None:
    """Article coverage by the scenarios: which articles applied or decided, which never did."""
    from rich.table import Table

    from ..api import load_regelset
    from ..scenarios.coverage import article_coverage
    from ..scenarios.runner import run_scenarios

    results = run_scenarios(path, ctx.obj["regels"])
    used = [versie] if versie else sorted({r.versie for r in results if r.versie})
    console = make_console()
    uncovered = 0
    for version in used:
        rs = load_regelset(ctx.obj["regels"], versie=version).compiled
        table = Table(title=f"Artikeldekking versie {version}")
        for col in ("artikel", "titel", "beslist", "toegepast", "beslissend", "gedekt"):
            table.add_column(col)
        for row in article_coverage(rs, results):
            uncovered += not row.gedekt
            table.add_row(
                row.artikel,
                row.titel,
                "ja" if row.kan_beslissen else "nee",
                str(len(row.toegepast_in)),
                str(len(row.beslissend_in)),
                "[green]ja[/]" if row.gedekt else "[red]nee[/]",
            )
        console.print(table)
    console.print(f"{uncovered} artikelen niet gedekt")
    if uncovered:
        sys.exit(1)
