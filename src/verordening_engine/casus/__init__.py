"""casus stage."""
