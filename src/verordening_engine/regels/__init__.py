"""regels stage."""
