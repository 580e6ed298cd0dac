"""The `hame` command: flags → settings → a run (headless or the REPL), plus subcommands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__
from .errors import HameError, UsageError
from .events import ErrorEvent, Final

SUBCOMMANDS = ("sessions", "map", "rewind", "bench", "export", "config", "permissions", "serve-model")
EPILOG = """subcommands (each has --help):
  hame config [flags] [--json]         the effective configuration and where each value came from
  hame sessions [--all]                list saved sessions
  hame rewind SESSION [--to STEP]      restore a session's files to before a step
  hame export SESSION... --format F    write sessions as training JSONL (openai, sharegpt, hermes)
  hame map [--budget N] [--cwd DIR]    print the ranked repo map
  hame permissions explain "COMMAND"   say which permission rule decides a command
  hame serve-model [--port P]          serve the embedded model as an OpenAI-compatible endpoint
  hame bench TASKSET --model M         run a task set and score it

hame "TASK" starts the REPL with TASK as its first request; hame -p "TASK" runs it headlessly and exits."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hame", description="A coding agent that makes small local models useful.",
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"hame {__version__}")
    p.add_argument("task", nargs="?", metavar="TASK", help="start the REPL with this first request (-p: headless)")
    p.add_argument("-p", "--prompt", metavar="TASK", help="run one task headlessly and exit")
    p.add_argument("--cwd", metavar="DIR", default=".", help="workspace directory (default: current directory)")
    p.add_argument("--model", metavar="NAME|PROVIDER:NAME",
                   help="a [models] entry of the config, or local[:NAME|:PATH.gguf] (default), openai:NAME, "
                        "anthropic:NAME, scripted:FILE (env HAME_MODEL)")
    p.add_argument("--base-url", help="the model server's URL (env OPENAI_BASE_URL, or ANTHROPIC_BASE_URL for "
                                      "anthropic:)")
    p.add_argument("--api-key", help="API key (env OPENAI_API_KEY, or ANTHROPIC_API_KEY for anthropic:)")
    p.add_argument("--max-steps", type=int, metavar="N", help="stop after N model calls (default 40)")
    p.add_argument("--max-cost", type=float, metavar="USD", help="stop when the model calls have cost USD (exit 3)")
    p.add_argument("--max-tokens", type=int, metavar="N", help="stop when a run has used N tokens (exit 3)")
    p.add_argument("--output-format", choices=("text", "json", "stream-json"), default="text",
                   help="headless output (default text)")
    p.add_argument("--tool-protocol", choices=("auto", "native", "text", "constrained", "whole"),
                   help="how tool calls are exchanged with the model (default: from the model profile)")
    p.add_argument("--temperature", type=float, help="sampling temperature (default: from the model profile)")
    p.add_argument("--profile", choices=("default", "small-local", "tiny-local", "claude", "scripted"),
                   help="the model profile (default: by the provider and the size the model's name gives)")
    p.add_argument("--context-window", type=int, metavar="N",
                   help="the model's context window in tokens (default: the server's, else the model profile's)")
    p.add_argument("--approval", choices=("read-only", "ask", "auto-edit", "full-auto"),
                   help="what runs without asking (default: full-auto headless, ask in the REPL)")
    p.add_argument("--sandbox", choices=("auto", "bwrap", "none"),
                   help="sandbox for shell commands (default: bwrap where available)")
    p.add_argument("--sandbox-network", action="store_true", default=None,
                   help="allow network access inside the sandbox")
    p.add_argument("--check", metavar="CMD", help="a command that checks the work (e.g. the tests): hame runs it "
                   "after every change and shows the model the result")
    p.add_argument("--trust", action="store_true",
                   help="trust this workspace's .hame/config.toml as it is now (its hooks, MCP servers and sandbox "
                        "settings); remembered until the file changes")
    p.add_argument("--resume", metavar="ID", help="resume a session: an id, an id prefix, or 'latest'")
    p.add_argument("--continue", dest="cont", action="store_true", help="resume the latest session here")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv and argv[0] in SUBCOMMANDS:
            return subcommand(argv[0], argv[1:])
        args = build_parser().parse_args(argv)
        return run(args)
    except UsageError as exc:
        print(f"hame: error: {exc}", file=sys.stderr)
        return 2
    except HameError as exc:
        print(f"hame: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("hame: interrupted", file=sys.stderr)
        return 130


def settings_from(args: argparse.Namespace, sinks: list) -> object:
    """Flags over the environment over the config files over the defaults (config/), as Settings."""
    from .app import Settings
    from .config import choose_model, effective_config, flags_from

    c = effective_config(Path(args.cwd), flags_from(args))
    m, cfg = choose_model(c), c.config
    return Settings(workspace=Path(args.cwd), model=m.spec, base_url=m.base_url, api_key=m.api_key,
                    max_steps=cfg.max_steps or 40, tool_protocol=m.tool_protocol or "auto", temperature=m.temperature,
                    approval=cfg.approval or ("full-auto" if args.prompt else "ask"), sandbox=cfg.sandbox or "auto",
                    sandbox_network=bool(cfg.sandbox_network),
                    sandbox_env=tuple(cfg.sandbox_env or ()), resume="latest" if args.cont else args.resume,
                    profile=m.profile, context_window=m.context_window, max_cost=cfg.max_cost,
                    max_tokens=cfg.max_tokens, price=m.price, check=cfg.check, tactics=m.tactics, sinks=sinks,
                    trust=args.trust)


def run(args: argparse.Namespace) -> int:
    if args.prompt is not None and args.task is not None:
        raise UsageError(f"give the task once: either -p TASK (headless) or TASK (the REPL), not both "
                         f"(got {args.task!r} too)")
    if args.prompt is not None and not args.prompt.strip():
        raise UsageError("-p needs a task: the prompt is empty")
    if args.prompt is None:
        from .ui.repl import repl

        return repl(settings_from(args, []), first=args.task)  # type: ignore[arg-type]
    return headless(args)


def headless(args: argparse.Namespace) -> int:
    from .app import Run
    from .ui.headless import EXIT_CODES, Progress, StreamJson, error_summary, summary

    finals: list[Final] = []
    shown: list[str] = []  # error messages the progress lines already printed
    sinks: list = [lambda e: finals.append(e) if isinstance(e, Final) else
                   shown.append(e.message) if isinstance(e, ErrorEvent) else None]
    stream = StreamJson() if args.output_format == "stream-json" else None
    sinks.append(stream or Progress())
    try:
        session = Run(settings_from(args, sinks))  # type: ignore[arg-type]
    except HameError as exc:
        if args.output_format == "json":
            print(json.dumps(error_summary(str(exc)), ensure_ascii=False))
        raise
    if stream:
        stream.final_extra = lambda: {"session_id": session.files.id, "transcript": str(session.files.transcript),
                                      "cost_usd": _cost(session.meter.cost)}
    with session:
        result = session.run(args.prompt)
        final = finals[-1]
        if args.output_format == "json":
            print(json.dumps(summary(final, session.files.id, str(session.files.transcript), session.meter.cost,
                                     result.error), ensure_ascii=False))
        elif args.output_format == "text":
            if result.result:
                print(result.result)
            if result.stop_reason != "completed":
                why = f" ({result.error})" if result.error and result.error not in shown else ""
                print(f"hame: stopped: {result.stop_reason}{why}", file=sys.stderr)
    return EXIT_CODES.get(result.stop_reason, 1)


def _cost(usd: float | None) -> float | None:
    return None if usd is None else round(usd, 6)


def subcommand(name: str, argv: list[str]) -> int:
    if name == "sessions":
        from .session.store import list_sessions

        p = argparse.ArgumentParser(prog="hame sessions", description="list saved sessions, newest first")
        p.add_argument("--all", action="store_true", help="all workspaces, not only the current directory")
        a = p.parse_args(argv)
        infos = list_sessions(None if a.all else Path.cwd())
        if not infos:
            print("no sessions" + ("" if a.all else " for this workspace (try --all)"))
        for i in infos:
            print(f"{i.id}  {_when(i.started)}  {_when(i.last_activity)}  {i.steps:>3} steps  {i.workspace}  "
                  f"{i.task.splitlines()[0][:60] if i.task else ''}")
        return 0
    if name == "serve-model":
        from .serve import serve_main

        return serve_main(argv)
    if name == "permissions":
        from .permissions.explain import explain_main

        return explain_main(argv)
    if name == "map":
        return _map(argv)
    if name == "rewind":
        return _rewind(argv)
    if name == "bench":
        from .bench.cli import bench_main

        return bench_main(argv)
    if name == "export":
        from .bench.cli import export_main

        return export_main(argv)
    if name == "config":
        from .config.show import config_main

        return config_main(argv, build_parser())
    raise UsageError(f"unknown subcommand {name}")


def _rewind(argv: list[str]) -> int:
    from .session.rewind import rewind

    p = argparse.ArgumentParser(prog="hame rewind", description="restore a session's workspace files to before a "
                                "step; lists what will change first (no --to: lists the checkpoints)")
    p.add_argument("session", help="a session id, an id prefix, or 'latest' (of the current directory)")
    p.add_argument("--to", type=int, metavar="STEP", help="restore the files to as they were before STEP")
    p.add_argument("--yes", action="store_true", help="apply without asking")
    a = p.parse_args(argv)
    confirm = (lambda q: True) if a.yes else (_ask if sys.stdin.isatty() else None)
    return rewind(a.session, a.to, confirm, print)


def _ask(question: str) -> bool:
    try:
        return input(question).strip().lower() in ("y", "yes")
    except EOFError:
        return False


def _map(argv: list[str]) -> int:
    from .context.repomap import map_command
    from .session.transcript import state_dir

    p = argparse.ArgumentParser(prog="hame map", description="print the ranked repo map of the current directory")
    p.add_argument("--budget", type=int, default=1024, help="token budget (default 1024)")
    p.add_argument("--cwd", default=".", help="repository directory")
    a = p.parse_args(argv)
    if a.budget < 1:
        raise UsageError(f"hame map: --budget must be a positive number of tokens, not {a.budget}")
    if not Path(a.cwd).is_dir():
        raise UsageError(f"hame map: --cwd {a.cwd} is not a directory")
    print(map_command(Path(a.cwd).resolve(), a.budget, state_dir() / "cache" / "repomap"))
    return 0


def _when(ts: float) -> str:
    import time

    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))


