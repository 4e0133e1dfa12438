"""Stage 5, evaluation: the durable-rules agenda, rule firing, the fixpoint, settlement."""
