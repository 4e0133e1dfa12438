"""Commands that compare or check versions: diff, regress, check."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .app import FORMAT, guarded, main, make_console, regels_of

if TYPE_CHECKING:
    from ..api import Regelset

REPORT_FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["terminal", "json", "markdown", "html"]),
    default="terminal",
    show_default=True,
    help="terminal (rich), json, markdown, or html (one self-contained page with charts).",
)


def _part(text: str) -> tuple[int, int]:
    k, _, n = text.partition("/")
    if not (k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise click.BadParameter(
            f"'{text}': write K/N with 1 <= K <= N, e.g. 1/2", param_hint="--deel"
        )
    return int(k), int(n)


def load_version(ctx: click.Context, versie: str) -> Regelset:
    """A version by name under --regels, or a version folder given as a path (a draft
    anywhere, e.g. one that states only its changes with `basis:`)."""
    from ..api import load_regelset, load_regelset_folder

    root = Path(regels_of(ctx))
    folder = Path(versie)
    if (folder / "regelset.yaml").is_file():
        return load_regelset_folder(folder)
    return load_regelset(root, versie=versie)


@main.command(name="diff")
@click.argument("versie_a")
@click.argument("versie_b")
@FORMAT
@click.pass_context
@guarded
def diff_cmd(ctx: click.Context, versie_a: str, versie_b: str, fmt: str) -> None:
    """Articles, rules, parameters, catalogue and vocabulary that differ between two versions."""
    from ..versies.diff import diff, diff_markdown

    a = load_version(ctx, versie_a).compiled
    b = load_version(ctx, versie_b).compiled
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
    for art in result.artikelen:
        for change in art.wijzigingen:
            console.print(f"artikel {art.artikel}: {change}", markup=False, highlight=False)
    for p in result.parameters:
        if p.artikelen:
            console.print(f"{p.parameter} wordt gebruikt in artikel {', '.join(p.artikelen)}")
    for warning in result.waarschuwingen:
        console.print(f"[yellow]waarschuwing[/]: {warning}")
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
@REPORT_FORMAT
@click.option(
    "--uitvoer",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File for the html report (default: regressie-A-B.html).",
)
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
    uitvoer: Path | None,
    zonder_voorbeelden: bool,
    voorzieningen: tuple[str, ...],
) -> None:
    """Evaluate generated households under two versions and report what changes for whom.

    VERSIE_A and VERSIE_B are version names under --regels or version folders (drafts too).
    """
    from concurrent.futures import ProcessPoolExecutor

    from rich.progress import Progress, TaskID

    from ..versies.regression import regress as run
    from ..versies.regression_report import deciding_kinds, print_report, report_markdown

    a = load_version(ctx, versie_a)
    b = load_version(ctx, versie_b)
    day = peildatum.date() if peildatum else b.compiled.meta.geldig_vanaf
    executor = ProcessPoolExecutor(workers) if workers > 1 else None
    try:
        errors = make_console(stderr=True)
        with Progress(console=errors, transient=True, disable=not errors.is_terminal) as progress:
            current: list[TaskID] = []

            def phase(name: str, total: int) -> None:
                if current:
                    progress.update(current[-1], visible=False)
                current.append(progress.add_task(name, total=total or None))

            report = run(
                a,
                b,
                aantal=aantal,
                seed_value=seed_value,
                peildatum=day,
                executor=executor,
                progress=lambda n: progress.advance(current[-1], n) if current else None,
                examples=not zonder_voorbeelden,
                voorzieningen=list(voorzieningen) or None,
                phase=phase,
            )
    finally:
        if executor is not None:
            executor.shutdown()
    deciding = deciding_kinds(a, b)
    if fmt == "json":
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    elif fmt == "markdown":
        sys.stdout.write(report_markdown(report, deciding))
    elif fmt == "html":
        from ..versies.regression_html import report_html

        target = uitvoer or Path(f"regressie-{report.versie_a}-{report.versie_b}.html")
        target.write_text(report_html(report, deciding), encoding="utf-8")
        click.echo(f"rapport geschreven: {target}", err=True)
    else:
        print_report(report, make_console(), deciding)


@main.command()
@click.argument("versie")
@click.option(
    "--aantal",
    default=1000,
    show_default=True,
    type=click.IntRange(1, 1_000_000),
    help="Households per regression run.",
)
@click.option("--seed", "seed_value", default=0, show_default=True, type=int)
@click.option(
    "--scenarios",
    "scenario_folder",
    default="scenarios",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Scenario files: a draft that changes one of them must be seen.",
)
@click.option(
    "--alleen",
    "only",
    multiple=True,
    help="Only drafts whose id starts with this (a parameter or rule id; repeatable).",
)
@click.option(
    "--deel",
    default="1/1",
    show_default=True,
    help="Run part K of N of the drafts (K/N), e.g. to spread them over machines.",
)
@FORMAT
@click.pass_context
@guarded
def mutatietoets(
    ctx: click.Context,
    versie: str,
    aantal: int,
    seed_value: int,
    scenario_folder: Path,
    only: tuple[str, ...],
    deel: str,
    fmt: str,
) -> None:
    """One-change drafts of VERSIE (each parameter up and down, each < <-> <=): does `regress`
    see each change? Exit 1 when a change that alters a scenario goes unseen."""
    from rich.progress import Progress

    from ..versies.mutation import mutatietoets as run
    from ..versies.mutation import report_markdown

    original = load_version(ctx, versie)
    errors = make_console(stderr=True)
    with Progress(console=errors, transient=True, disable=not errors.is_terminal) as progress:
        task = progress.add_task("proefwijzigingen vergelijken", total=None)
        report = run(
            original,
            aantal=aantal,
            seed_value=seed_value,
            scenarios=scenario_folder if scenario_folder.is_dir() else None,
            only=(lambda m: m.id.startswith(only)) if only else None,
            progress=lambda _: progress.advance(task, 1),
            part=_part(deel),
        )
    if fmt == "json":
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    elif fmt == "markdown":
        sys.stdout.write(report_markdown(report))
    else:
        from rich.markdown import Markdown

        make_console().print(Markdown(report_markdown(report)))
    if report.gemist:
        sys.exit(1)


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

    from ..api import versions
    from ..versies.invariants import check_invariants

    names = [versie] if versie else [v.meta.versie for v in versions(regels_of(ctx))]
    console = make_console()
    failed = 0
    for name in names:
        regelset = load_version(ctx, name)
        with console.status(f"{name}: invarianten en eigenschappen controleren") as status:

            def show(ident: str, version: str = name) -> None:
                status.update(f"{version}: {ident} controleren")

            results = check_invariants(
                regelset, aantal=aantal, seed_value=seed_value, progress=show
            )
        for result in results:
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
