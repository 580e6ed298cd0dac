"""hame — a terminal coding agent whose harness makes small local models useful."""

__version__ = "0.1.0"
