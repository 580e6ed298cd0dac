"""Task sets: a directory of task directories, one task directory, or a JSONL manifest (the exercism format).

A task directory holds the files to work on, an instruction file (`TASK.md` or `instructions.md`) and an
optional `task.toml` (`check`, `timeout`, `files_to_edit`, `test_files`). A manifest line holds the same
things inline: `name`, `instructions`, `files`, `solution_files`, `test_files`, `pytest_targets` (or `check`).
Everything is read into memory, so a task can be shipped to another process or machine as it is.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError

from ..errors import UsageError

INSTRUCTION_FILES = ("TASK.md", "instructions.md")
SKIP_NAMES = {"task.toml", *INSTRUCTION_FILES}
SKIP_DIRS = {".git", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".venv", "node_modules"}
DEFAULT_CHECK = "python -m pytest -q"


@dataclass(frozen=True)
class Task:
    name: str
    instructions: str
    files: dict[str, bytes]
    check: str = DEFAULT_CHECK
    timeout: float = 120.0
    files_to_edit: tuple[str, ...] = ()
    test_files: tuple[str, ...] = ()

    @property
    def slug(self) -> str:
        return slugify(self.name)


def slugify(name: str) -> str:
    """A task name made safe for a directory or file name."""
    return re.sub(r"[^\w.-]", "_", name).lstrip(".") or "task"


class TaskToml(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    check: str = DEFAULT_CHECK
    timeout: float = Field(default=120.0, gt=0)
    files_to_edit: list[str] = Field(default_factory=list)
    test_files: list[str] = Field(default_factory=list)


class ManifestTask(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str
    instructions: str
    files: dict[str, str]
    solution_files: list[str] = Field(default_factory=list,
                                      validation_alias=AliasChoices("solution_files", "files_to_edit"))
    test_files: list[str] = Field(default_factory=list)
    pytest_targets: list[str] = Field(default_factory=list)
    check: str | None = None
    timeout: float = Field(default=120.0, gt=0)

    def check_command(self) -> str:
        if self.check:
            return self.check
        return " ".join([DEFAULT_CHECK, *map(shlex.quote, self.pytest_targets)])


def load_taskset(path: Path) -> list[Task]:
    """Every task of a task set, in a stable order (manifest order, or directory names sorted)."""
    if path.is_file():
        return _checked(load_manifest(path), path)
    if not path.is_dir():
        raise UsageError(f"task set {path} is neither a directory nor a JSONL file")
    if is_task_dir(path):
        return [load_task_dir(path)]
    tasks = [load_task_dir(d) for d in sorted(path.iterdir()) if d.is_dir() and is_task_dir(d)]
    if not tasks:
        raise UsageError(f"no tasks in {path}: expected subdirectories with {' or '.join(INSTRUCTION_FILES)}")
    return _checked(tasks, path)


def _checked(tasks: list[Task], source: Path) -> list[Task]:
    seen: set[str] = set()
    for t in tasks:
        if t.slug in seen:
            raise UsageError(f"{source}: two tasks are named {t.name!r}")
        seen.add(t.slug)
    return tasks


def is_task_dir(path: Path) -> bool:
    return any((path / n).is_file() for n in INSTRUCTION_FILES)


def load_task_dir(path: Path) -> Task:
    instructions = next((path / n).read_text(encoding="utf-8") for n in INSTRUCTION_FILES if (path / n).is_file())
    toml_path = path / "task.toml"
    try:
        raw = tomllib.loads(toml_path.read_text(encoding="utf-8")) if toml_path.is_file() else {}
        spec = TaskToml.model_validate(raw)
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise UsageError(f"{toml_path}: {exc}") from None
    files = {rel: p.read_bytes() for rel, p in _walk(path)}
    task = Task(spec.name or path.name, instructions, files, spec.check, spec.timeout,
                tuple(spec.files_to_edit), tuple(spec.test_files))
    return _validated(task, toml_path)


def _walk(root: Path) -> list[tuple[str, Path]]:
    out = []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if p.is_file() and not SKIP_DIRS & set(rel.parts[:-1]) and str(rel) not in SKIP_NAMES:
            out.append((rel.as_posix(), p))
    return out


def load_manifest(path: Path) -> list[Task]:
    tasks = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            spec = ManifestTask.model_validate(json.loads(line))
        except (ValueError, ValidationError) as exc:
            raise UsageError(f"{path}:{n}: not a task: {exc}") from None
        files = {rel: text.encode("utf-8") for rel, text in spec.files.items()}
        task = Task(spec.name, spec.instructions, files, spec.check_command(), spec.timeout,
                    tuple(spec.solution_files), tuple(spec.test_files))
        tasks.append(_validated(task, Path(f"{path}:{n}")))
    return tasks


def _validated(task: Task, where: Path) -> Task:
    for rel in [*task.files, *task.files_to_edit, *task.test_files]:
        p = PurePosixPath(rel)
        if p.is_absolute() or ".." in p.parts or not p.parts:
            raise UsageError(f"{where}: task {task.name!r}: path {rel!r} must be relative, inside the task")
    missing = [rel for rel in task.test_files if rel not in task.files]
    if missing:
        raise UsageError(f"{where}: task {task.name!r}: test files not found: {', '.join(missing)}")
    return task
