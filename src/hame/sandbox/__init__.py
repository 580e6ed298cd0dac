"""Running shell commands and guarding the paths no tool may change: the layer under tools/, agent/ and
permissions/, so that each of them may import it (command.py runs a command, protected.py names the paths)."""
