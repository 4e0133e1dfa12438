"""Stage 3, rule files: models, loading, the version timeline, cross-file checks, compiling."""
