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


def _console() -> Any:
    from rich.console import Console

    return Console(soft_wrap=False, width=int(os.environ.get("COLUMNS", "0")) or None)


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
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["terminal", "json", "markdown"]),
    default="terminal",
    show_default=True,
)
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
