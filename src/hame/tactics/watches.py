"""Watches: a streaming reply is cut as soon as it is copying the tests into the code (`copy_watch`, built once per
set of files to change) or, in the `whole` protocol, repeating the request's text (`echo_watch`, built once per
request): what follows would be refused or useless, and waiting for it costs a small model minutes."""

from __future__ import annotations

from ..agent.protocol import COPYING, ECHOING
from .base import Shape, StopWhen, Tactic
from .echo import echo_watch
from .protect_tests import copy_watch


class Watches(Tactic):
    name = "watches"
    copying: tuple[tuple[str, ...], StopWhen | None] | None = None  # (targets, watch)
    echoing: tuple[str, StopWhen | None] | None = None  # (request, watch)

    def shape(self, shape: Shape) -> None:
        s = self.state
        targets = tuple(s.targets)
        if self.copying is None or self.copying[0] != targets:
            self.copying = (targets, copy_watch(list(targets), s.ctx.workspace))
        request = str(s.request.get("content") or "") if s.request and s.protocol.mode == "whole" else ""
        if self.echoing is None or self.echoing[0] != request:
            self.echoing = (request, echo_watch(request) if request else None)
        for reason, hit in ((COPYING, self.copying[1]), (ECHOING, self.echoing[1])):
            if hit:
                shape.stops[reason] = hit
