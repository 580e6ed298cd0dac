"""A repository task's first view: instead of whole files, the definitions localization ranks first (with the
failing tests and their errors), within a token budget, and which files they come from and were not shown whole."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from hame.context.defindex import SourceFile, index_repository
from hame.context.files import list_files
from hame.context.localize import Evidence, Runner, gather, rank, run_check
from hame.context.show import view_text
from hame.context.tags import spec_for

from .testfiles import TEST_NAME

MIN_CODE_FILES = 8  # fewer source files and no package: a one-file exercise, whose files are attached whole
SHOWN = re.compile(r"^## (\S+) :: .*\(lines \d+-\d+", re.MULTILINE)
FAILING = re.compile(r"^## (\S+) :: .*\(failing\)$", re.MULTILINE)


@dataclass(frozen=True)
class RepoView:
    text: str  # the rendered definitions, the failing tests and their errors
    files: list[str]  # the code files the definitions shown come from, best ranked first
    lines: dict[str, int]  # their sizes in lines (what was left out of each)
    tests: list[str] = field(default_factory=list)  # the test files whose failing tests it shows
    files_index: dict[str, SourceFile] = field(default_factory=dict, repr=False)  # the indexed repository
    evidence: Evidence | None = field(default=None, repr=False)  # what localization read (the trace included)
    task: str = ""  # the words localization read


def looks_like_repository(root: Path) -> bool:
    """A package (a directory with `__init__.py`) or many source files: too much to attach whole."""
    paths = list_files(root).paths
    if any(p.endswith("/__init__.py") for p in paths):
        return True
    return sum(1 for p in paths if spec_for(p)) >= MIN_CODE_FILES


def repo_view(root: Path, task: str, check: str | None, budget: int, run: Runner | None = None) -> RepoView | None:
    """The localized view of `task` in `root` (running `check` with `run` to read the failing tests: in the sandbox
    when a model may have written the code), or None when nothing in the repository ranks (no definitions, no words
    of the task found)."""
    files = index_repository(root)
    evidence = gather(files, task, check or "", run_check(root, check, run=run) if check else "")
    if (text := view_text(root, files, evidence, budget, run=run)) is None:
        return None
    shown = [p for p in dict.fromkeys(SHOWN.findall(text)) if not TEST_NAME.search(p)]
    if not shown:
        return None
    return RepoView(text, shown, {p: len(files[p].lines) for p in shown}, list(dict.fromkeys(FAILING.findall(text))),
                    files, evidence, task)


def likely_file(root: Path, task: str) -> str | None:
    """The code file the task is most likely about, from its words alone (no check is run)."""
    files = index_repository(root)
    best = rank(files, gather(files, task, "", ""))
    return best[0].span.path if best else None
