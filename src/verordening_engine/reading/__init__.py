"""Stage 1, reading: YAML and JSON read safely, every value with its file position."""
