"""`verordening batch`: many cases in, one JSON Lines record per case out, nothing lost.

Records are written as they come, in input order (bounded memory); see the batch package for the
records, its workers module for the worker processes and its output module for the target.
Exit 0 when every case was decided, 1 when some gave an error record, 2 when the input or
the target cannot be used, 128+N when stopped by signal N (Ctrl-C, SIGTERM).
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import click

from .app import guarded, main, make_console, regels_of
from .cases import BUITEN_GELDIGHEID


class _Stopped(Exception):
    def __init__(self, signum: int) -> None:
        self.signum = signum


def _raise_stopped(signum: int, _frame: FrameType | None) -> None:
    raise _Stopped(signum)


@main.command()
@click.argument("cases", type=click.Path(exists=True, path_type=Path))
@click.option("--versie", help="Use this version for every case (else each case's versie:).")
@BUITEN_GELDIGHEID
@click.option(
    "--zonder-uitleg",
    is_flag=True,
    help="Decisions only: 'artikelen' (the explanation) left empty; several times faster.",
)
@click.option(
    "--zonder-alternatieven",
    is_flag=True,
    help="Explain, but skip the search for what would change the outcome "
    "('alternatieven' left empty): the costly part of an explained batch.",
)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 256))
@click.option(
    "--uitvoer",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write JSON Lines here (a file is replaced only when the run succeeds) instead of stdout.",
)
@click.pass_context
@guarded
def batch(
    ctx: click.Context,
    cases: Path,
    versie: str | None,
    buiten_geldigheid: bool,
    zonder_uitleg: bool,
    zonder_alternatieven: bool,
    workers: int,
    uitvoer: Path | None,
) -> None:
    """Evaluate many cases (JSON Lines file or a folder) in parallel; JSON Lines out."""
    from rich.progress import Progress

    from ..batch import BatchResult, Keuzes, evaluate_many, input_size_hint, read_cases
    from ..batch.output import OutputError, RecordSink, silence_stdout
    from ..batch.workers import WorkerPool

    try:
        sink = RecordSink(uitvoer)  # before any work: an unwritable target is refused
    except OutputError as exc:
        click.echo(f"fout: {exc}", err=True)
        sys.exit(2)
    previous = signal.signal(signal.SIGTERM, _raise_stopped)
    keuzes = Keuzes(
        versie,
        buiten_geldigheid,
        alternatieven=not zonder_alternatieven,
        explain=not zonder_uitleg,
    )
    pool = WorkerPool(str(regels_of(ctx)), keuzes, workers) if workers > 1 else None
    counts = {"ok": 0, "fout": 0}
    committed = False
    try:
        with Progress(
            console=make_console(stderr=True), transient=True, disable=not sys.stderr.isatty()
        ) as progress:
            task = progress.add_task("casussen", total=input_size_hint(cases))
            inputs = read_cases(cases)

            def advance(n: int) -> None:
                progress.advance(task, n)

            results: Iterator[BatchResult] = (
                pool.results(inputs, advance)
                if pool is not None
                else evaluate_many(
                    inputs,
                    regels=regels_of(ctx),
                    versie=versie,
                    buiten_geldigheid=buiten_geldigheid,
                    alternatieven=not zonder_alternatieven,
                    explain=not zonder_uitleg,
                    progress=advance,
                )
            )
            for result in results:
                counts["fout" if result.error is not None else "ok"] += 1
                sink.write(result.as_json_line())
        sink.commit()
        committed = True
    except OutputError as exc:
        if uitvoer is None:
            silence_stdout()
        click.echo(f"fout: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("afgebroken (Ctrl-C); geen uitvoerbestand geschreven", err=True)
        sys.exit(128 + signal.SIGINT)
    except _Stopped as exc:
        click.echo("afgebroken (SIGTERM); geen uitvoerbestand geschreven", err=True)
        sys.exit(128 + exc.signum)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if pool is not None:
            pool.close()
        if not committed:
            sink.abort()
    click.echo(f"{counts['ok']} beoordeeld, {counts['fout']} met fouten", err=True)
    if pool is not None and pool.lost:
        click.echo(f"{len(pool.lost)} keer een worker verloren en vervangen", err=True)
    if counts["fout"]:
        sys.exit(1)
