"""Commands that decide cases: evaluate, batch, reproduce."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .app import FORMAT, guarded, main, make_console


@main.command()
@click.argument("case", type=str)
@click.option(
    "--versie",
    help="Use this version (concepts included) instead of the one in force on the peildatum.",
)
@FORMAT
@click.pass_context
@guarded
def evaluate(ctx: click.Context, case: str, versie: str | None, fmt: str) -> None:
    """Decide every request of CASE (a YAML/JSON file, or - for stdin) and explain why."""
    from ..api import load_regelset, read_case

    casus, doc = read_case(case)
    regelset = load_regelset(ctx.obj["regels"], versie=versie, peildatum=casus.peildatum)
    document = regelset.evaluate_casus(casus, doc)
    if fmt == "json":
        text = document.model_dump_json(indent=2) + "\n"
        sys.stdout.write(text)
    elif fmt == "markdown":
        from ..besluit.rendering import to_markdown

        sys.stdout.write(to_markdown(document))
    else:
        from ..besluit.rendering import print_rich

        print_rich(document, make_console())
    if any(b.problemen for b in document.besluiten):
        sys.exit(1)


@main.command()
@click.argument("cases", type=click.Path(exists=True, path_type=Path))
@click.option("--versie", help="Use this version for every case.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 256))
@click.option(
    "--uitvoer",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write JSON Lines here (atomically) instead of stdout.",
)
@click.option(
    "--zonder-uitleg",
    is_flag=True,
    help="Decisions only: 'artikelen' (the explanation) left empty; several times faster.",
)
@click.pass_context
@guarded
def batch(
    ctx: click.Context,
    cases: Path,
    versie: str | None,
    workers: int,
    uitvoer: Path | None,
    zonder_uitleg: bool,
) -> None:
    """Evaluate many cases (JSON Lines file or a folder) in parallel; JSON Lines out."""
    import tempfile
    from concurrent.futures import ProcessPoolExecutor

    from rich.progress import Progress

    from ..batch import evaluate_many, read_cases

    items = list(read_cases(cases))
    executor = ProcessPoolExecutor(workers) if workers > 1 else None
    errors = 0
    lines: list[str] = []
    try:
        with Progress(console=make_console(stderr=True), transient=True) as progress:
            task = progress.add_task("casussen", total=len(items))
            for result in evaluate_many(
                items,
                regels=ctx.obj["regels"],
                versie=versie,
                executor=executor,
                progress=lambda n: progress.advance(task, n),
                explain=not zonder_uitleg,
            ):
                errors += result.error is not None
                lines.append(result.as_json_line())
    finally:
        if executor is not None:
            executor.shutdown()
    text = "".join(line + "\n" for line in lines)
    if uitvoer is None:
        sys.stdout.write(text)
    else:
        fd, tmp = tempfile.mkstemp(dir=uitvoer.parent or Path("."), prefix=".batch-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, uitvoer)
    click.echo(f"{len(items) - errors} beoordeeld, {errors} met fouten", err=True)
    if errors:
        sys.exit(1)


@main.command()
@click.argument("besluit", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("case", type=str)
@click.pass_context
@guarded
def reproduce(ctx: click.Context, besluit: Path, case: str) -> None:
    """Re-evaluate CASE and confirm it gives exactly the decision in BESLUIT (JSON)."""
    import difflib
    import json

    from ..api import ENGINE_VERSION, load_regelset, read_case
    from ..errors import Problem, VerordeningError

    try:
        recorded = json.loads(besluit.read_text("utf-8"))
        versie = recorded["verordening"]["versie"]
        sha = recorded["verordening"]["sha256"]
        engine = recorded["engine"]["versie"]
    except (ValueError, KeyError, TypeError) as exc:
        raise VerordeningError(
            [Problem(str(besluit), None, None, "", f"not a decision document: {exc}")]
        ) from None
    casus, doc = read_case(case)
    regelset = load_regelset(ctx.obj["regels"], versie=versie)
    notes = []
    if regelset.compiled.sha256 != sha:
        notes.append(
            f"regelset {versie} changed since the decision: sha256 {sha[:12]} → "
            f"{regelset.compiled.sha256[:12]}"
        )
    if engine != ENGINE_VERSION:
        notes.append(f"engine version differs: {engine} → {ENGINE_VERSION}")
    again = regelset.evaluate_casus(casus, doc).model_dump(mode="json")
    before = json.dumps(recorded, indent=2, sort_keys=True, ensure_ascii=False).splitlines()
    after = json.dumps(again, indent=2, sort_keys=True, ensure_ascii=False).splitlines()
    if before == after:
        click.echo(f"identiek: {casus.casus} onder versie {versie} (sha256 {sha[:12]})")
        return
    for note in notes:
        click.echo(note)
    for line in difflib.unified_diff(before, after, "vastgelegd", "opnieuw", lineterm="", n=1):
        click.echo(line)
    sys.exit(1)
