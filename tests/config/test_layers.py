"""Layered config on real files: precedence, where each value came from, named models, prices, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from hame.agent.limits import FREE, Price
from hame.config import choose_model, effective_config, load_config
from hame.errors import UsageError

MODEL_ENTRY = """
model = "fast"
[models.fast]
provider = "openai"
model = "qwen2.5-coder"
base_url = "http://127.0.0.1:8080/v1"
api_key_env = "MY_KEY"
profile = "small-local"
context_window = 8192
[prices.fast]
input = 1.0
output = 2.0
"""


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(user config file, workspace) with XDG_CONFIG_HOME pointing into tmp_path."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    user = tmp_path / "xdg" / "hame" / "config.toml"
    user.parent.mkdir(parents=True)
    ws = tmp_path / "ws"
    (ws / ".hame").mkdir(parents=True)
    return user, ws


def test_each_layer_overrides_the_one_below_and_says_so(dirs: tuple[Path, Path]) -> None:
    user, ws = dirs
    user.write_text('max_steps = 10\nsandbox = "none"\napproval = "auto-edit"\nmax_cost = 1.0\n')
    (ws / ".hame" / "config.toml").write_text("max_steps = 20\nmax_cost = 2.0\n")
    eff = effective_config(ws, {"max_cost": 3.0, "model": None}, {"HAME_MAX_STEPS": "30", "HAME_MAX_COST": "2.5"})
    c = eff.config
    assert (c.max_steps, c.max_cost, c.sandbox, c.approval, c.tool_protocol) == (30, 3.0, "none", "auto-edit", "auto")
    assert eff.source("max_steps") == "env HAME_MAX_STEPS"
    assert eff.source("max_cost") == "flag --max-cost"
    assert eff.source("sandbox") == eff.source("approval") == str(user)
    assert eff.source("tool_protocol") == eff.source("model") == "default"
    assert effective_config(ws, {}, {}).source("max_steps") == str(ws.resolve() / ".hame" / "config.toml")


def test_permission_lists_concatenate_and_name_both_files(dirs: tuple[Path, Path]) -> None:
    user, ws = dirs
    user.write_text('[permissions]\ndeny = ["run_shell(rm *)"]\n')
    project = ws / ".hame" / "config.toml"
    project.write_text('[permissions]\ndeny = ["edit_file(secrets/**)"]\n[mcp.servers.x]\ncommand = "y"\n')
    eff = effective_config(ws, {}, {})
    assert eff.values["permissions"]["deny"] == ["run_shell(rm *)", "edit_file(secrets/**)"]
    assert eff.source("permissions.deny") == f"{user} + {project.resolve()}"
    assert load_config(ws)["permissions"]["deny"] == ["run_shell(rm *)", "edit_file(secrets/**)"]
    assert eff.config.mcp == {"servers": {"x": {"command": "y"}}}


@pytest.mark.parametrize(("text", "needle"), [
    ("modle = 'x'\n", "unknown key 'modle'"),
    ("[models.fast]\nbse_url = 'x'\n", "unknown key 'models.fast.bse_url' (known here: provider, model, base_url"),
    ('[prices."openai:m"]\ninput = 1\noutptu = 2\n', """unknown key 'prices."openai:m".outptu'"""),
    ("max_steps = 0\n", "max_steps: Input should be greater than or equal to 1"),
    ("approval = 'yolo'\n", "approval: Input should be"),
    ("api_key = 'sk-123'\n", "api_key does not belong in a config file"),
    ("max_steps = [\n", "not valid TOML"),
])
def test_bad_files_name_the_file_and_the_key(dirs: tuple[Path, Path], text: str, needle: str) -> None:
    _user, ws = dirs
    (ws / ".hame" / "config.toml").write_text(text)
    with pytest.raises(UsageError) as err:
        effective_config(ws, {}, {})
    assert str(ws / ".hame" / "config.toml") in str(err.value) and needle in str(err.value)


def test_a_bad_environment_value_names_the_variable(dirs: tuple[Path, Path]) -> None:
    with pytest.raises(UsageError, match="env HAME_MAX_COST: max_cost: Input should be a valid number"):
        effective_config(dirs[1], {}, {"HAME_MAX_COST": "lots"})


def test_a_named_model_entry_gives_spec_server_key_profile_and_price(dirs: tuple[Path, Path]) -> None:
    user, ws = dirs
    user.write_text(MODEL_ENTRY)
    eff = effective_config(ws, {}, {"OPENAI_BASE_URL": "http://elsewhere/v1"})
    m = choose_model(eff, {"MY_KEY": "sk-test"})
    assert (m.spec, m.entry, m.base_url, m.api_key, m.api_key_source) == (
        "openai:qwen2.5-coder", "fast", "http://127.0.0.1:8080/v1", "sk-test", "env MY_KEY")
    assert (m.profile, m.context_window, m.price, m.price_key) == ("small-local", 8192, Price(1.0, 2.0, 1.0), "fast")
    flagged = choose_model(effective_config(ws, {"base_url": "http://flag/v1", "api_key": "k"}, {}), {})
    assert (flagged.base_url, flagged.api_key) == ("http://flag/v1", "k")
    with pytest.raises(UsageError, match="api_key_env = 'MY_KEY'.*is not set"):
        choose_model(eff, {})


def test_plain_specs_prices_and_provider_specific_environment(dirs: tuple[Path, Path]) -> None:
    ws = dirs[1]
    env = {"OPENAI_BASE_URL": "http://oai/v1", "OPENAI_API_KEY": "sk-o"}
    gpt = choose_model(effective_config(ws, {"model": "openai:gpt-4o"}, env), {})
    assert (gpt.base_url, gpt.api_key, gpt.price) == ("http://oai/v1", "sk-o", Price(2.5, 10.0, 1.25))
    assert choose_model(effective_config(ws, {"model": "openai:mystery"}, {}), {}).price is None
    local = choose_model(effective_config(ws, {}, env), {})
    assert (local.spec, local.base_url, local.api_key, local.price) == ("local", None, None, FREE)
    with pytest.raises(UsageError, match="model 'nonsense' \\(from flag --model\\).*not a \\[models\\] entry"):
        choose_model(effective_config(ws, {"model": "nonsense"}, {}), {})


def test_hook_lists_from_user_and_project_files_are_both_kept(dirs: tuple[Path, Path]) -> None:
    user, ws = dirs
    user.write_text('[[hooks.pre_tool]]\ncommand = "user-check"\n[[hooks.final]]\ncommand = "notify"\n')
    (ws / ".hame" / "config.toml").write_text('[[hooks.pre_tool]]\nmatch = "run_shell"\ncommand = "repo-check"\n')
    hooks = load_config(ws)["hooks"]
    assert [h["command"] for h in hooks["pre_tool"]] == ["user-check", "repo-check"]
    assert hooks["final"] == [{"command": "notify"}]
    assert [h["command"] for h in effective_config(ws).values["hooks"]["pre_tool"]] == ["user-check", "repo-check"]
