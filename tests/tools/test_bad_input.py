"""Finding 7 of issue 29: bad input is a tool error, never a hang, a crash or a memory blow-up; and `hame config`
checks every section as a run does, naming the file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ..conftest import call, make_workspace, requests_of, write_script


def _outputs(script: Path) -> list[str]:
    return [m["content"] for m in requests_of(script)[-1]["messages"] if m["role"] == "tool"]


def test_fifo_nul_path_and_non_utf8_name(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", {"a.txt": "A\n"})
    os.mkfifo(ws / "pipe")
    with open(os.fsencode(ws) + b"/bad\xff.txt", "wb") as fh:
        fh.write(b"x\n")
    script = write_script(tmp_path / "s.jsonl", [
        {"content": "", "tool_calls": [call("read_file", path="pipe")]},
        {"content": "", "tool_calls": [call("write_file", path="pipe", content="x")]},
        {"content": "", "tool_calls": [call("edit_file", path="pipe", old_text="a", new_text="b")]},
        {"content": "", "tool_calls": [call("read_file", path="a\x00.txt")]},
        {"content": "", "tool_calls": [call("list_files")]},
        {"content": "done"},
    ])
    r = hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{script}", timeout=60)
    assert r.returncode == 0, r.stderr
    outs = _outputs(script)
    assert all("not a regular file" in out for out in outs[:3])
    assert outs[3].startswith("Error:") and "path" in outs[3]
    assert "a.txt" in outs[4]


def test_a_huge_sparse_file_is_read_in_bounded_memory(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws", {}, git=False)
    with open(ws / "big.log", "wb") as fh:
        fh.write(b"first line\n")
        fh.truncate(1 << 30)
    code = ("import sys; from pathlib import Path; from hame.tools.read_file import ReadFile, ReadArgs; "
            "from hame.tools.base import ToolContext; "
            "out = ReadFile().run(ReadArgs(path='big.log', limit=5), ToolContext(workspace=Path(sys.argv[1]))); "
            "print(out[:200]); print(Path('/proc/self/status').read_text().split('VmHWM:')[1].split()[0])")
    done = subprocess.run([sys.executable, "-c", code, str(ws)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    # KiB: far below the 1 GiB file (VmHWM, not ru_maxrss: that one keeps the forking test process's peak)
    assert int(done.stdout.split()[-1]) < 300 * 1024


def test_config_checks_every_section_and_names_the_file(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", {".hame/config.toml": '[hooks]\nnope = 1\n'}, git=False)
    r = hame("config", "--cwd", str(ws))
    assert r.returncode == 2 and str(ws / ".hame/config.toml") in r.stderr and "nope" in r.stderr
    (ws / ".hame/config.toml").write_text('[mcp.servers.x]\nurl = "http://h"\ncommand = "y"\n')
    r = hame("config", "--cwd", str(ws))
    assert r.returncode == 2 and str(ws / ".hame/config.toml") in r.stderr
    (ws / ".hame/config.toml").write_text('[permissions]\ndeny = ["read_file(a/b**)"]\n')
    r = hame("config", "--cwd", str(ws))
    assert r.returncode == 2 and str(ws / ".hame/config.toml") in r.stderr and "permissions.deny[0]" in r.stderr
