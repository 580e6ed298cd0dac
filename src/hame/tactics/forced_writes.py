"""Forced writes: while the check fails and the files to change are known, the reply must write one of them (a
llama.cpp grammar for one whole file in `whole` mode, a JSON schema of one write_file call in `constrained` mode):
a small model has nothing else useful to do then, and is left no prose, no test run and no format to get wrong."""

from __future__ import annotations

from .base import Shape, Tactic


class ForcedWrites(Tactic):
    name = "forced_writes"

    def shape(self, shape: Shape) -> None:
        if self.state.failed_check and self.state.targets:
            shape.write_only = list(self.state.targets)
