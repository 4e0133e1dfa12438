"""The `verordening` command: a thin layer over the library (call, then present).

Exit codes: 0 success, 1 a check found problems, 2 invalid input or usage.
Heavy imports happen inside the commands so `--help` and start-up stay fast.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["terminal", "json", "markdown"]),
    default="terminal",
    show_default=True,
    help="terminal (rich), json, or markdown to paste into a document.",
)
DEFAULT_REGELS = os.environ.get("VERORDENING_REGELS", "regels")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("verordening-engine")
    except PackageNotFoundError:
        return "0+unknown"


def guarded(func: F) -> F:
    """Turn library errors into one clear message and an exit code, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .errors import EvaluationError, VerordeningError

        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            return func(*args, **kwargs)
        except VerordeningError as exc:
            if debug:
                raise
            for problem in exc.problems:
                click.echo(f"fout: {problem}", err=True)
            sys.exit(2)
        except EvaluationError as exc:
            if debug:
                raise
            click.echo(f"fout in de regels: {exc}", err=True)
            sys.exit(2)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # a bug: say so plainly
            if debug:
                raise
            click.echo(
                f"interne fout ({type(exc).__name__}): {exc}. Gebruik --debug voor details.",
                err=True,
            )
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    width = int(os.environ.get("COLUMNS", "0")) or None
    return Console(soft_wrap=False, width=width, stderr=stderr)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(_version(), prog_name="verordening")
@click.option(
    "--regels",
    default=DEFAULT_REGELS,
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder with the regelsets (or env VERORDENING_REGELS).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def main(ctx: click.Context, regels: Path, debug: bool) -> None:
    """Integrale verordening sociaal domein Dordrecht: executable, explained rules."""
    ctx.obj = {"regels": regels}


@main.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.pass_context
@guarded
def validate(ctx: click.Context, path: Path | None) -> None:
    """Check regelsets (default: all under --regels) or a case file; all errors at once."""
    from .api import load_regelset, load_regelset_folder, read_case
    from .case_binding import bind_case
    from .errors import Problem, VerordeningError
    from .loading import discover
    from .versions import list_versions

    target = path or ctx.obj["regels"]
    if target.is_file() and target.name != "regelset.yaml":
        casus, doc = read_case(target)
        regelset = load_regelset(ctx.obj["regels"], peildatum=casus.peildatum)
        bind_case(regelset.compiled, casus, doc)
        click.echo(f"ok: {target} is a valid case for version {regelset.versie}")
        return
    folder = target.parent if target.is_file() else target
    problems: list[Problem] = []
    summary = []
    if not (folder / "regelset.yaml").is_file():
        try:
            list_versions(folder)
        except VerordeningError as exc:
            problems.extend(exc.problems)
    folders = discover(folder)
    if not folders:
        raise VerordeningError([Problem(str(folder), None, None, "", "no regelset.yaml found")])
    for version_folder in folders:
        try:
            rs = load_regelset_folder(version_folder).compiled
            articles = sum(len(ch.artikelen) for ch in rs.source.hoofdstukken)
            summary.append(
                f"ok: {version_folder} (versie {rs.meta.versie}, {rs.meta.status}): "
                f"{articles} artikelen, {len(rs.rules)} regels, "
                f"{len(rs.parameters)} parameters"
            )
        except VerordeningError as exc:
            problems.extend(exc.problems)
    if problems:
        raise VerordeningError(problems)
    for line in summary:
        click.echo(line)


@main.command()
@click.pass_context
@guarded
def versions(ctx: click.Context) -> None:
    """All versions with status and dates (the timeline)."""
    from rich.table import Table

    from .api import versions as list_all

    table = Table(title="Versies")
    for col in ("regelset", "versie", "status", "geldig vanaf", "geldig tot", "map"):
        table.add_column(col)
    for v in list_all(ctx.obj["regels"]):
        m = v.meta
        table.add_row(
            m.id,
            m.versie,
            m.status.value,
            m.geldig_vanaf.isoformat(),
            m.geldig_tot.isoformat() if m.geldig_tot else "-",
            str(v.folder),
        )
    _console().print(table)


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
    from .api import load_regelset, read_case

    casus, doc = read_case(case)
    regelset = load_regelset(ctx.obj["regels"], versie=versie, peildatum=casus.peildatum)
    document = regelset.evaluate_casus(casus, doc)
    if fmt == "json":
        text = document.model_dump_json(indent=2) + "\n"
        sys.stdout.write(text)
    elif fmt == "markdown":
        from .rendering import to_markdown

        sys.stdout.write(to_markdown(document))
    else:
        from .rendering import print_rich

        print_rich(document, _console())
    if any(b.problemen for b in document.besluiten):
        sys.exit(1)


@main.command()
@click.argument("artikel")
@click.option("--versie", help="Version id (default: the one in force on --peildatum).")
@click.option(
    "--peildatum",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date for choosing the version (default: today).",
)
@click.pass_context
@guarded
def show(
    ctx: click.Context, artikel: str, versie: str | None, peildatum: dt.datetime | None
) -> None:
    """Show an article: text, legal basis, source and its rules."""
    from rich.markdown import Markdown

    from .api import load_regelset
    from .errors import Problem, VerordeningError
    from .rendering import article_markdown

    day = peildatum.date() if peildatum else dt.date.today()
    rs = load_regelset(ctx.obj["regels"], versie=versie, peildatum=day).compiled
    for chapter in rs.source.hoofdstukken:
        for art in chapter.artikelen:
            if art.nummer == artikel:
                _console().print(Markdown(article_markdown(rs, art)))
                return
    known = ", ".join(a.nummer for ch in rs.source.hoofdstukken for a in ch.artikelen)
    raise VerordeningError(
        [
            Problem(
                "ARTIKEL",
                None,
                None,
                "artikel",
                f"no artikel '{artikel}' in version {rs.meta.versie} (known: {known})",
            )
        ]
    )


@main.command()
@click.argument("path", required=False, default="scenarios", type=click.Path(path_type=Path))
@click.pass_context
@guarded
def scenarios(ctx: click.Context, path: Path) -> None:
    """Run scenario files and compare with their expected decisions (exit 1 on a failure)."""
    from rich.table import Table

    from .scenario_runner import run_scenarios

    results = run_scenarios(path, ctx.obj["regels"])
    table = Table(title=f"Scenario's in {path}")
    for col in ("scenario", "versie", "resultaat"):
        table.add_column(col)
    for r in results:
        table.add_row(r.casus, r.versie or "-", "[green]ok[/]" if r.passed else "[red]FOUT[/]")
    console = _console()
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

    from .api import load_regelset
    from .article_coverage import article_coverage
    from .scenario_runner import run_scenarios

    results = run_scenarios(path, ctx.obj["regels"])
    used = [versie] if versie else sorted({r.versie for r in results if r.versie})
    console = _console()
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


@main.command(name="diff")
@click.argument("versie_a")
@click.argument("versie_b")
@FORMAT
@click.pass_context
@guarded
def diff_cmd(ctx: click.Context, versie_a: str, versie_b: str, fmt: str) -> None:
    """Articles, rules, parameters, catalogue and vocabulary that differ between two versions."""
    from .api import load_regelset
    from .version_diff import diff, diff_markdown

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

    console = _console()
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

    from .api import load_regelset
    from .regression import regress as run
    from .regression_report import print_report, report_markdown

    a = load_regelset(ctx.obj["regels"], versie=versie_a)
    b = load_regelset(ctx.obj["regels"], versie=versie_b)
    day = peildatum.date() if peildatum else b.compiled.meta.geldig_vanaf
    executor = ProcessPoolExecutor(workers) if workers > 1 else None
    try:
        with Progress(
            console=_console(stderr=True), transient=True, disable=fmt != "terminal"
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
        print_report(report, _console())


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

    from .api import load_regelset, versions
    from .invariant_check import check_invariants

    names = [versie] if versie else [v.meta.versie for v in versions(ctx.obj["regels"])]
    console = _console()
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


@main.command()
@click.argument("cases", type=click.Path(exists=True, path_type=Path))
@click.option("--versie", help="Use this version for every case.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 256))
@click.option(
    "--uitvoer",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write JSON Lines here (atomically) instead of stdout.",
)
@click.pass_context
@guarded
def batch(
    ctx: click.Context, cases: Path, versie: str | None, workers: int, uitvoer: Path | None
) -> None:
    """Evaluate many cases (JSON Lines file or a folder) in parallel; JSON Lines out."""
    import os
    import tempfile
    from concurrent.futures import ProcessPoolExecutor

    from rich.progress import Progress

    from .batch import evaluate_many, read_cases

    items = list(read_cases(cases))
    executor = ProcessPoolExecutor(workers) if workers > 1 else None
    errors = 0
    lines: list[str] = []
    try:
        with Progress(console=_console(stderr=True), transient=True) as progress:
            task = progress.add_task("casussen", total=len(items))
            for result in evaluate_many(
                items,
                regels=ctx.obj["regels"],
                versie=versie,
                executor=executor,
                progress=lambda n: progress.advance(task, n),
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

    from .api import ENGINE_VERSION, load_regelset, read_case
    from .errors import Problem, VerordeningError

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


@main.command(name="schemas")
@click.argument("folder", required=False, default="schemas", type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Exit 1 when the files differ from the models.")
@guarded
def schemas_cmd(folder: Path, check: bool) -> None:
    """Write (or check) the JSON Schemas generated from the models."""
    from . import schemas

    if check:
        stale = schemas.drift(folder)
        for name in stale:
            click.echo(f"verouderd: {folder / name}", err=True)
        sys.exit(1 if stale else 0)
    for name in schemas.write(folder):
        click.echo(f"geschreven: {folder / name}")
