"""reading stage."""
