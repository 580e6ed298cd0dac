"""`hame permissions explain "COMMAND"`: which rule decides a shell command or a call, and why."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..config import load_config
from ..errors import UsageError
from .rules import MODES, Rules


def explain_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="hame permissions", description="inspect permission rules")
    sub = p.add_subparsers(dest="action", required=True)
    e = sub.add_parser("explain", help='say which rule decides a command or a call, e.g. "git status && rm -rf x" '
                                       'or "edit_file(secrets/a.txt)"')
    e.add_argument("command", help="a shell command, or TOOL(ARGUMENT)")
    e.add_argument("--approval", choices=MODES, default="full-auto", help="the approval mode (default full-auto)")
    e.add_argument("--cwd", default=".", help="the workspace whose .hame/config.toml applies")
    a = p.parse_args(argv)
    workspace = Path(a.cwd).resolve()
    try:
        rules = Rules.from_config(load_config(workspace).get("permissions", {}))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    print(rules.explain(a.command, a.approval, workspace=workspace))
    return 0
