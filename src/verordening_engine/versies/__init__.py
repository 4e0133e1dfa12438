"""Stage 8, tools over versions: diff, generated households, regression runs and invariants."""
