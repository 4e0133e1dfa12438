"""besluit stage."""
