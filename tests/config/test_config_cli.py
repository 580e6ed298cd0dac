"""Config, cost and budgets through the real CLI: `hame config`, named models, cost_usd, --max-cost, --max-tokens."""

from __future__ import annotations

import json
from pathlib import Path

from ..conftest import call, make_workspace, requests_of, write_script
from ..fakes.openai_server import FakeOpenAI, reply

FILES = {"a.py": "x = 1\n"}
USAGE = {"prompt_tokens": 1000, "completion_tokens": 100, "total_tokens": 1100,
         "prompt_tokens_details": {"cached_tokens": 400}}
STEP_COST = (600 * 2.5 + 400 * 1.25 + 100 * 10.0) / 1e6  # gpt-4o's default price


def project_config(ws: Path, text: str) -> Path:
    path = ws / ".hame" / "config.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


def test_hame_config_shows_values_and_where_they_came_from(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", FILES)
    project = project_config(ws, 'model = "fast"\nmax_steps = 12\n[models.fast]\nprovider = "openai"\n'
                                 'model = "qwen"\nbase_url = "http://127.0.0.1:9/v1"\nprofile = "small-local"\n')
    r = hame("config", "--json", "--cwd", str(ws), "--max-cost", "0.5", env={"HAME_MAX_TOKENS": "5000"})
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    v = out["values"]
    assert v["model"] == {"value": "fast", "source": str(project)}
    assert v["max_steps"]["source"] == str(project) and v["sandbox"] == {"value": "auto", "source": "default"}
    assert v["max_cost"] == {"value": 0.5, "source": "flag --max-cost"}
    assert v["max_tokens"] == {"value": 5000, "source": "env HAME_MAX_TOKENS"}
    assert v["models.fast.base_url"]["source"] == str(project)
    assert out["model"]["spec"] == "openai:qwen" and out["model"]["profile"] == "small-local"
    text = hame("config", "--cwd", str(ws)).stdout
    assert "fast → openai:qwen" in text
    assert f"# {project}" in text and "price           $0.0 input, $0.0 output" in text  # a server on 127.0.0.1
    remote = hame("config", "--json", "--cwd", str(ws), "--model", "openai:qwen", "--base-url",
                  "https://llm.example.com/v1")
    assert json.loads(remote.stdout)["model"]["price_per_million_tokens"] is None  # unknown: shown as $?


def test_a_server_on_this_machine_costs_nothing_unless_priced(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", FILES)
    with FakeOpenAI([reply("done", usage=USAGE)]) as srv:
        r = hame("-p", "x", "--cwd", str(ws), "--model", "openai:qwen", "--base-url", srv.url, "--output-format",
                 "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["cost_usd"] == 0.0
    project_config(ws, '[prices."openai:qwen"]\ninput = 2.5\noutput = 10.0\n')
    with FakeOpenAI([reply("done", usage=USAGE)]) as srv:
        r = hame("-p", "x", "--cwd", str(ws), "--model", "openai:qwen", "--base-url", srv.url, "--output-format",
                 "json")
    assert json.loads(r.stdout)["cost_usd"] == round((1000 * 2.5 + 100 * 10.0) / 1e6, 6)


def test_an_unknown_key_stops_every_command_with_the_file_and_key(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", FILES)
    project = project_config(ws, '[models.fast]\nprovider = "openai"\nbase_ur = "x"\n')
    r = hame("-p", "x", "--cwd", str(ws), "--model", "scripted:none.jsonl")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"{project}: unknown key 'models.fast.base_ur'" in r.stderr


def test_a_named_model_is_picked_by_flag_and_its_cost_reported(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", FILES)
    with FakeOpenAI([reply(None, [("read_file", {"path": "a.py"})], usage=USAGE),
                     reply("done", usage=USAGE)]) as srv:
        project_config(ws, f'[models.gpt]\nprovider = "openai"\nmodel = "gpt-4o"\nbase_url = "{srv.url}"\n'
                           'api_key_env = "TEST_KEY"\n')
        r = hame("-p", "x", "--cwd", str(ws), "--model", "gpt", "--output-format", "json",
                 env={"TEST_KEY": "sk-test"})
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["result"] == "done" and srv.requests[0]["model"] == "gpt-4o"
    assert out["cost_usd"] == round(2 * STEP_COST, 6)
    assert set(out) >= {"result", "session_id", "transcript", "stop_reason", "steps", "usage", "files_changed"}


def test_max_cost_stops_the_run_cleanly_with_exit_3(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", FILES)
    turns = [reply(None, [("list_files", {"depth": d})], usage=USAGE) for d in (1, 2, 3)] + [reply("done")]
    with FakeOpenAI(turns) as srv:
        r = hame("-p", "x", "--cwd", str(ws), "--model", "openai:gpt-4o", "--base-url", srv.url, "--api-key", "k",
                 "--max-cost", str(1.5 * STEP_COST), "--output-format", "json")
    out = json.loads(r.stdout)
    assert r.returncode == 3 and out["stop_reason"] == "budget" and len(srv.requests) == 2
    assert out["cost_usd"] == round(2 * STEP_COST, 6)
    last = srv.requests[-1]["messages"]
    assert last[-1]["role"] == "tool"  # the paid turn's call ran; the history is whole


def test_max_tokens_and_priced_scripted_entries(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", FILES)
    script = write_script(tmp_path / "s.jsonl", [{"content": "", "tool_calls": [call("list_files")]}] * 3)
    project_config(ws, f'[models.paid]\nprovider = "scripted"\nmodel = "{script}"\n[prices.paid]\ninput = 100.0\n')
    r = hame("-p", "x", "--cwd", str(ws), "--model", "paid", "--max-tokens", "10", "--output-format", "json")
    out = json.loads(r.stdout)
    assert r.returncode == 3 and out["stop_reason"] == "budget" and len(requests_of(script)) == 1
    assert out["cost_usd"] == round(out["usage"]["input_tokens"] * 100.0 / 1e6, 6) > 0
    free = hame("-p", "x", "--cwd", str(ws), "--model", f"scripted:{script}", "--max-steps", "1",
                "--output-format", "json")
    assert json.loads(free.stdout)["cost_usd"] == 0.0


def test_the_profile_follows_the_served_models_size_unless_named(tmp_path: Path, hame) -> None:
    ws = make_workspace(tmp_path / "ws", FILES)
    small = ("--model", "openai:qwen2.5-coder-1.5b", "--base-url", "http://127.0.0.1:9/v1")
    out = json.loads(hame("config", "--json", "--cwd", str(ws), *small).stdout)
    assert out["model"]["profile"] == "tiny-local" and "plain_retries" in out["model"]["tactics"]["names"]
    named = json.loads(hame("config", "--json", "--cwd", str(ws), *small, "--profile", "default").stdout)
    assert named["model"]["profile"] == "default" and named["model"]["tactics"]["names"] == ["steering"]
    env = json.loads(hame("config", "--json", "--cwd", str(ws), *small, env={"HAME_PROFILE": "small-local"}).stdout)
    assert env["values"]["profile"] == {"value": "small-local", "source": "env HAME_PROFILE"}
    for flags, tools in (((), False), (("--profile", "default"), True)):  # what the server is sent
        with FakeOpenAI([reply("done", usage=USAGE)]) as srv:
            r = hame("-p", "x", "--cwd", str(ws), "--model", "openai:qwen2.5-coder-1.5b", "--base-url", srv.url,
                     *flags)
        assert r.returncode == 0, r.stderr
        first = srv.requests[0]
        assert bool(first.get("tools")) is tools  # tiny-local writes fenced files: no tool schema sent
        assert first["max_tokens"] == (4096 if tools else 1024)
