"""`python -m verordening_engine` runs the CLI."""

from .cli import run

run()
