"""Commands that compare or check versions: diff, regress, check."""

from __future__ import annotations

import datetime as dt
import sys

import click

from .app import FORMAT, guarded, main, make_console


@main.command(name="diff")
@click.argument("versie_a")
@click.argument("versie_b")
@FORMAT
@click.pass_context
@guarded
def diff_cmd(ctx: click.Context, versie_a: str, versie_b: str, fmt: str) -> None:
    """Articles, rules, parameters, catalogue and vocabulary that differ between two versions."""
    from ..api import load_regelset
    from ..versies.diff import diff, diff_markdown

    a = load_regelset(ctx.obj["regels"], versie=versie_a).compiled
    b = load_regelset(ctx.obj["regels"], versie=versie_b).compiled
    result = diff(a, b)
    if fmt == "json":
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        return
    if fmt == "markdown":
        sys.stdout.write(diff_markdown(result))
        return
    from rich.table import Table

    console = make_console()
    table = Table(title=f"Artikelen {versie_a} → {versie_b}", show_lines=True)
    for col in ("artikel", "soort", versie_a, versie_b):
        table.add_column(col)
    for art in result.artikelen:
        what = art.soort + (f": {', '.join(art.onderdelen)}" if art.onderdelen else "")
        rules = "; ".join(
            f"{k} {', '.join(v)}"
            for k, v in (
                ("+", art.regels_toegevoegd),
                ("-", art.regels_verwijderd),
                ("~", art.regels_gewijzigd),
            )
            if v
        )
        table.add_row(
            f"{art.artikel} {art.titel}",
            what + (f"\n{rules}" if rules else ""),
            art.tekst_a or "-",
            art.tekst_b or "-",
        )
    console.print(table)
    params = Table(title="Parameters")
    for col in ("parameter", "soort", versie_a, versie_b):
        params.add_column(col)
    for p in result.parameters:
        params.add_row(
            p.parameter, p.soort, "\n".join(p.waarden_a) or "-", "\n".join(p.waarden_b) or "-"
        )
    console.print(params)
    for title, rows in (("Voorzieningen", result.voorzieningen), ("Begrippen", result.begrippen)):
        if rows:
            console.print(f"[bold]{title}[/]: " + ", ".join(f"{r.naam} ({r.soort})" for r in rows))
    if result.leeg:
        console.print("Geen verschillen.")


@main.command()
@click.argument("versie_a")
@click.argument("versie_b")
@click.option("--aantal", default=1000, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option("--seed", "seed_value", default=0, show_default=True, type=int)
@click.option(
    "--peildatum",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date the households are judged on (default: start of version B).",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Processes for evaluating (1: in this process).",
)
@FORMAT
@click.option("--zonder-voorbeelden", is_flag=True, help="Skip the minimal examples.")
@click.option(
    "--voorziening",
    "voorzieningen",
    multiple=True,
    help="Only requests for this voorziening (repeatable).",
)
@click.pass_context
@guarded
def regress(
    ctx: click.Context,
    versie_a: str,
    versie_b: str,
    aantal: int,
    seed_value: int,
    peildatum: dt.datetime | None,
    workers: int,
    fmt: str,
    zonder_voorbeelden: bool,
    voorzieningen: tuple[str, ...],
) -> None:
    """Evaluate generated households under two versions and report what changes for whom."""
    from concurrent.futures import ProcessPoolExecutor

    from rich.progress import Progress

    from ..api import load_regelset
    from ..versies.regression import regress as run
    from ..versies.regression_report import print_report, report_markdown

    a = load_regelset(ctx.obj["regels"], versie=versie_a)
    b = load_regelset(ctx.obj["regels"], versie=versie_b)
    day = peildatum.date() if peildatum else b.compiled.meta.geldig_vanaf
    executor = ProcessPoolExecutor(workers) if workers > 1 else None
    try:
        with Progress(
            console=make_console(stderr=True), transient=True, disable=fmt != "terminal"
        ) as progress:
            task = progress.add_task("huishoudens beoordelen", total=2 * aantal)
            report = run(
                a,
                b,
                aantal=aantal,
                seed_value=seed_value,
                peildatum=day,
                regels=str(ctx.obj["regels"]),
                executor=executor,
                progress=lambda n: progress.advance(task, n),
                examples=not zonder_voorbeelden,
                voorzieningen=list(voorzieningen) or None,
            )
    finally:
        if executor is not None:
            executor.shutdown()
    if fmt == "json":
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    elif fmt == "markdown":
        sys.stdout.write(report_markdown(report))
    else:
        print_report(report, make_console())


@main.command()
@click.argument("versie", required=False)
@click.option(
    "--aantal",
    default=200,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="Generated households per invariant.",
)
@click.option("--seed", "seed_value", default=0, show_default=True, type=int)
@click.pass_context
@guarded
def check(ctx: click.Context, versie: str | None, aantal: int, seed_value: int) -> None:
    """Check the invariants of a version (default: every version); exit 1 on a counterexample."""
    import json

    from ..api import load_regelset, versions
    from ..versies.invariants import check_invariants

    names = [versie] if versie else [v.meta.versie for v in versions(ctx.obj["regels"])]
    console = make_console()
    failed = 0
    for name in names:
        regelset = load_regelset(ctx.obj["regels"], versie=name)
        for result in check_invariants(regelset, aantal=aantal, seed_value=seed_value):
            mark = "[green]ok[/]" if result.voldaan else "[red]GESCHONDEN[/]"
            console.print(f"{name} {mark} {result.id}: {result.omschrijving}")
            if not result.voldaan:
                failed += 1
                console.print(f"  {result.toelichting}", markup=False)
                console.print("  kleinste tegenvoorbeeld:", markup=False)
                text = json.dumps(result.tegenvoorbeeld, default=str, ensure_ascii=False, indent=2)
                console.print(text, markup=False)
    if failed:
        sys.exit(1)
