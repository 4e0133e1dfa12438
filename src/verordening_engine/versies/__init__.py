"""versies stage."""
