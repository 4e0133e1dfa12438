"""Stage 8, scenario files: run them against their expected decisions, and article coverage."""
