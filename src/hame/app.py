"""The composition root: turns settings into a provider, tools, a session and an agent, and runs a task."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import messages as msg
from .agent.delegate import DelegateConfig, Delegator
from .agent.limits import Budget, Meter, Price
from .agent.loop import Agent, LoopConfig, RunResult
from .agent.profiles import Profile, named_profile, profile_for, with_overrides
from .agent.protocol import ToolProtocol
from .agent.tactic_choice import effective_tactics
from .config import load_config, project_config_path
from .config.sections import check_sections
from .context.agents_md import InstructionTracker, render_instructions
from .context.budget import Budget as ContextBudget
from .context.checks import guess_check
from .context.compaction import Compactor, reduction_enabled
from .context.git import git_root
from .context.mentions import Attached, mentioned_files, named_files
from .context.prompt import build_system_prompt, load_prompt, prompt_variant, tools_section
from .context.repo_view import likely_file, looks_like_repository
from .context.repomap import RepoMap, task_words
from .context.test_digest import HOW_NONE, HOW_READ, HOW_REPORT
from .context.testfiles import TEST_NAME
from .context.workspace import workspace_snapshot
from .errors import UsageError
from .events import EventBus, EventSink, Notice, SessionStart
from .hooks import Hooks
from .mcp import start_servers
from .messages import ToolCall
from .permissions.approval import Asker, Gatekeeper
from .permissions.rules import MODES, Rules
from .permissions.trust import require_trust
from .providers import Provider, open_anthropic, open_openai, parse_model
from .sandbox.command import bwrap_available
from .session import resume as resume_mod
from .session.state import SessionState
from .session.store import SessionFiles, find_session
from .session.transcript import Transcript, state_dir
from .switches import env_count, env_switch
from .tactics.definition_edits import will_act as definitions_will_act
from .tools import Tool, ToolContext, default_tools
from .tools.base import FileView
from .tools.delegate import Delegate
from .tools.remember import Remember
from .tools.todo import TodoTool


@dataclass
class Settings:
    workspace: Path
    model: str = "local"
    base_url: str | None = None
    api_key: str | None = None
    max_steps: int = 40
    tool_protocol: str = "auto"
    temperature: float | None = None
    approval: str = "full-auto"
    sandbox: str = "auto"
    sandbox_network: bool = False
    sandbox_env: tuple[str, ...] = ()  # variables shell commands get beyond the safe list (sandbox.SAFE_ENV)
    resume: str | None = None
    profile: str | None = None  # a profile by name instead of the provider's default (a [models] entry's)
    context_window: int | None = None
    max_cost: float | None = None  # USD for this process's model calls (budget stop, exit 3)
    max_tokens: int | None = None  # input + output tokens of a run (budget stop, exit 3)
    price: Price | None = None  # None: unknown (cost shown as unknown)
    sinks: list[EventSink] = field(default_factory=list)
    check: str | None = None  # a command that tells whether the task is done (e.g. the tests); run after changes
    tactics: tuple[list[str], str] | None = None  # (a tactic list or +name/-name switches, where it came from)
    trust: bool = False  # --trust: trust this workspace's .hame/config.toml (hooks, MCP servers, sandbox keys)
    asker: Asker | None = None  # answers approval questions; None in headless runs (asks are refused)


class Run:
    """One session: its provider, agent and transcript. Use as a context manager; `run(task)` per task."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.bus = EventBus()
        for sink in settings.sinks:
            self.bus.subscribe(sink)
        self.workspace = Path(os.path.realpath(settings.workspace))
        if not self.workspace.is_dir():
            raise UsageError(f"workspace {settings.workspace} is not a directory")
        check_sections(self.workspace)
        spec = parse_model(settings.model)
        self.model_name = str(spec)
        name = spec.name
        if spec.provider == "local" and not name:
            from .providers.model_store import best_installed

            name = best_installed()  # what `--model local` loads; its size picks the profile
        self.profile = self._profile(spec.provider, name)
        self.meter = Meter(settings.price, self.profile.context_window)  # tokens and cost of this process
        self.bus.subscribe(self.meter)
        self.files = (find_session(settings.resume, self.workspace, resuming=True) if settings.resume
                      else SessionFiles.new())
        self.state = SessionState(self.files, self.workspace, self.bus.emit)  # locks the session
        self.provider = self._provider(spec.provider, name)
        self.meter.context_window = self.context_window()
        self.transcript: Transcript | None = None
        self.instructions = InstructionTracker(git_root(self.workspace) or self.workspace, self.workspace)
        self.gatekeeper = self._gatekeeper()
        require_trust(self.workspace, trusted_flag=settings.trust, asker=settings.asker)
        config = load_config(self.workspace)
        self.hooks = Hooks.from_config(config.get("hooks"), self.workspace, self.bus)
        self.mcp = start_servers(config.get("mcp"), self.workspace, state_dir() / "logs", self._notice)
        self.agent = self._agent()

    def _profile(self, provider: str, name: str) -> Profile:
        s = self.settings
        protocol = None if s.tool_protocol == "auto" else s.tool_protocol
        base = named_profile(s.profile) if s.profile else profile_for(provider, name)
        profile = with_overrides(base, tool_protocol=protocol, temperature=s.temperature,
                                 context_window=s.context_window, plain_retries=env_count("HAME_PLAIN_RETRIES"),
                                 attach_tests=env_switch("HAME_ATTACH_TESTS"),
                                 repo_map_tokens=0 if env_switch("HAME_REPO_MAP") is False else None)
        self.tactics = effective_tactics(profile, s.tactics)
        return replace(profile, tactics=tuple(self.tactics.names))

    def _provider(self, provider: str, name: str) -> Provider:
        notice = self._notice
        if provider == "scripted":
            from .providers.scripted import ScriptedModel

            return ScriptedModel(name, context_window=self.profile.context_window)
        if provider == "openai":
            return open_openai(name, self.settings.base_url, self.settings.api_key, notice)
        if provider == "anthropic":
            return open_anthropic(name, self.settings.base_url, self.settings.api_key, notice,
                                  self.profile.context_window)
        from .providers.local_provider import open_local

        return open_local(name, notice, self.profile.context_window, progress=self.bus.emit)

    def _notice(self, text: str) -> None:
        self.bus.emit(Notice(text=text))

    def tools(self) -> list[Tool]:
        exclude = self.profile.exclude_tools
        memory = self.state.memory
        extra = [Remember(memory), TodoTool(memory, self.bus.emit), *self.mcp.tools]
        return default_tools(exclude, self.profile.include_tools) + [t for t in extra if t.name not in exclude]

    def _agent(self) -> Agent:
        tools = self.tools()
        delegator = self._delegator(tools)
        protocol = ToolProtocol(self.profile.tool_protocol, tools)  # type: ignore[arg-type]
        ctx = ToolContext(workspace=self.workspace, session_dir=self.files.dir, sandbox=self._sandbox(),
                          network=self.settings.sandbox_network, env_allow=self.settings.sandbox_env,
                          number_lines=self.profile.number_lines, can_edit=any(t.name == "edit_file" for t in tools))
        ctx.read_denied = lambda rel: self.gatekeeper.rules.read_denied(rel, self.workspace)
        p = self.profile
        config = LoopConfig(max_steps=self.settings.max_steps, temperature=p.temperature, max_tokens=p.max_tokens,
                            max_output_chars=p.max_output_chars, one_call_per_turn=p.one_call_per_turn,
                            max_total_tokens=self.settings.max_tokens, check_command=self._check_command(),
                            tactics=p.tactics, tactic_options={"plain_retries": p.plain_retries,
                                                               "localize_tokens": self.context_window() // 6,
                                                               **fill_in_option()},
                            check_decides=bool(self.settings.check))
        budget = Budget(max_cost=self.settings.max_cost)
        agent = Agent(self.provider, tools, ctx, self.bus.emit, protocol, config, gate=self.hooks.gate(self.gatekeeper),
                      after_calls=self._new_instructions, over_budget=lambda: budget.exceeded(self.meter),
                      before_request=lambda: self.state.before_request(ctx.files_changed),
                      before_mutation=self.state.before_mutation, before_finish=self.state.before_finish,
                      compactor=self._compactor(protocol, tools, ctx))
        agent.runner.dedupe = agent.compactor is not None
        if delegator is not None:
            delegator.attach(agent)
        return agent

    def _compactor(self, protocol: ToolProtocol, tools: list[Tool], ctx: ToolContext) -> Compactor | None:
        """Keeps every request inside the context window (docs/context.md); None with HAME_CONTEXT_REDUCTION=off."""
        if not reduction_enabled():
            return None
        budget = ContextBudget.for_window(self.context_window(), self.profile.max_tokens)
        return Compactor(self.provider, budget, self.bus.emit, lambda: ctx.files_changed,
                         tools=protocol.tool_schemas(), response_format=protocol.response_format(),
                         readonly={t.name for t in tools if not t.mutating}, memory=self.state.memory,
                         temperature=self.profile.temperature)

    def context_window(self) -> int:
        """--context-window (or the config's), capped by what the server reports; else the profile's."""
        server, asked = self.provider.context_window, self.settings.context_window
        return min(server, asked) if server and asked else asked or server or self.profile.context_window

    def _delegator(self, tools: list[Tool]) -> Delegator | None:
        """Subagents, when the profile or `[delegate] max_depth` allows them: adds the `delegate` tool."""
        config = DelegateConfig.load(load_config(self.workspace).get("delegate"), self.profile.delegate_depth)
        if config.depth < 1 or "delegate" in self.profile.exclude_tools:
            return None
        delegator = Delegator(config)
        tools.append(Delegate(delegator))
        return delegator

    def _check_command(self) -> str | None:
        if self.settings.check or not self.profile.guess_check:
            return self.settings.check
        guessed = guess_check(self.workspace)
        if guessed:
            self._notice(f"running `{guessed}` after each change (set --check to choose the command)")
        return guessed

    def _new_instructions(self, calls: list[ToolCall]) -> str | None:
        """Instruction files of subdirectories, added when the agent first touches a file there."""
        found = []
        for call in calls:
            path = (call.arguments or {}).get("path")
            if isinstance(path, str) and path and "\x00" not in path:
                found += self.instructions.on_touch(self.workspace / path)
        return ("# More instructions (AGENTS.md)\n" + render_instructions(found)) if found else None

    def _sandbox(self) -> str:
        """The sandbox for shell commands; when bubblewrap is missing, say so once and make shell commands ask."""
        mode = self.settings.sandbox
        if mode == "none":
            return "none"
        reason = bwrap_available()
        if reason and mode == "bwrap":
            raise UsageError(f"--sandbox bwrap: bubblewrap cannot be used here ({reason}); "
                             "install it (apt-get install bubblewrap) or pass --sandbox none")
        if reason:
            self.gatekeeper.shell_needs_approval = (f"the sandbox is unavailable ({reason}), so shell commands "
                                                    "need approval (or run with --sandbox none)")
            self._notice(self.gatekeeper.shell_needs_approval)
            return "none"
        return "bwrap"

    def _gatekeeper(self) -> Gatekeeper:
        config = load_config(self.workspace)
        try:
            rules = Rules.from_config(config.get("permissions", {}))
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        mode = self.settings.approval
        if mode not in MODES:
            raise UsageError(f"unknown approval mode {mode!r}; use one of {', '.join(MODES)}")
        return Gatekeeper(rules, mode, self.workspace, asker=self.settings.asker,  # type: ignore[arg-type]
                          project_config=project_config_path(self.workspace), notice=self._notice)

    def system_prompt(self, protocol: ToolProtocol, task: str) -> str:
        check = self.agent.config.check_command
        testing = (f"hame runs the tests (`{check}`) after each change and shows you the result." if check
                   else "Run the tests with run_shell.")
        write = ("as its path on one line, then the code in a fenced block" if protocol.mode == "whole"
                 else "with write_file")
        defs = definitions_will_act(self.profile.tactics, self.workspace)
        sections = [load_prompt(prompt_variant(self.profile.system_prompt, defs)).replace("{testing}", testing)
                    .replace("{write}", write)]
        if protocol.mode != "native":
            template = load_prompt(prompt_variant(f"{protocol.mode}_protocol.md", defs))
            example = self._example_path(task)
            sections.append(template.replace("{tools}", tools_section(protocol.tools))
                            .replace("{example_path}", example))
        sections.append("# Workspace\n" + workspace_snapshot(self.workspace))
        if self.instructions.initial:
            sections.append("# Instructions (AGENTS.md)\n" + render_instructions(self.instructions.initial))
        if self.profile.repo_map_tokens and not defs:  # the definitions view shows the code the task is about
            repo_map = RepoMap(self.workspace, state_dir() / "cache" / "repomap", time_limit=5.0)
            budget = min(self.profile.repo_map_tokens, self.context_window() // 16)  # a small window: a small map
            focus = [rel for rel, _ in mentioned_files(task, self.workspace)]
            text = repo_map.render(budget, focus_files=focus, focus_words=task_words(task))
            if text.strip():
                sections.append("# Repo map (ranked definitions)\n" + text)
        return build_system_prompt(sections)

    def _example_path(self, task: str) -> str:
        """The path the protocol's example writes: small models copy it, so it is the file the task is about (one it
        names, or in a repository the one its words point to), `app.py` only in a workspace with no such file."""
        named = next((rel for rel, _ in mentioned_files(task, self.workspace) if not TEST_NAME.search(rel)), None)
        if named is None and task.strip() and looks_like_repository(self.workspace):
            named = likely_file(self.workspace, task)
        return named or "app.py"

    def start(self, task: str) -> None:
        """Open the transcript and put the stable prefix (or the resumed history) in place."""
        if self.transcript is not None:
            return
        resumed = self.settings.resume is not None
        history, closing = [], []
        if resumed:
            history, self.agent.steps, _head, closing = resume_mod.load(self.files.transcript)
        self.transcript = Transcript(self.files.transcript)
        self.bus.subscribe(self.transcript.write)
        self.bus.emit(SessionStart(session_id=self.files.id, workspace=str(self.workspace), model=self.model_name,
                                   task=task, resumed=resumed))
        if resumed and (damage := resume_mod.damage_notice(self.files.transcript)):
            self._notice(damage)
        if history:
            self.agent.messages = history
            for m in closing:
                self.agent.add(m)
        else:
            self.agent.add(msg.system(self.system_prompt(self.agent.protocol, task)))

    def run(self, task: str) -> RunResult:
        self.start(task)
        self.state.memory.note_task(task)
        return self.agent.run(*self._with_mentioned_files(task))

    def _with_mentioned_files(self, task: str) -> tuple[str, list[str] | None]:
        """The task with the files it names attached, and the files to change among them (None: not looked for)."""
        if not self.profile.attach_mentioned_files:
            return task, None
        named = named_files(task, self.workspace, how=self._how_to_see_tests())
        files = named.files
        targets = [rel for rel, _ in files if not TEST_NAME.search(rel)]
        if not self.profile.attach_tests:
            files = [f for f in files if f[0] in targets]
        for rel, _text in files:
            st = (self.workspace / rel).stat()
            self.agent.ctx.seen[rel] = FileView(st.st_mtime_ns, st.st_size, self.agent.steps)
        attached = self.agent.state.attached = Attached(task, files, targets, named.too_large)
        return attached.text, targets

    def _how_to_see_tests(self) -> str:
        """How the model can see the tests an abridged test file leaves out: with the tools it has, in the report."""
        read = any(t.name == "read_file" for t in self.agent.tools)
        report = self.agent.config.check_command is not None
        return " ".join([HOW_READ if read else "", HOW_REPORT if report else ""]).strip() or HOW_NONE

    def switch(self, resume: str | None) -> None:
        """Leave this session for another (`resume`: an id, a prefix or 'latest') or a fresh one (None), keeping
        the provider. Raises (and stays in this session) when the other session is in use."""
        files = find_session(resume, self.workspace, resuming=True) if resume else SessionFiles.new()
        if files.id == self.files.id:
            return
        state = SessionState(files, self.workspace, self.bus.emit)
        self._close_session()
        self.settings.resume, self.files, self.state = resume, files, state
        self.meter.reset()  # the status line and --max-cost count this session's calls
        self.agent = self._agent()

    def _close_session(self) -> None:
        if self.transcript:
            self.bus.unsubscribe(self.transcript.write)
            self.transcript.close()
            self.transcript = None
        self.state.close()

    def close(self) -> None:
        try:
            self.provider.close()
            self.mcp.close()
        finally:
            self._close_session()

    def __enter__(self) -> Run:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def fill_in_option() -> dict[str, int]:
    """`HAME_FILL_IN_SECONDS`: the fill_in tactic's search time (tactics/fill_in.py), when set."""
    seconds = env_count("HAME_FILL_IN_SECONDS")
    return {"fill_in_seconds": seconds} if seconds else {}
