"""The `verordening` group and what every command shares: options, error guard, console.

Exit codes: 0 success, 1 a check found problems, 2 invalid input or usage.
Heavy imports happen inside the commands so `--help` and start-up stay fast.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from .. import __version__

F = TypeVar("F", bound=Callable[..., Any])
# True when this process is the `verordening` command itself (see `run`), not a caller that
# invokes `main` in its own process (a test's CliRunner): only then may a command leave
# process-wide state behind, such as objects frozen for the garbage collector.
STANDALONE = False
FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["terminal", "json", "markdown"]),
    default="terminal",
    show_default=True,
    help="terminal (rich), json, or markdown to paste into a document.",
)


def guarded(func: F) -> F:
    """Turn library errors into one clear message and an exit code, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ..errors import EvaluationError, VerordeningError, printable, shown

        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            return func(*args, **kwargs)
        except VerordeningError as exc:
            if debug:
                raise
            for line in shown(exc.problems):
                click.echo(f"fout: {line}", err=True)
            sys.exit(2)
        except EvaluationError as exc:
            if debug:
                raise
            click.echo(f"fout in de regels: {printable(str(exc))}", err=True)
            sys.exit(2)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except KeyboardInterrupt:  # Ctrl-C: stop quietly, never as a fault of the rules
            if debug:
                raise
            click.echo("afgebroken", err=True)
            sys.exit(130)
        except Exception as exc:  # a bug: say so plainly
            if debug:
                raise
            click.echo(
                f"interne fout ({type(exc).__name__}): {printable(str(exc))}. "
                "Gebruik --debug voor details.",
                err=True,
            )
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def regels_of(ctx: click.Context) -> Path:
    """The regels folder of this run: --regels, else $VERORDENING_REGELS, else the packaged one.

    Resolved inside a guarded command, so a folder that does not exist is a clear message.
    """
    from ..regels.location import resolve_regels

    return resolve_regels(ctx.find_root().obj["regels"])


def make_console(stderr: bool = False) -> Any:
    from rich.console import Console

    width = int(os.environ.get("COLUMNS", "0")) or None
    return Console(soft_wrap=False, width=width, stderr=stderr)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="verordening")
@click.option(
    "--regels",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder with the regelsets (default: $VERORDENING_REGELS, else the regels "
    "packaged with the engine).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def main(ctx: click.Context, regels: Path | None, debug: bool) -> None:
    """Integrale verordening sociaal domein Dordrecht: executable, explained rules."""
    ctx.obj = {"regels": regels}
    # no scan of every installed package for pydantic plugins (~20 ms of each start-up);
    # set PYDANTIC_DISABLE_PLUGINS to an empty value to have them loaded
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    from ..regels.drafts import SEARCH_ROOTS  # a draft's `basis:` by name is looked up here

    if regels is not None and regels not in SEARCH_ROOTS:
        SEARCH_ROOTS.append(regels)


def run() -> None:
    """The `verordening` command (console script and `python -m verordening_engine`)."""
    global STANDALONE
    STANDALONE = True
    main()
