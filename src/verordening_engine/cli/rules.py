"""Commands about the rule files themselves: validate, versions, show, schemas."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from .app import guarded, main, make_console


@main.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.pass_context
@guarded
def validate(ctx: click.Context, path: Path | None) -> None:
    """Check regelsets (default: all under --regels) or a case file; all errors at once."""
    from ..api import load_regelset, load_regelset_folder, read_case
    from ..casus.binding import bind_case
    from ..errors import Problem, VerordeningError
    from ..regels.loading import discover
    from ..regels.versions import list_versions

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

    from ..api import versions as list_all

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
    make_console().print(table)


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

    from ..api import load_regelset
    from ..besluit.rendering import article_markdown
    from ..errors import Problem, VerordeningError

    day = peildatum.date() if peildatum else dt.date.today()
    rs = load_regelset(ctx.obj["regels"], versie=versie, peildatum=day).compiled
    for chapter in rs.source.hoofdstukken:
        for art in chapter.artikelen:
            if art.nummer == artikel:
                make_console().print(Markdown(article_markdown(rs, art)))
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


@main.command(name="schemas")
@click.argument("folder", required=False, default="schemas", type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Exit 1 when the files differ from the models.")
@guarded
def schemas_cmd(folder: Path, check: bool) -> None:
    """Write (or check) the JSON Schemas generated from the models."""
    from .. import schemas

    if check:
        stale = schemas.drift(folder)
        for name in stale:
            click.echo(f"verouderd: {folder / name}", err=True)
        sys.exit(1 if stale else 0)
    for name in schemas.write(folder):
        click.echo(f"geschreven: {folder / name}")
