"""Commands that decide cases: evaluate, batch, reproduce."""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import app
from .app import FORMAT, guarded, main, make_console, regels_of

if TYPE_CHECKING:
    from ..api import Regelset
    from ..casus.model import Casus
    from ..reading.yaml_loading import LocatedDocument

BUITEN_GELDIGHEID = click.option(
    "--buiten-geldigheid",
    is_flag=True,
    help="What-if: allow a peildatum outside the chosen version's validity.",
)


@main.command()
@click.argument("case", type=str)
@click.option(
    "--versie",
    help="Use this version (concepts included) instead of the case's versie: or the one in "
    "force on the peildatum.",
)
@BUITEN_GELDIGHEID
@FORMAT
@click.option(
    "--volledig",
    is_flag=True,
    help="Terminal: show every explanation step (applied or not), not only what decided.",
)
@click.pass_context
@guarded
def evaluate(
    ctx: click.Context,
    case: str,
    versie: str | None,
    buiten_geldigheid: bool,
    fmt: str,
    volledig: bool,
) -> None:
    """Decide every request of CASE (a YAML/JSON file, or - for stdin) and explain why.

    The terminal view shows the outcome first, the deciding articles with the established
    facts, and what would change the outcome; --volledig adds every step. Exit 1 when a
    request is not decided (a fact is missing, or a conflict in the rules).
    """
    from ..api import load_regelset, read_case

    casus, doc = read_case(case, regels=regels_of(ctx), versie=versie)
    regelset = load_regelset(
        regels_of(ctx), versie=versie or casus.versie, peildatum=casus.peildatum
    )
    if app.STANDALONE:
        # one case, then the process ends: what is loaded now lives until then, so the
        # collector need not scan it again, nor at exit (that took ~30 ms of a cold start)
        gc.freeze()
    _decide_and_show(regelset, casus, doc, buiten_geldigheid, fmt, volledig)


def _decide_and_show(
    regelset: Regelset,
    casus: Casus,
    doc: LocatedDocument,
    buiten_geldigheid: bool,
    fmt: str,
    volledig: bool,
) -> None:
    document = regelset.evaluate_casus(casus, doc, buiten_geldigheid=buiten_geldigheid)
    if fmt == "json":
        text = document.model_dump_json(indent=2) + "\n"
        sys.stdout.write(text)
    elif fmt == "markdown":
        from ..besluit.rendering import to_markdown

        sys.stdout.write(to_markdown(document))
    else:
        from ..besluit.rendering import print_rich

        print_rich(document, make_console(), volledig=volledig)
    if any(b.problemen or b.ontbrekende_gegevens for b in document.besluiten):
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
    regelset = load_regelset(regels_of(ctx), versie=versie)
    notes = []
    if regelset.compiled.sha256 != sha:
        notes.append(
            f"regelset {versie} changed since the decision: sha256 {sha[:12]} → "
            f"{regelset.compiled.sha256[:12]}"
        )
    if engine != ENGINE_VERSION:
        notes.append(f"engine version differs: {engine} → {ENGINE_VERSION}")
    # the record fixes the version: reproduce it even where it was a what-if evaluation
    again = regelset.evaluate_casus(casus, doc, buiten_geldigheid=True).model_dump(mode="json")
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
