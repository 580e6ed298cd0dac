"""Which tactics a run uses: the profile's list, switched by the config and by HAME_TACTICS (and the older
one-tactic switches), shown by `hame config` with where it came from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hame.agent.profiles import FRONTIER, SMALL_LOCAL
from hame.agent.tactic_choice import effective_tactics
from hame.errors import UsageError
from hame.tactics import switched


def test_switches_add_in_the_canonical_order_and_remove() -> None:
    assert switched(["restarts", "steering"], "+focus,-steering") == ["focus", "restarts"]
    assert switched(["restarts", "steering"], "+early_stop") == ["restarts", "steering", "early_stop"]
    assert switched(["restarts"], "+restarts") == ["restarts"]
    assert switched(["restarts", "steering"], "steering, resample") == ["steering", "resample"]  # a whole list


def test_an_unknown_or_mixed_switch_is_a_clear_error() -> None:
    with pytest.raises(UsageError, match="unknown tactic 'focuss'; use one of: .*focus"):
        switched([], "+focuss")
    with pytest.raises(UsageError, match="mix no plain names"):
        switched([], "+focus,resample")


def test_the_environment_switches_the_profiles_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAME_TACTICS", "+focus,-resample")
    monkeypatch.setenv("HAME_FORCE_WRITES", "on")
    monkeypatch.setenv("HAME_PLAIN_RETRIES", "0")
    choice = effective_tactics(SMALL_LOCAL, (["-watches"], "config x.toml"))
    assert "focus" in choice.names and "forced_writes" in choice.names
    assert not {"resample", "watches", "plain_retries"} & set(choice.names)
    assert choice.sources == ["profile small-local", "config x.toml", "env HAME_FORCE_WRITES",
                              "env HAME_PLAIN_RETRIES", "env HAME_TACTICS"]
    monkeypatch.delenv("HAME_TACTICS")
    monkeypatch.delenv("HAME_FORCE_WRITES")
    monkeypatch.delenv("HAME_PLAIN_RETRIES")
    assert effective_tactics(FRONTIER).names == ["steering"]


def test_hame_config_shows_the_tactics_and_their_sources(tmp_path: Path, hame) -> None:
    ws = tmp_path / "ws"
    (ws / ".hame").mkdir(parents=True)
    (ws / ".hame" / "config.toml").write_text('[models.tiny]\nprovider = "openai"\nmodel = "q"\n'
                                              'base_url = "http://127.0.0.1:9/v1"\nprofile = "small-local"\n'
                                              'tactics = ["+focus"]\n')
    r = hame("config", "--cwd", str(ws), "--model", "tiny", "--json", env={"HAME_TACTICS": "-resample"})
    assert r.returncode == 0, r.stderr
    tactics = json.loads(r.stdout)["model"]["tactics"]
    assert "focus" in tactics["names"] and "resample" not in tactics["names"]
    assert tactics["from"][0] == "profile small-local" and tactics["from"][-1] == "env HAME_TACTICS"
    text = hame("config", "--cwd", str(ws), "--model", "tiny").stdout
    assert "tactics         definition_edits, localize, fill_in, protect_tests, salvage" in text and "focus" in text


def test_an_unknown_tactic_is_a_model_problem_in_hame_config_and_stops_a_run(tmp_path: Path, hame) -> None:
    ws = tmp_path / "ws"
    (ws / ".hame").mkdir(parents=True)
    (ws / ".hame" / "config.toml").write_text('[models.tiny]\nprovider = "openai"\nmodel = "q"\n'
                                              'base_url = "http://127.0.0.1:9/v1"\ntactics = ["+nope"]\n')
    known = "use one of: definition_edits, localize, fill_in, protect_tests, salvage, watches"
    shown = hame("config", "--cwd", str(ws), "--model", "tiny")
    assert shown.returncode == 2 and shown.stderr == ""
    assert 'models.tiny.tactics           ["+nope"]' in shown.stdout  # the rest of the config is still shown
    assert f"# model\nerror: {ws / '.hame' / 'config.toml'}: unknown tactic 'nope'; {known}" in shown.stdout
    data = hame("config", "--cwd", str(ws), "--model", "tiny", "--json", env={"HAME_TACTICS": "+nah"})
    assert data.returncode == 2 and "unknown tactic 'nope'" in json.loads(data.stdout)["model"]["error"]
    (ws / ".hame" / "config.toml").write_text('[models.tiny]\nprovider = "openai"\nmodel = "q"\n'
                                              'base_url = "http://127.0.0.1:9/v1"\n')
    env_bad = hame("config", "--cwd", str(ws), "--model", "tiny", "--json", env={"HAME_TACTICS": "+nah"})
    assert env_bad.returncode == 2 and json.loads(env_bad.stdout)["model"]["error"].startswith(
        "HAME_TACTICS: unknown tactic 'nah'")
    run = hame("--cwd", str(ws), "--model", "tiny", "-p", "hi", env={"HAME_TACTICS": "+nah"})
    assert run.returncode == 2 and f"HAME_TACTICS: unknown tactic 'nah'; {known}" in run.stderr
