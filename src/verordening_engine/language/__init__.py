"""Stage 2, the rule language: types, values, functions and the typed expression compiler."""
