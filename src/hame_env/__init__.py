"""The `verifiers` plugin id for hame: `vf-eval hame-env ...` imports this package, which exports the taskset and
the harness of `hame.envs.verifiers_env` (verifiers finds plugins by top-level package name)."""

from hame.envs.verifiers_env import HameHarness, HameTaskset

__all__ = ["HameTaskset", "HameHarness"]
