"""Stage 4, case files: the case model and its binding to a compiled regelset."""
