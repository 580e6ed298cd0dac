"""hame as an evaluation and training environment (docs/training.md)."""
