"""The ranked repo map on real files: languages, ranking, focus, budget, cache, listing, and the time bound."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from hame.context.repomap import RepoMap, estimate_tokens, map_command, task_words
from hame.context.tags import FALLBACK_MODULES, load_language

from ..conftest import make_workspace

SOURCES = {
    "app.py": "class Greeter:\n    def greet_person(self, name):\n        return name\n",
    "web/loader.js": "export function loadConfig(path) { return parseConfig(path); }\n"
    "class ConfigStore { save(key) { return key; } }\nconst parseConfig = (text) => text;\n",
    "web/shapes.ts": "interface Shape { area(): number; }\ntype Point = { x: number };\n"
    "export class Circle implements Shape { area(): number { return 3; } }\n",
    "web/button.tsx": "export function Button(props: Props) { return <div>{props.label}</div>; }\n",
    "srv/server.go": "package srv\ntype Server struct { Addr string }\n"
    "func (s *Server) Start() error { return nil }\nfunc NewServer(addr string) *Server { return nil }\n",
    "core/parser.rs": "pub struct Parser { pos: usize }\npub trait Lexer { fn next_token(&mut self) -> u8; }\n"
    "impl Parser {\n    pub fn parse_expr(&mut self) -> i32 { 0 }\n}\n",
    "java/OrderService.java": "public class OrderService {\n    public Order findOrder(long id) { return null; }\n}\n",
    "c/buffer.c": "#define MAX_LEN 10\nstruct buffer { int len; };\n"
    "static int buffer_append(struct buffer *b, int x) { return 0; }\n",
    "cpp/vector.cpp": "namespace geo {\nclass Vector3 {\n public:\n  double length() const;\n};\n"
    "int dot_product(int a, int b) { return a * b; }\n}\n",
    "c/api.h": "int api_call(int x);\n",
}

EXPECTED_LINES = [
    "app.py:",
    "  class Greeter:",
    "      def greet_person(self, name):",
    "  export function loadConfig(path) { return parseConfig(path); }",
    "  const parseConfig = (text) => text;",
    "  interface Shape { area(): number; }",
    "  type Point = { x: number };",
    "  export class Circle implements Shape { area(): number { return 3; } }",
    "  export function Button(props: Props) { return <div>{props.label}</div>; }",
    "  type Server struct { Addr string }",
    "  func (s *Server) Start() error { return nil }",
    "  pub trait Lexer { fn next_token(&mut self) -> u8; }",
    "  impl Parser",
    "      pub fn parse_expr(&mut self) -> i32 { 0 }",
    "  public class OrderService",
    "      public Order findOrder(long id) { return null; }",
    "  #define MAX_LEN 10",
    "  static int buffer_append(struct buffer *b, int x) { return 0; }",
    "  class Vector3",
    "    double length() const;",
    "  int dot_product(int a, int b) { return a * b; }",
    "  int api_call(int x);",
]


def py_repo(root: Path, n_users: int = 3) -> Path:
    files = {
        "util.py": "def compute_checksum(data):\n    return sum(data)\n",
        "lonely.py": "def unused_helper_thing():\n    return 1\n",
    }
    for i in range(n_users):
        body = f"def job_{i}():\n    return compute_checksum([{i}])\n"
        files[f"user{i}.py"] = "from util import compute_checksum\n\n" + body
    return make_workspace(root, files)


def file_order(text: str) -> list[str]:
    return [line[:-1] for line in text.splitlines() if line.endswith(":") and not line.startswith(" ")]


def test_every_grammar_loads_offline() -> None:
    missing = [name for name in FALLBACK_MODULES if load_language(name) is None]
    assert not missing, (
        f"no tree-sitter grammar for {missing}: tree-sitter-language-pack 1.x downloads grammars at run time; "
        "pin tree-sitter-language-pack<1 (0.13 bundles them) or install the per-language tree-sitter-* wheels"
    )


def test_definitions_from_each_language(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "poly", SOURCES)
    text = RepoMap(root, tmp_path / "cache").render(budget=4000)
    lines = text.splitlines()
    missing = [line for line in EXPECTED_LINES if line not in lines]
    assert not missing, text


def test_referenced_file_ranks_above_unreferenced(tmp_path: Path) -> None:
    text = RepoMap(py_repo(tmp_path / "r"), tmp_path / "cache").render()
    order = file_order(text)
    assert order[0] == "util.py"
    assert order.index("util.py") < order.index("lonely.py")
    assert "  def compute_checksum(data):" in text.splitlines()


def test_focus_files_and_words_bias_the_ranking(tmp_path: Path) -> None:
    repo_map = RepoMap(py_repo(tmp_path / "r"), tmp_path / "cache")
    assert file_order(repo_map.render(focus_files=["lonely.py"]))[0] == "lonely.py"
    assert file_order(repo_map.render(focus_files=[str(tmp_path / "r" / "lonely.py")]))[0] == "lonely.py"
    assert file_order(repo_map.render(focus_words=["unused_helper_thing"]))[0] == "lonely.py"


def test_a_task_names_its_focus_words_through_punctuation(tmp_path: Path) -> None:
    """`hame` ranks the map by the task's identifiers: `unused_helper_thing()` and `fix(lonely):` count."""
    task = "fix(lonely): unused_helper_thing() returns the wrong value"
    assert {"fix", "lonely", "unused_helper_thing", "returns"} <= set(task_words(task))
    assert "unused_helper_thing()" not in task_words(task)
    repo_map = RepoMap(py_repo(tmp_path / "r"), tmp_path / "cache")
    assert file_order(repo_map.render(focus_words=task_words(task)))[0] == "lonely.py"


def big_repo(root: Path, n: int = 40) -> Path:
    files = {}
    for i in range(n):
        nxt = (i + 1) % n
        body = "".join(f"def function_{i}_{k}(a, b):\n    return function_{nxt}_{k}(a, b)\n" for k in range(5))
        files[f"pkg/module_{i:02d}.py"] = f"class Widget{i}:\n    def render_widget(self):\n        pass\n" + body
    return make_workspace(root, files)


def test_output_fits_the_budget_and_grows_with_it(tmp_path: Path) -> None:
    repo_map = RepoMap(big_repo(tmp_path / "r"), tmp_path / "cache")
    outputs = [repo_map.render(budget=b) for b in (40, 200, 800)]
    for budget, text in zip((40, 200, 800), outputs, strict=True):
        assert 0 < estimate_tokens(text) <= budget
    assert set(outputs[0].splitlines()) <= set(outputs[1].splitlines()) <= set(outputs[2].splitlines())
    assert len(outputs[2]) > 3 * len(outputs[1])


def test_second_run_reads_the_cache_and_is_byte_identical(tmp_path: Path) -> None:
    root = big_repo(tmp_path / "r", n=20)
    first = RepoMap(root, tmp_path / "cache")
    text = first.render()
    assert (first.last_scan.parsed, first.last_scan.from_cache) == (20, 0)
    second = RepoMap(root, tmp_path / "cache")
    assert second.render() == text
    assert (second.last_scan.parsed, second.last_scan.from_cache) == (0, 20)
    (root / "pkg/module_03.py").write_text("def brand_new_function():\n    return 1\n")
    second.render()
    assert (second.last_scan.parsed, second.last_scan.from_cache) == (1, 19)


def test_fresh_caches_give_identical_output(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "poly", SOURCES)
    assert RepoMap(root, tmp_path / "c1").render(300) == RepoMap(root, tmp_path / "c2").render(300)


def test_listing_respects_gitignore_and_skips_big_and_binary(tmp_path: Path) -> None:
    files = {".gitignore": "ignored/\n", "kept.py": "def kept_function():\n    pass\n"}
    root = make_workspace(tmp_path / "r", files)
    (root / "ignored").mkdir()
    (root / "ignored/gone.py").write_text("def ignored_function():\n    pass\n")
    (root / "untracked.py").write_text("def untracked_function():\n    pass\n")
    (root / "huge.py").write_text("def huge_function():\n    pass\n" + "#" * 1_100_000)
    (root / "blob.py").write_bytes(b"def binary_function():\n\0\0\0")
    text = map_command(root, 1024, tmp_path / "cache")
    assert "kept_function" in text and "untracked_function" in text
    assert "ignored_function" not in text and "huge_function" not in text
    assert "blob.py" not in text and "huge.py" not in text


def test_walk_outside_git_skips_vendored_and_hidden_dirs(tmp_path: Path) -> None:
    files = {
        "main.py": "def main_entry():\n    pass\n",
        "node_modules/lib/index.js": "function vendoredThing() {}\n",
        ".venv/lib/site.py": "def venv_thing():\n    pass\n",
        "myenv/pyvenv.cfg": "home = /usr\n",
        "myenv/lib/x.py": "def other_venv_thing():\n    pass\n",
    }
    text = map_command(make_workspace(tmp_path / "plain", files, git=False), 1024, tmp_path / "cache")
    assert text == "main.py:\n  def main_entry():"


def test_huge_tree_is_bounded_in_files_and_time(tmp_path: Path) -> None:
    root = tmp_path / "huge"
    for d in range(500):  # 50,000 files: one real file a folder plus hard links to it (creating inodes is slow)
        folder = root / f"pkg{d:03d}"
        folder.mkdir(parents=True)
        (folder / "m00.py").write_text(f"def f_{d}():\n    pass\n")
        for f in range(1, 100):
            os.link(folder / "m00.py", folder / f"m{f:02d}.py")
    start = time.monotonic()
    repo_map = RepoMap(root, tmp_path / "cache", time_limit=0.05)
    text = repo_map.render(budget=300)
    assert time.monotonic() - start < 8
    assert "[repo map: only 5000 of 50000 source files considered]" in text
    assert "not parsed within 0.05s; a later run adds them]" in text
    assert repo_map.last_scan.parsed < 5000
    assert estimate_tokens(text) <= 300


@pytest.mark.parametrize("budget", [0, 5])
def test_tiny_budget_gives_empty_map(tmp_path: Path, budget: int) -> None:
    assert RepoMap(py_repo(tmp_path / "r"), tmp_path / "cache").render(budget=budget) == ""
