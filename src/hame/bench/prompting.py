"""What the agent is told: the task prompt, and the retry prompt that carries the failing check's output.
The wording lives in `prompts/bench_task.md` and `prompts/bench_retry.md`."""

from __future__ import annotations

from string import Template

from ..context.clip import clip
from ..context.prompt import load_prompt
from .tasks import Task

RETRY_OUTPUT_CHARS = 3000


def task_prompt(task: Task) -> str:
    return _render("bench_task.md", task, instructions=task.instructions.strip())


def retry_prompt(task: Task, check_output: str) -> str:
    output = clip(check_output.strip(), RETRY_OUTPUT_CHARS, head_share=0.3).text.rstrip()
    return _render("bench_retry.md", task, output=output)


def _render(name: str, task: Task, **values: str) -> str:
    files = ", ".join(task.files_to_edit) or "the files in this directory"
    tests = ", ".join(task.test_files) or "this directory"
    return Template(load_prompt(name)).substitute(files=files, tests=tests, check=task.check, **values)
